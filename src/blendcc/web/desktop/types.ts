// The agent desktop's shared contract: what the shell hands to every pane and panel.

/** One contact the agent holds, as `/api/agent` and the `/ws/agent` snapshot give it (api WorkItem). */
export interface WorkItem {
  contact_id: string;
  /** reserved (offer ringing), busy (connected: in conversation), held or wrap_up */
  stage: string;
  queue_id: string | null;
  /** voice, chat, webchat, sms, whatsapp, messenger, telegram, email, ... */
  channel: string;
  offer_expires: number | null;
  wrap_until: number | null;
  customer_id: string | null;
  attributes: Record<string, unknown>;
  priority: number | null;
  state: string;
}

/** The agent's own view (`GET /api/agent`, the socket's snapshot). */
export interface AgentView {
  id: string;
  name: string;
  logged_in: boolean;
  presence: string;
  state: string;
  reason: string | null;
  since: number;
  skills: Record<string, number>;
  queues: string[];
  capacity: Record<string, number>;
  load: Record<string, number>;
  work: WorkItem[];
  at: number;
}

/** A message-catalogue lookup with {placeholder} filling (catalogues: web/i18n/desktop/<area>.<lang>.json). */
import type { T } from "../shared/i18n";
export type { T };

import type { Api, ApiError } from "../shared/http";
export type { Api, ApiError };


/** The agent socket (`/ws/agent`): subscribe to frames by `type` (or `stream`), send client messages. */
export interface Bus {
  /** frames whose `type` or `stream` equals `key` ("*" for all); returns the unsubscribe function */
  on(key: string, fn: (frame: Record<string, unknown>) => void): () => void;
  send(message: Record<string, unknown>): void;
  /** true while the socket is open and resynchronised */
  readonly online: boolean;
}

/** What the shell gives a conversation pane (one per tab). */
export interface PaneProps {
  item: WorkItem;
  api: Api;
  bus: Bus;
  t: T;
  /** BCP 47 language of the UI ("fa" is right-to-left); for Intl date/number formats */
  locale: string;
  /** the pane's tab is the one on screen */
  active: boolean;
  /** new customer messages not yet seen (the tab's badge) */
  setUnread(n: number): void;
  /** open the shell's wrap-up form for this contact */
  openWrapUp(): void;
  /** open the shell's transfer / consult picker for this contact */
  openTransfer(mode: "transfer" | "consult"): void;
}

/** What the shell gives side panels (outbound, callbacks, customer). */
export interface PanelProps {
  api: Api;
  bus: Bus;
  t: T;
  locale: string;
}

/** Props of the transfer / consult picker (desktop/transfer/TransferPicker.tsx), opened by `openTransfer`. */
export interface TransferPickerProps {
  item: WorkItem;
  api: Api;
  bus: Bus;
  t: T;
  locale: string;
  mode: "transfer" | "consult";
  onClose(): void;
}

/** A customer as the API gives it (api models Customer). */
export interface Customer {
  id: string;
  name: string;
  tier: string;
  fields: Record<string, unknown>;
  identities: string[][];
  tags: string[];
  last_contact_at: number | null;
  merged_into?: string | null;
}

/** One contact's row (api models Interaction), the fields the desktop reads. */
export interface Interaction {
  contact_id: string;
  channel: string;
  direction: string;
  customer_id: string | null;
  state: string;
  created_at: number;
  queue_id: string | null;
  agent_id: string | null;
  attributes: Record<string, unknown>;
}

/** The screen pop (`GET /api/contacts/{id}/screen-pop`; the offer frame carries it without `crm`). */
export interface ScreenPop {
  customer: Customer | null;
  last_contacts: Interaction[];
  open_conversations: Interaction[];
  crm?: { status: string; data: Record<string, unknown> | null; error: string | null };
  /** merge suggestions, when the server offers them */
  merge_suggestions?: { customer_id: string; name?: string; reason?: string }[];
}

/** A file of a message (by reference; the bytes come from `GET /api/contacts/{id}/attachments/{file}`). */
export interface Attachment {
  id: string;
  name: string;
  media_type: string;
  size: number;
  uri: string;
}

/** A message of a thread (`GET /api/contacts/{id}/messages`, api MessageModel). */
export interface Message {
  id: string;
  contact_id: string;
  direction: "inbound" | "outbound" | "note";
  author: { kind: string; id: string | null };
  body: string;
  /** already sanitised by the server (nh3); an email pane shows it only inside a sandboxed iframe */
  html: string | null;
  at: number;
  channel?: { kind: string; instance: string } | null;
  attachments: Attachment[];
  address?: string | null;
  status: "queued" | "sent" | "delivered" | "read" | "failed" | null;
  status_reason: string | null;
  /** email: recipients and subject when the server gives them (mail headers) */
  to?: string[] | null;
  cc?: string[] | null;
  subject?: string | null;
}

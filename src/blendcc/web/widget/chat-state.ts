// The chat view's state, changed only by the server's frames and the customer's own sends (a reducer).
import type { Attachment, ChatState, Message, ServerFrame } from "./protocol";

export interface Local {
  client_id: string;
  body: string;
  attachments: Attachment[];
  at: number;
}

export interface Chat {
  state: ChatState;
  agent: string | null;
  messages: Message[];
  /** The customer's messages not acknowledged yet (shown as "sending"). */
  local: Local[];
  typing: { name: string | null } | null;
  queue: { position: number; expected_wait_s: number | null } | null;
  link: "connecting" | "up" | "down";
  ended: { by: string; reason: string | null } | null;
  notice: string | null;
}

export const initialChat: Chat = {
  state: "new", agent: null, messages: [], local: [], typing: null, queue: null, link: "connecting", ended: null, notice: null,
};

export type Action =
  | { kind: "frame"; frame: ServerFrame }
  | { kind: "link"; up: boolean }
  | { kind: "sent"; local: Local }
  | { kind: "reset" };

function merge(messages: Message[], incoming: Message[]): Message[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

function withoutAcked(local: Local[], messages: Message[]): Local[] {
  const acked = new Set(messages.map((m) => m.client_id).filter((c): c is string => c !== null));
  return local.filter((l) => !acked.has(l.client_id));
}

export function reduce(chat: Chat, action: Action): Chat {
  switch (action.kind) {
    case "reset":
      return initialChat;
    case "link":
      return { ...chat, link: action.up ? "up" : "down", typing: action.up ? chat.typing : null };
    case "sent":
      return { ...chat, local: [...chat.local, action.local] };
    case "frame":
      return onFrame(chat, action.frame);
  }
}

function onFrame(chat: Chat, f: ServerFrame): Chat {
  switch (f.type) {
    case "welcome": {
      const messages = merge(chat.messages, f.messages);
      return {
        ...chat, state: f.state, agent: f.agent?.name ?? null, messages, local: withoutAcked(chat.local, messages),
        queue: f.state === "queued" ? chat.queue : null, ended: f.state === "ended" ? (chat.ended ?? { by: "system", reason: null }) : null,
      };
    }
    case "ack":
    case "message": {
      const messages = merge(chat.messages, [f.message]);
      const fromAgent = f.message.author.kind === "agent" || f.message.author.kind === "bot";
      return { ...chat, messages, local: withoutAcked(chat.local, messages), typing: fromAgent ? null : chat.typing };
    }
    case "status":
      return { ...chat, messages: chat.messages.map((m) => (m.id === f.message_id ? { ...m, status: f.status } : m)) };
    case "typing":
      return { ...chat, typing: f.on ? { name: f.name } : null };
    case "queue":
      return { ...chat, queue: { position: f.position, expected_wait_s: f.expected_wait_s } };
    case "agent": {
      // the server's rule (as its welcome says after a reload): an agent holding the chat has the messages
      const messages = chat.messages.map((m) =>
        m.direction === "inbound" && m.status === "sent" ? { ...m, status: "delivered" as const } : m);
      return { ...chat, messages, agent: f.name, state: chat.state === "ended" ? chat.state : "connected", queue: null };
    }
    case "state":
      return { ...chat, state: f.state, queue: f.state === "queued" ? chat.queue : null };
    case "ended":
      return { ...chat, state: "ended", ended: { by: f.by, reason: f.reason }, typing: null, queue: null };
    case "error":
      return { ...chat, notice: f.message };
    case "pong":
      return chat;
    default:
      return chat; // a frame type this widget does not know yet (a newer server): ignored
  }
}

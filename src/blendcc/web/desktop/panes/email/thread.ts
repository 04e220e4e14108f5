// An email thread as the pane keeps it: messages from `GET /api/contacts/{id}/messages`, updated by the
// message frames of `/ws/agent` (MessageReceived, MessageSent, NoteAdded, MessageDeliveryUpdated).

import type { Attachment, Message } from "../../types";

export type { Attachment, Message };

export interface Thread {
  contact_id: string;
  messages: Message[];
}

export const MESSAGE_FRAMES = ["MessageReceived", "MessageSent", "NoteAdded", "MessageDeliveryUpdated"];

function strings(v: unknown): string[] | null {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  if (typeof v === "string" && v) return v.split(",").map((s) => s.trim()).filter(Boolean);
  return null;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/** The message a frame carries (null for a delivery update, which only changes a status). */
export function fromFrame(f: Record<string, unknown>): Message | null {
  const type = f.type;
  if (type !== "MessageReceived" && type !== "MessageSent" && type !== "NoteAdded") return null;
  const inbound = type === "MessageReceived";
  const channel = str(f.channel);
  return {
    id: String(f.message_id ?? ""),
    contact_id: String(f.contact_id ?? ""),
    direction: inbound ? "inbound" : type === "NoteAdded" ? "note" : "outbound",
    author: { kind: inbound ? "customer" : String(f.author_kind ?? "agent"), id: inbound ? null : str(f.author_id) },
    body: String(f.body ?? ""),
    html: str(f.html),
    at: typeof f.at === "number" ? f.at : Date.now() / 1000,
    channel: channel ? { kind: channel, instance: String(f.channel_instance ?? "") } : null,
    attachments: Array.isArray(f.attachments) ? (f.attachments as Attachment[]) : [],
    address: inbound ? str(f.address) : str(f.to),
    status: inbound || type === "NoteAdded" ? null : "queued",
    status_reason: null,
    to: strings(f.to_addresses ?? null),
    cc: strings(f.cc ?? null),
    subject: str(f.subject),
  };
}

/** The thread after one frame: a new message appended once (by id), a delivery status applied. */
export function applyFrame(thread: Message[], f: Record<string, unknown>): Message[] {
  if (f.type === "MessageDeliveryUpdated") {
    const id = String(f.message_id ?? "");
    return thread.map((m) => (m.id === id ? { ...m, status: String(f.status ?? m.status) as Message["status"], status_reason: str(f.reason) } : m));
  }
  const message = fromFrame(f);
  if (message === null || thread.some((m) => m.id === message.id)) return thread;
  return [...thread, message];
}

/** The customer's newest mail (what reply / reply-all / forward answer). */
export function lastInbound(thread: Message[]): Message | null {
  for (let i = thread.length - 1; i >= 0; i -= 1) if (thread[i].direction === "inbound") return thread[i];
  return null;
}

export type Mode = "reply" | "reply_all" | "forward";

/** Recipients proposed for a mode: reply -> the sender; reply-all -> the sender, cc kept; forward -> none. */
export function recipients(mode: Mode, last: Message | null, fallback: string | null): { to: string[]; cc: string[] } {
  const sender = last?.address ?? fallback;
  if (mode === "forward") return { to: [], cc: [] };
  if (mode === "reply") return { to: sender ? [sender] : [], cc: [] };
  const others = (last?.to ?? []).concat(last?.cc ?? []).filter((a) => a && a !== sender);
  return { to: sender ? [sender] : [], cc: Array.from(new Set(others)) };
}

/** A comma / semicolon separated address field as a list. */
export function parseAddresses(text: string): string[] {
  return text.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
}

export const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** A sanitised HTML body as an inert document for the sandboxed iframe (no scripts can run there). */
export function srcdoc(html: string): string {
  return `<!doctype html><html dir="auto"><head><meta charset="utf-8"><base target="_blank"></head>`
    + `<body>${html}</body></html>`;
}

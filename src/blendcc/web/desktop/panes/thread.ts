// A contact's thread kept live: read once from GET /api/contacts/{id}/messages, then updated from the
// pushed frames (MessageReceived, MessageSent, NoteAdded, MessageDeliveryUpdated, CustomerTyping), and
// read again after every reconnect (the socket's new snapshot) so nothing missed while offline is lost.
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api, Bus, Message } from "../types";
import { errorText } from "../../shared/http";

type Frame = Record<string, unknown>;

export interface Thread {
  messages: Message[];
  customerTyping: boolean;
  loading: boolean;
  error: string;
  /** add or replace one message (e.g. the answer of a POST) */
  upsert(m: Message): void;
}

export function messageOf(f: Frame): Message | null {
  const type = f.type;
  const base = {
    id: String(f.message_id),
    contact_id: String(f.contact_id),
    body: String(f.body ?? ""),
    html: (f.html as string | null) ?? null,
    at: Number(f.at ?? Date.now() / 1000),
    attachments: (f.attachments as Message["attachments"]) ?? [],
    status_reason: null,
  };
  if (type === "MessageReceived") {
    return { ...base, direction: "inbound", author: { kind: "customer", id: null }, status: null };
  }
  if (type === "MessageSent") {
    return { ...base, direction: "outbound", author: { kind: String(f.author_kind ?? "agent"), id: (f.author_id as string | null) ?? null }, status: "queued" };
  }
  if (type === "NoteAdded") {
    return { ...base, direction: "note", author: { kind: String(f.author_kind ?? "agent"), id: (f.author_id as string | null) ?? null }, status: null };
  }
  return null;
}

const ORDER = ["queued", "sent", "delivered", "read"];

/** A status only moves forward (a late "sent" never hides "read"); "failed" always shows. */
function advance(current: Message["status"], next: string): Message["status"] {
  if (next === "failed") return "failed";
  if (current === "failed") return current;
  return ORDER.indexOf(next) > ORDER.indexOf(current ?? "queued") ? (next as Message["status"]) : current;
}

export function useThread(contactId: string, api: Api, bus: Bus): Thread {
  const [messages, setMessages] = useState<Message[]>([]);
  const [customerTyping, setTyping] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");

  const upsert = useCallback((m: Message) => {
    setMessages((list) => {
      const i = list.findIndex((x) => x.id === m.id);
      if (i < 0) return [...list, m].sort((a, b) => a.at - b.at);
      const next = list.slice();
      next[i] = { ...list[i], ...m, status: m.status ? advance(list[i].status, m.status) : list[i].status };
      return next;
    });
  }, []);

  const load = useCallback(() => {
    api.get<{ messages: Message[] }>(`/api/contacts/${encodeURIComponent(contactId)}/messages`)
      .then((r) => {
        setMessages((current) => {
          // keep what arrived pushed meanwhile and is not in the answer yet
          const ids = new Set(r.messages.map((m) => m.id));
          return [...r.messages, ...current.filter((m) => !ids.has(m.id))].sort((a, b) => a.at - b.at);
        });
        setError("");
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setLoading(false));
  }, [api, contactId]);

  useEffect(() => {
    load();
    const mine = (f: Frame) => f.contact_id === contactId;
    const offs = [
      bus.on("snapshot", () => load()),
      ...["MessageReceived", "MessageSent", "NoteAdded"].map((type) => bus.on(type, (f) => {
        if (!mine(f)) return;
        const m = messageOf(f);
        if (m) upsert(m);
        if (type === "MessageReceived") setTyping(false);
      })),
      bus.on("MessageDeliveryUpdated", (f) => {
        if (!mine(f)) return;
        setMessages((list) => list.map((m) => (m.id === f.message_id
          ? { ...m, status: advance(m.status, String(f.status)), status_reason: (f.reason as string | null) ?? m.status_reason }
          : m)));
      }),
      bus.on("CustomerTyping", (f) => {
        if (mine(f)) setTyping(!!f.on);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [contactId, api, bus, load, upsert]);

  return { messages, customerTyping, loading, error, upsert };
}

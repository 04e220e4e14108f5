// The resumable session, kept in the host page's localStorage per server and widget instance.
import type { Session } from "./protocol";

export interface Saved {
  session: Session;
  language: string;
  email: string | null;
  open: boolean;
  /** The newest message seq the customer has seen (the launcher counts newer agent messages). */
  seen?: number;
  /** The customer has rated this chat (CSAT is asked once). */
  rated?: boolean;
}

export class Store {
  private readonly key: string;

  constructor(base: string, instance: string) {
    this.key = `blendcc.webchat:${base}:${instance}`;
  }

  load(): Saved | null {
    try {
      const raw = window.localStorage.getItem(this.key);
      if (!raw) return null;
      const saved = JSON.parse(raw) as Saved;
      if (!saved.session?.token || !saved.session.session_id) return null;
      const expires = typeof saved.session.expires_at === "number"
        ? saved.session.expires_at * 1000 : Date.parse(String(saved.session.expires_at));
      if (Number.isFinite(expires) && expires < Date.now()) {
        this.clear();
        return null;
      }
      return saved;
    } catch {
      return null; // storage blocked or corrupt: a fresh chat
    }
  }

  save(saved: Saved): void {
    try {
      window.localStorage.setItem(this.key, JSON.stringify(saved));
    } catch {
      // storage blocked (private mode): the chat still works, only not across a reload
    }
  }

  clear(): void {
    try {
      window.localStorage.removeItem(this.key);
    } catch {
      // nothing stored
    }
  }
}

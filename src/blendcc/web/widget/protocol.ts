// The web-chat wire protocol's shapes (docs: the web-chat protocol; server: routes_webchat) and its HTTP calls.

export interface Config {
  instance: string;
  centre_name: string;
  colours: { primary: string; text: string };
  language: string;
  languages: string[];
  topics: { id: string; label: string }[];
  open: boolean;
  closed_reason: string | null;
  max_attachment_bytes: number;
  attachment_types: string[];
  bot: boolean;
}

export interface Attachment {
  id: string;
  name: string;
  media_type: string;
  size: number;
  uri: string;
}

export type Status = "sent" | "delivered" | "read" | null;

export interface Message {
  id: string;
  seq: number;
  direction: "inbound" | "outbound";
  author: { kind: "customer" | "agent" | "bot" | "system"; name: string | null; role?: "supervisor" };
  body: string;
  attachments: Attachment[];
  at: number;
  status: Status;
  client_id: string | null;
}

export type ChatState = "new" | "bot" | "queued" | "connected" | "ended";

export type ServerFrame =
  | { type: "welcome"; session_id: string; contact_id: string | null; state: ChatState; agent: { name: string } | null; messages: Message[]; seq: number }
  | { type: "ack"; client_id: string; message: Message }
  | { type: "message"; message: Message }
  | { type: "status"; message_id: string; status: "delivered" | "read" }
  | { type: "typing"; on: boolean; name: string | null }
  | { type: "queue"; position: number; expected_wait_s: number | null }
  | { type: "agent"; name: string }
  | { type: "state"; state: ChatState }
  | { type: "ended"; by: "customer" | "agent" | "system"; reason: string | null }
  | { type: "error"; code: string; message: string }
  | { type: "pong" };

export interface Session {
  session_id: string;
  token: string;
  expires_at: string | number;
}

export interface PreChat {
  name: string;
  email: string | null;
  phone: string | null;
  topic: string | null;
  language: string | null;
}

/** A refused HTTP call: the status and the project's error body (`{"error": code, "detail": text}`). */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, detail: string) {
    super(detail);
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, credentials: "omit", mode: "cors" });
  if (!res.ok) {
    let code = String(res.status);
    let detail = res.statusText;
    try {
      const body = await res.json();
      code = typeof body.error === "string" ? body.error : (body.error?.code ?? code);
      detail = body.detail ?? body.error?.message ?? detail;
    } catch {
      // not JSON: keep the status line
    }
    throw new HttpError(res.status, code, detail);
  }
  return (res.status === 204 ? null : await res.json()) as T;
}

const JSON_HEADERS = { "Content-Type": "application/json" };

/** The browser's help-centre visit (the help centre's `blendcc_help` cookie, a random id on this site), if any:
 * a chat or offline message started here names it, so the visit is not counted as deflected. */
export function helpSession(cookies: string = typeof document === "undefined" ? "" : document.cookie): string | null {
  const m = /(?:^|;\s*)blendcc_help=(hs-[0-9a-f]{32})(?:;|$)/.exec(cookies);
  return m ? m[1] : null;
}

/** The centre's HTTP side for one widget instance, at the server the script came from. */
export class Api {
  constructor(readonly base: string, readonly instance: string) {}

  private url(path: string): string {
    return `${this.base}${path}`;
  }

  config(): Promise<Config> {
    return call(this.url(`/api/webchat/${encodeURIComponent(this.instance)}/config`), { method: "GET" });
  }

  start(form: PreChat): Promise<Session> {
    return call(this.url(`/api/webchat/${encodeURIComponent(this.instance)}/sessions`),
      { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ...form, help_session: helpSession() }) });
  }

  offline(form: { name: string; email: string; topic: string | null; message: string }): Promise<{ reference: string }> {
    return call(this.url(`/api/webchat/${encodeURIComponent(this.instance)}/offline`),
      { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ...form, help_session: helpSession() }) });
  }

  upload(session: Session, file: File): Promise<Attachment> {
    const form = new FormData();
    form.append("file", file, file.name);
    return call(this.url(`/api/webchat/sessions/${encodeURIComponent(session.session_id)}/attachments`),
      { method: "POST", headers: { Authorization: `Bearer ${session.token}` }, body: form });
  }

  async download(session: Session, attachment: Attachment): Promise<Blob> {
    const url = this.url(`/api/webchat/sessions/${encodeURIComponent(session.session_id)}/attachments/${encodeURIComponent(attachment.id)}`);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${session.token}` }, credentials: "omit", mode: "cors" });
    if (!res.ok) throw new HttpError(res.status, String(res.status), res.statusText);
    return res.blob();
  }

  transcript(session: Session, email: string | null): Promise<unknown> {
    return call(this.url(`/api/webchat/sessions/${encodeURIComponent(session.session_id)}/transcript`),
      { method: "POST", headers: { ...JSON_HEADERS, Authorization: `Bearer ${session.token}` }, body: JSON.stringify({ email }) });
  }

  socketUrl(): string {
    const url = new URL(this.url("/ws/webchat"));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }
}

// The widget's WebSocket to /ws/webchat: hello with the resumable token, automatic reconnect with
// exponential back-off (and at once when the browser comes back online), a keep-alive ping that notices
// a dead network, and an outbox that re-sends every unacknowledged message (by client_id) after a reconnect.
import type { ServerFrame, Session } from "./protocol";

/** Close codes by which the server refuses the session itself (bad or expired token): no reconnect. */
const REFUSED = new Set([4401, 4403, 4404]);
const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

export interface Handlers {
  frame(frame: ServerFrame): void;
  link(up: boolean): void;
  refused(): void;
}

type Outgoing = Record<string, unknown> & { type: string };

export class Connection {
  private ws: WebSocket | null = null;
  private welcomed = false;
  private stopped = false;
  private attempt = 0;
  private lastSeq = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  /** Customer messages sent but not acknowledged yet, in sending order. */
  private readonly outbox = new Map<string, Outgoing>();
  /** Control frames (end, rate) waiting for a live socket. */
  private readonly pendingControl: Outgoing[] = [];

  constructor(private readonly url: string, private readonly session: Session, private readonly on: Handlers) {}

  start(): void {
    window.addEventListener("online", this.online);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.online);
    clearTimeout(this.retryTimer);
    this.stopTimers();
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Send a chat message; it stays in the outbox until the server's ack, and is re-sent after a reconnect. */
  sendMessage(clientId: string, body: string, attachments: string[]): void {
    const frame = { type: "message", client_id: clientId, body, attachments };
    this.outbox.set(clientId, frame);
    this.push(frame);
  }

  /** A frame that must reach the server (end, rate): queued while the socket is down. */
  sendControl(frame: Outgoing): void {
    if (!this.push(frame)) this.pendingControl.push(frame);
  }

  /** A frame worth sending only now (typing, read): dropped while the socket is down. */
  sendVolatile(frame: Outgoing): void {
    this.push(frame);
  }

  pending(): string[] {
    return [...this.outbox.keys()];
  }

  private push(frame: Outgoing): boolean {
    if (this.ws === null || !this.welcomed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private readonly online = (): void => {
    if (this.ws === null && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.open();
    }
  };

  private open(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", session_id: this.session.session_id, token: this.session.token, after: this.lastSeq }));
    };
    ws.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.received(ws, frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcomed = false;
      this.stopTimers();
      if (this.stopped) return;
      if (REFUSED.has(event.code)) {
        this.stopped = true;
        this.on.refused();
        return;
      }
      this.on.link(false);
      this.retry();
    };
  }

  private received(ws: WebSocket, frame: ServerFrame): void {
    clearTimeout(this.pongTimer);
    if (frame.type === "welcome") {
      this.welcomed = true;
      this.attempt = 0;
      for (const m of frame.messages) {
        if (m.client_id) this.outbox.delete(m.client_id);
        this.lastSeq = Math.max(this.lastSeq, m.seq);
      }
      this.on.link(true);
      this.on.frame(frame);
      for (const pending of this.outbox.values()) ws.send(JSON.stringify(pending));
      for (const control of this.pendingControl.splice(0)) ws.send(JSON.stringify(control));
      this.startPing(ws);
      return;
    }
    if (frame.type === "ack") {
      this.outbox.delete(frame.client_id);
      this.lastSeq = Math.max(this.lastSeq, frame.message.seq);
    } else if (frame.type === "message") {
      this.lastSeq = Math.max(this.lastSeq, frame.message.seq);
      if (frame.message.client_id) this.outbox.delete(frame.message.client_id);
    }
    this.on.frame(frame);
  }

  private retry(): void {
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  private startPing(ws: WebSocket): void {
    this.stopTimers();
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: "ping" }));
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => ws.close(4000), PONG_WITHIN_MS); // no answer: the network is gone
    }, PING_EVERY_MS);
  }

  private stopTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}

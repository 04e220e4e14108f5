// A live socket (the desktop's /ws/agent, the console's /ws/supervisor): bearer subprotocol auth as the widget's centre expects
// (docs/security.md, "WebSockets"), token renewal with {type: "auth"} on the open socket, reconnect with
// exponential back-off and jitter (at once when the browser comes back online), and a `snapshot` frame
// after every (re)connect from which the desktop resynchronises. Nothing here polls for data.
import type { Auth } from "./auth";

type Frame = Record<string, unknown>;
type Listener = (frame: Frame) => void;

/** Link states for the banner: connecting (first time), online, reconnecting (lost), refused (wrong role or no agent). */
export type LinkState = "connecting" | "online" | "reconnecting" | "refused";

const MAX_BACKOFF_MS = 30_000;
/** Closes that end the session for good: the wrong role, no agent configured. */
const REFUSED = new Set([4403, 4404]);

export class LiveSocket {
  private ws: WebSocket | null = null;
  private synced = false;
  private stopped = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly linkListeners = new Set<(state: LinkState, detail: string) => void>();
  private unwatchAuth: (() => void) | null = null;
  private state: LinkState = "connecting";

  /** `path`: the socket's path on this origin, e.g. /ws/agent */
  constructor(private readonly auth: Auth, path: string) {
    this.url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
  }

  private readonly url: string;

  get online(): boolean {
    return this.synced;
  }

  get link(): LinkState {
    return this.state;
  }

  start(): void {
    window.addEventListener("online", this.browserOnline);
    // a renewed token goes to the open socket, which would otherwise close when the old one expires
    this.unwatchAuth = this.auth.onChange((s) => {
      if (s && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "auth", token: s.access_token }));
    });
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.browserOnline);
    this.unwatchAuth?.();
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
    this.ws = null;
    this.synced = false;
  }

  on(key: string, fn: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  onLink(fn: (state: LinkState, detail: string) => void): () => void {
    this.linkListeners.add(fn);
    return () => this.linkListeners.delete(fn);
  }

  send(message: Frame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private setLink(state: LinkState, detail = ""): void {
    this.state = state;
    for (const fn of this.linkListeners) fn(state, detail);
  }

  private readonly browserOnline = (): void => {
    if (this.ws === null && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.open();
    }
  };

  private open(): void {
    const token = this.auth.token;
    if (!token) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, ["blendcc.v1", `bearer.${token}`]);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    this.synced = false;
    ws.onmessage = (event) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(event.data)) as Frame;
      } catch {
        return;
      }
      if (frame.stream === "snapshot") {
        this.synced = true;
        this.attempt = 0;
        this.setLink("online");
      }
      this.dispatch(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.synced = false;
      if (this.stopped) return;
      if (REFUSED.has(event.code)) {
        this.stopped = true;
        this.setLink("refused", event.reason);
        return;
      }
      this.setLink("reconnecting", event.reason);
      if (event.code === 4401) {
        // the token no longer verifies: renew it first (the session may be over: then auth signs out)
        void this.auth.refresh().then((ok) => (ok ? this.retry() : undefined));
        return;
      }
      this.retry();
    };
  }

  private dispatch(frame: Frame): void {
    const keys = new Set<string>(["*"]);
    if (typeof frame.type === "string") keys.add(frame.type);
    if (typeof frame.stream === "string") keys.add(frame.stream);
    for (const key of keys) {
      for (const fn of [...(this.listeners.get(key) ?? [])]) {
        try {
          fn(frame);
        } catch (e) {
          console.error("a live frame handler failed", e);
        }
      }
    }
  }

  private retry(): void {
    clearTimeout(this.retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }
}

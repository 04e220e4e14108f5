// A signed-in user's session (desktop, console): sign in with /api/auth/token (TOTP when the server asks), tokens kept in
// sessionStorage (a reload keeps the session, closing the tab ends it), renewed by /api/auth/refresh
// before the access token expires (the refresh token rotates on use), and sign-out.

export interface Session {
  username: string;
  access_token: string;
  refresh_token: string;
  role: string;
  agent_id: string | null;
  /** epoch ms when the access token expires */
  expires_at: number;
}

/** Raised by signIn: the server's error code and message (e.g. totp_required, unauthorized). */
export class SignInError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** renew this long before expiry (or at 80% of a short token's life) */
const RENEW_AHEAD_MS = 60_000;

interface Tokens {
  access_token: string;
  refresh_token: string;
  role: string;
  agent_id: string | null;
  expires_in: number;
}

async function postJson(path: string, body: unknown): Promise<Tokens> {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (!r.ok) {
    throw new SignInError(r.status, String(data.error ?? "http"), String(data.detail ?? r.statusText));
  }
  return data as unknown as Tokens;
}

export class Auth {
  private current: Session | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(s: Session | null) => void>();
  private renewing: Promise<boolean> | null = null;

  /** `key`: the sessionStorage key of this page's session */
  constructor(private readonly key = "blendcc.desk.session") {
    try {
      const raw = sessionStorage.getItem(key);
      this.current = raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      this.current = null;
    }
    if (this.current) this.schedule();
  }

  get session(): Session | null {
    return this.current;
  }

  get token(): string | null {
    return this.current?.access_token ?? null;
  }

  onChange(fn: (s: Session | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async signIn(username: string, password: string, totp?: string): Promise<Session> {
    const body: Record<string, string> = { username, password };
    if (totp) body.totp = totp;
    const t = await postJson("/api/auth/token", body);
    return this.store(username, t);
  }

  /** Adopt a session handed over in the URL fragment (single sign-on's answer, a kiosk's link; see
   *  `takeHandoff`): a refresh token is exchanged at once (it rotates); the user's name comes from /api/auth/me. */
  async adopt(handoff: { token: string; refresh: string }): Promise<Session | null> {
    try {
      const t: Tokens = handoff.refresh
        ? await postJson("/api/auth/refresh", { refresh_token: handoff.refresh })
        : { access_token: handoff.token, refresh_token: "", role: "", agent_id: null, expires_in: 15 * 60 };
      const r = await fetch("/api/auth/me", { headers: { Authorization: `Bearer ${t.access_token}` } });
      if (!r.ok) return null;
      const me = (await r.json()) as { username?: string; role?: string; agent_id?: string | null };
      return this.store(String(me.username ?? ""), { ...t, role: t.role || String(me.role ?? ""), agent_id: t.agent_id ?? me.agent_id ?? null });
    } catch {
      return null;
    }
  }

  /** A fresh access token from the refresh token; false (and signed out) when the session is over. */
  refresh(): Promise<boolean> {
    if (this.renewing) return this.renewing;
    const s = this.current;
    if (!s) return Promise.resolve(false);
    this.renewing = postJson("/api/auth/refresh", { refresh_token: s.refresh_token })
      .then((t) => {
        this.store(s.username, t);
        return true;
      })
      .catch((e: unknown) => {
        if (e instanceof SignInError && e.status >= 400 && e.status < 500) this.clear();
        return false;
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  async signOut(): Promise<void> {
    const token = this.token;
    this.clear();
    if (token) {
      await fetch("/api/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
    }
  }

  private store(username: string, t: Tokens): Session {
    this.current = {
      username,
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      role: t.role,
      agent_id: t.agent_id,
      expires_at: Date.now() + t.expires_in * 1000,
    };
    try {
      sessionStorage.setItem(this.key, JSON.stringify(this.current));
    } catch {
      /* storage full or denied: the session lasts for this page */
    }
    this.schedule();
    this.emit();
    return this.current;
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.current = null;
    try {
      sessionStorage.removeItem(this.key);
    } catch {
      /* nothing stored */
    }
    this.emit();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const s = this.current;
    if (!s) return;
    const left = s.expires_at - Date.now();
    // a minute ahead of expiry; a short-lived token at 80% of its life (never a tight loop)
    const delay = Math.max(1000, left > 2 * RENEW_AHEAD_MS ? left - RENEW_AHEAD_MS : left * 0.8);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.current);
  }
}

/** Tokens handed over in the URL fragment (`#token=...&refresh=...`: the single sign-on callback, a kiosk's
 *  wallboard link), taken out of the address bar at once (`keep`: the fragment left there); null if none. */
export function takeHandoff(keep = ""): { token: string; refresh: string } | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = fragment.get("token") ?? "";
  const refresh = fragment.get("refresh") ?? "";
  if (!token && !refresh) return null;
  history.replaceState(null, "", location.pathname + location.search + keep);
  return { token, refresh };
}

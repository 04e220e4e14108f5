// The REST client of every blendcc page (the `Api` contract): same origin, bearer token, one retry after a
// token refresh on 401, and errors as `ApiError` carrying the server's message (docs: the error model).
import type { Auth } from "./auth";

/** The documented error model of the API: HTTP status and the server's message, shown to the agent. */
export interface ApiError extends Error {
  status: number;
  code: string;
  /** a refused document's problems, each at its field path (`loc`), when the server lists them */
  errors?: FieldProblem[];
}

/** One problem of a refused document: its field path (`["sections", 1, "questions", 0]`) and message. */
export interface FieldProblem { loc: (string | number)[]; msg: string }

/** The REST client (same origin, bearer token, refresh handled inside); rejects with `ApiError`. */
export interface Api {
  get<R>(path: string): Promise<R>;
  post<R>(path: string, body?: unknown): Promise<R>;
  put<R>(path: string, body?: unknown): Promise<R>;
  patch<R>(path: string, body?: unknown): Promise<R>;
  del<R>(path: string): Promise<R>;
  /** multipart upload (attachments) */
  upload<R>(path: string, form: FormData): Promise<R>;
  /** a file's bytes with the bearer token (attachments: shown through blob: URLs) */
  blob?(path: string): Promise<Blob>;
}

export class HttpError extends Error implements ApiError {
  constructor(readonly status: number, readonly code: string, message: string, readonly errors: FieldProblem[] = []) {
    super(message);
    this.name = "ApiError";
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof HttpError;
}

/** The message to show the agent for any failure. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class HttpApi implements Api {
  constructor(private readonly auth: Auth) {}

  get<R>(path: string): Promise<R> {
    return this.request<R>("GET", path);
  }

  post<R>(path: string, body?: unknown): Promise<R> {
    return this.request<R>("POST", path, body);
  }

  put<R>(path: string, body?: unknown): Promise<R> {
    return this.request<R>("PUT", path, body);
  }

  patch<R>(path: string, body?: unknown): Promise<R> {
    return this.request<R>("PATCH", path, body);
  }

  del<R>(path: string): Promise<R> {
    return this.request<R>("DELETE", path);
  }

  upload<R>(path: string, form: FormData): Promise<R> {
    return this.request<R>("POST", path, form);
  }

  async blob(path: string, retried = false): Promise<Blob> {
    const token = this.auth.token;
    const r = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (r.status === 401 && !retried && (await this.auth.refresh())) return this.blob(path, true);
    if (!r.ok) {
      const d = (await r.json().catch(() => ({}))) as Record<string, unknown>;
      throw new HttpError(r.status, String(d.error ?? "http"), String(d.detail ?? r.statusText));
    }
    return r.blob();
  }

  private async request<R>(method: string, path: string, body?: unknown, retried = false): Promise<R> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = this.auth.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let r: Response;
    try {
      r = await fetch(path, { method, headers, body: payload });
    } catch (e) {
      throw new HttpError(0, "network", e instanceof Error ? e.message : "network error");
    }
    if (r.status === 401 && !retried && (await this.auth.refresh())) {
      return this.request<R>(method, path, body, true);
    }
    const text = await r.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!r.ok) {
      const d = (data ?? {}) as Record<string, unknown>;
      const detail = typeof d.detail === "string" ? d.detail : typeof data === "string" && data ? data : r.statusText;
      const errors = Array.isArray(d.errors) ? (d.errors as FieldProblem[]) : [];
      throw new HttpError(r.status, typeof d.error === "string" ? d.error : "http", detail || `HTTP ${r.status}`, errors);
    }
    return data as R;
  }
}

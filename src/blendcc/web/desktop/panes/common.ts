// Helpers shared by the email, voice, outbound and transfer components: API errors shown to the agent,
// one-action-at-a-time state, drafts in localStorage and duration / size formats.
import { formatDuration } from "../../shared/i18n";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ApiError, T } from "../types";

/** The status of a failed API call (0 when the failure was not an HTTP answer). */
export function statusOf(exc: unknown): number {
  const status = (exc as Partial<ApiError> | null)?.status;
  return typeof status === "number" ? status : 0;
}

/** What the agent reads when a call fails: the server's own message (the documented error model), a
 * clear "not available on this server" for a 404 of a route, else a generic line. */
export function errorText(t: T, exc: unknown, missing?: string): string {
  const status = statusOf(exc);
  if (status === 404 && missing) return missing;
  const message = (exc as Partial<ApiError> | null)?.message;
  if (status > 0 && typeof message === "string" && message.trim()) return message;
  if (status === 0) return t("panes.offline");
  return t("panes.error", { status });
}

export interface Action {
  busy: string | null;
  error: string | null;
  setError(text: string | null): void;
  /** run `fn` under the name `what` (one at a time); a failure becomes `error` (404 -> `missing`) */
  run<R>(what: string, fn: () => Promise<R>, missing?: string): Promise<R | undefined>;
}

/** A component's pending action and its last error, with the failure mapped through `errorText`. */
export function useAction(t: T): Action {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  const run = useCallback(async <R,>(what: string, fn: () => Promise<R>, missing?: string) => {
    setBusy(what);
    setError(null);
    try {
      return await fn();
    } catch (exc) {
      if (alive.current) setError(errorText(t, exc, missing));
      return undefined;
    } finally {
      if (alive.current) setBusy(null);
    }
  }, [t]);
  return { busy, error, setError, run };
}

/** JSON kept in localStorage (drafts, the signature); unreadable or missing -> `fallback`. */
export function loadJson<V>(key: string, fallback: V): V {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as V) : fallback;
  } catch {
    return fallback;
  }
}

export function saveJson(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the draft lives in memory only */
  }
}

/** "m:ss" or "h:mm:ss" with the locale's digits (Persian shows Persian digits). */
export function clock(seconds: number, locale: string): string {
  return formatDuration(locale, seconds);
}

/** A byte count as "12 kB" in the locale's digits. */
export function size(bytes: number, locale: string): string {
  const units: [number, string][] = [[1 << 30, "gigabyte"], [1 << 20, "megabyte"], [1 << 10, "kilobyte"]];
  for (const [base, unit] of units) {
    if (bytes >= base) {
      return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(bytes / base);
    }
  }
  return new Intl.NumberFormat(locale, { style: "unit", unit: "byte" }).format(bytes);
}

/** A timestamp (seconds) as the locale's short date and time. */
export function when(at: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(new Date(at * 1000));
}

/** Seconds since the epoch, ticking every second while `on` (a display clock, not polling). */
export function useNow(on = true): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!on) return undefined;
    const timer = window.setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => window.clearInterval(timer);
  }, [on]);
  return now;
}

/** A string attribute of a work item (attributes are free-form). */
export function attr(attributes: Record<string, unknown>, key: string): string | null {
  const v = attributes[key];
  return typeof v === "string" && v ? v : typeof v === "number" ? String(v) : null;
}

// The analytics page's filters in the URL (#/analytics?from=...&to=...&queue_id=...&source=...): local dates on
// the centre's clock, turned into the epoch seconds the analytics APIs take.
import { today } from "../reports/query";

export const SOURCES = ["disposition", "topic"] as const;
export const KEYS = ["from", "to", "queue_id", "source", "by"] as const;
export type Filters = Record<(typeof KEYS)[number], string>;

/** The filters of the URL; without dates the last 7 days up to today. */
export function filtersOf(q: URLSearchParams, timeZone: string): Filters {
  const to = q.get("to") || today(timeZone);
  const from = q.get("from") || addDays(to, -6);
  return { from, to, queue_id: q.get("queue_id") ?? "", source: q.get("source") === "topic" ? "topic" : "disposition",
           by: q.get("by") === "agent" ? "agent" : "queue" };
}

/** Only the filters set (the URL stays short). */
export function urlOf(f: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ""));
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The zone's offset from UTC (seconds) at ``epochS``. */
function offsetAt(epochS: number, timeZone: string): number {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(epochS * 1000));
    const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) / 1000 - epochS;
  } catch {
    return 0;
  }
}

/** Midnight at the start of ``date`` (YYYY-MM-DD) on the centre's clock, in epoch seconds. */
export function midnight(date: string, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`) / 1000;
  const first = utc - offsetAt(utc, timeZone);
  return utc - offsetAt(first, timeZone);
}

/** [start, end) of the filters: from the first day's midnight to the midnight after the last day. */
export function periodOf(f: Filters, timeZone: string): { start: number; end: number; days: number } {
  const start = midnight(f.from, timeZone);
  const end = midnight(addDays(f.to, 1), timeZone);
  return { start, end, days: Math.max(1, Math.round((end - start) / 86400)) };
}

/** start=..&end=..(&queue_id=..) for the analytics APIs. */
export function apiPeriod(f: Filters, timeZone: string, withQueue = true): string {
  const { start, end } = periodOf(f, timeZone);
  const q = new URLSearchParams({ start: String(start), end: String(end) });
  if (withQueue && f.queue_id) q.set("queue_id", f.queue_id);
  return q.toString();
}

/** A day's label (the bucket's start) in the UI language on the centre's clock. */
export function dayLabel(lang: string, epochS: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone }).format(new Date(epochS * 1000));
  } catch {
    return new Date(epochS * 1000).toISOString().slice(5, 10);
  }
}

// A report's query in the URL (#/reports?grain=day&by=queue&from=...&to=...&queue_id=...): what the form edits,
// what POST /api/reports/run takes, and what export links and drill-downs carry.
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";

export const GRAINS = ["interval", "day", "week", "month"] as const;
export const MINUTES = ["15", "30", "60"] as const;
export const DIMENSIONS = ["queue", "channel", "agent", "team", "campaign", "disposition"] as const;
export const FILTERS = ["queue_id", "channel", "agent_id", "team_id", "campaign_id"] as const;
/** the filters each dimension takes (the server refuses the others) */
export const FILTERS_OF: Record<string, readonly string[]> = {
  queue: ["queue_id", "channel"], channel: ["queue_id", "channel"], agent: ["agent_id", "team_id"],
  team: ["team_id"], campaign: ["campaign_id"], disposition: ["queue_id", "channel", "agent_id", "team_id"],
};
/** the dimensions whose rows carry the resolution rate (FCR): they take its repeat window in days */
export const FCR_DIMENSIONS: readonly string[] = ["queue", "channel", "agent", "team"];
export const FCR_DAYS = "7";
/** the URL parameters of a report's query (the chart's KPI and a loaded definition ride along) */
export const QUERY_KEYS = ["grain", "interval_minutes", "by", "from", "to", "fcr_days", ...FILTERS] as const;

export type Query = Record<(typeof QUERY_KEYS)[number], string>;

export interface Column { key: string; kind: "count" | "ratio" | "seconds" | "number" }
export interface Row { period_start: number; period_end: number; period: string; key: string; name: string; [kpi: string]: unknown }
export interface Result { query: Record<string, unknown>; timezone: string; start: number; end: number; columns: Column[]; rows: Row[]; total: Record<string, number | null> }
export interface Saved { id: string; name: string; query: ApiQuery; version: number; at: number; by: string | null }
export interface ApiQuery { grain: string; interval_minutes: number; by: string; from: string; to: string; fcr_days?: number; filters: Record<string, string | null> }

/** Today's date (YYYY-MM-DD) on the centre's clock. */
export function today(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

export function fromUrl(q: URLSearchParams, timeZone: string): Query {
  const d = today(timeZone);
  const out = { grain: "day", interval_minutes: "60", by: "queue", from: d, to: d, fcr_days: FCR_DAYS } as Query;
  for (const k of FILTERS) out[k] = "";
  for (const k of QUERY_KEYS) {
    const v = q.get(k);
    if (v !== null) out[k] = v;
  }
  return out;
}

/** Only the filters that apply to the dimension, and no empty ones. */
export function toUrl(q: Query): Record<string, string> {
  const out: Record<string, string> = { grain: q.grain, by: q.by, from: q.from, to: q.to };
  if (q.grain === "interval") out.interval_minutes = q.interval_minutes;
  if (FCR_DIMENSIONS.includes(q.by) && q.fcr_days && q.fcr_days !== FCR_DAYS) out.fcr_days = q.fcr_days;
  for (const k of FILTERS_OF[q.by] ?? []) {
    const v = q[k as (typeof FILTERS)[number]];
    if (v) out[k] = v;
  }
  return out;
}

export function toApi(q: Query): ApiQuery {
  const filters: Record<string, string> = {};
  for (const k of FILTERS_OF[q.by] ?? []) {
    const v = q[k as (typeof FILTERS)[number]];
    if (v) filters[k] = v;
  }
  return { grain: q.grain, interval_minutes: Number(q.interval_minutes) || 60, by: q.by, from: q.from, to: q.to,
    fcr_days: Number(q.fcr_days) || Number(FCR_DAYS), filters };
}

export function fromApi(a: ApiQuery): Record<string, string> {
  const q = { grain: a.grain, interval_minutes: String(a.interval_minutes), by: a.by, from: a.from, to: a.to,
    fcr_days: String(a.fcr_days ?? FCR_DAYS) } as Query;
  for (const k of FILTERS) q[k] = a.filters?.[k] ?? "";
  return toUrl(q);
}

/** Whether the URL names a whole query (then the report runs). */
export function complete(q: URLSearchParams): boolean {
  return ["grain", "by", "from", "to"].every((k) => q.get(k));
}

/** A figure in its kind: counts as integers, ratios as percents, seconds as durations, means with 2 digits. */
export function figure(lang: string, kind: string, v: unknown): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  if (kind === "ratio") return percentOrDash(lang, v, 1);
  if (kind === "seconds") return formatDuration(lang, v);
  if (kind === "number") return formatNumber(lang, v, 2);
  return formatNumber(lang, v, 0);
}

/** A period's start in the UI language, on the centre's clock, as precise as the grain. */
export function periodLabel(lang: string, grain: string, epochS: number, timeZone: string, fallback: string): string {
  const opts: Intl.DateTimeFormatOptions = grain === "interval" ? { dateStyle: "short", timeStyle: "short" }
    : grain === "month" ? { year: "numeric", month: "long" } : { dateStyle: "medium" };
  try {
    return new Intl.DateTimeFormat(lang, { ...opts, timeZone }).format(new Date(epochS * 1000));
  } catch {
    return fallback;
  }
}

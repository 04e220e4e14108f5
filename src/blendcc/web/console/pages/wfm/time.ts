// Times of the WFM pages: an ISO interval start as a short label, and a local day's bounds in the centre's zone.

/** "2024-01-15T10:00:00+01:00" -> a short day-and-time label in the UI language (the centre's zone). */
export function slotLabel(lang: string, iso: string, timeZone: string, withDay = true): string {
  const opts: Intl.DateTimeFormatOptions = withDay
    ? { weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
    : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(lang, { ...opts, timeZone }).format(new Date(iso));
  } catch {
    return iso.slice(5, 16).replace("T", " ");
  }
}

/** The offset of `timeZone` from UTC at `epochMs`, in milliseconds. */
function offsetMs(timeZone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(epochMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch seconds of local midnight of `day` (YYYY-MM-DD) in `timeZone`. */
export function midnight(day: string, timeZone: string): number {
  const [y, m, d] = day.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMs(timeZone, guess);
  t = guess - offsetMs(timeZone, t);
  return t / 1000;
}

/** [start, end) epoch seconds of a local day. */
export function dayBounds(day: string, timeZone: string): [number, number] {
  const [y, m, d] = day.split("-").map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return [midnight(day, timeZone), midnight(next, timeZone)];
}

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function today(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** A CSV text as objects keyed by its header (comma, semicolon or tab; numbers stay strings). */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim());
  if (!lines.length) return [];
  const sep = [",", ";", "\t"].sort((a, b) => lines[0].split(b).length - lines[0].split(a).length)[0];
  const head = lines[0].split(sep).map((h) => h.trim());
  return lines.slice(1).map((l) => {
    const cells = l.split(sep);
    return Object.fromEntries(head.map((h, i) => [h, (cells[i] ?? "").trim()]));
  });
}

/** The staffing plan the forecast page made last (the schedule page starts from it). */
export const PLAN_KEY = "blendcc.console.wfm.plan";

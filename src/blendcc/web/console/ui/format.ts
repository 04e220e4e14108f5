// Figures and times on the console: the UI language's digits, the centre's time zone for dates.
import { numberFormat } from "../../shared/i18n";

export { formatDuration, formatNumber, formatPercent } from "../../shared/i18n";

/** A date and time in the centre's time zone. */
export function formatWhen(lang: string, epochS: number, timeZone: string, withDate = true): string {
  const opts: Intl.DateTimeFormatOptions = withDate ? { dateStyle: "medium", timeStyle: "short" } : { timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(lang, { ...opts, timeZone }).format(new Date(epochS * 1000));
  } catch {
    return new Intl.DateTimeFormat(lang, { ...opts, timeZone: "UTC" }).format(new Date(epochS * 1000));
  }
}

/** A ratio as a percent, or a dash when there is nothing to measure. */
export function percentOrDash(lang: string, ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return numberFormat(lang, { style: "percent", maximumFractionDigits: digits }).format(ratio);
}

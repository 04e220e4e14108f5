// Locale formats shared by the widget and the desktop (the caller passes a supported language code).

/** A byte size for people: "2 MB", "1.5 KB", in the language's own digits. */
export function bytes(locale: string, n: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value >= 10 || unit === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** A clock time (hours and minutes) of an epoch-seconds instant. */
export function clockTime(locale: string, epochS: number): string {
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(epochS * 1000));
}

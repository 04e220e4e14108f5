// Message catalogues of a page (desktop, console): <area>.<lang>.json files merged per language; lookups
// fall back to English, then to the key itself; the remembered language; <html lang dir>; Intl formats.
import { bytes, clockTime } from "./format";

/** Looks a message up by key, filling {name} placeholders. */
export type T = (key: string, vars?: Record<string, string | number>) => string;
type Catalogue = Record<string, string>;

const ORDER = ["en", "pl", "ru", "zh", "fa"];
const RTL = new Set(["fa", "ar", "he", "ur"]);

export class Catalogues {
  private readonly cats: Record<string, Catalogue> = {};
  /** The languages offered in the picker, in this order. */
  readonly languages: string[];

  /** `files`: the result of import.meta.glob over the page's catalogue folder; `storeKey`: localStorage key. */
  constructor(files: Record<string, Catalogue>, private readonly storeKey: string) {
    for (const [path, cat] of Object.entries(files)) {
      const m = /([A-Za-z0-9_-]+)\.([a-z]{2,3})\.json$/.exec(path);
      if (m) this.cats[m[2]] = { ...(this.cats[m[2]] ?? {}), ...cat };
    }
    this.languages = ORDER.filter((l) => l in this.cats);
  }

  supported(wanted: string | null | undefined): string {
    if (!wanted) return "en";
    const code = wanted.toLowerCase();
    if (code in this.cats) return code;
    const base = code.split("-")[0];
    return base in this.cats ? base : "en";
  }

  /** The remembered language, else the browser's, else English. */
  initial(): string {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(this.storeKey);
    } catch {
      stored = null;
    }
    return this.supported(stored ?? navigator.language);
  }

  remember(lang: string): void {
    try {
      localStorage.setItem(this.storeKey, lang);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
  }

  name(lang: string): string {
    return this.cats[this.supported(lang)]?.["lang.name"] ?? lang;
  }

  translator(lang: string): T {
    const cat = this.cats[this.supported(lang)] ?? {};
    const en = this.cats.en ?? {};
    return (key, vars) => {
      let text = cat[key] ?? en[key] ?? key;
      if (vars) {
        for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
      }
      return text;
    };
  }
}

export function direction(lang: string): "rtl" | "ltr" {
  return RTL.has(lang.toLowerCase().split("-")[0]) ? "rtl" : "ltr";
}

/** Sets <html lang dir> so the whole page (and the logical CSS properties) follow the language. */
export function applyDocumentLanguage(lang: string): void {
  document.documentElement.lang = lang;
  document.documentElement.dir = direction(lang);
}

// ------------------------------------------------------------------ formats (Intl, the locale's digits)

const numberFormats = new Map<string, Intl.NumberFormat>();

/** One Intl.NumberFormat per language and options, made once: making one costs far more than using it
 * (a live board formats thousands of figures a second). */
export function numberFormat(lang: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(lang, options);
    numberFormats.set(key, nf);
  }
  return nf;
}

export function formatNumber(lang: string, n: number, digits = 0): string {
  return numberFormat(lang, { maximumFractionDigits: digits }).format(n);
}

export function formatPercent(lang: string, ratio: number, digits = 0): string {
  return numberFormat(lang, { style: "percent", maximumFractionDigits: digits }).format(ratio);
}

/** A duration as m:ss or h:mm:ss, in the language's digits. */
export function formatDuration(lang: string, seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const nf = numberFormat(lang, { minimumIntegerDigits: 2, useGrouping: false });
  const n1 = numberFormat(lang, { useGrouping: false });
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${n1.format(h)}:${nf.format(m)}:${nf.format(sec)}` : `${n1.format(m)}:${nf.format(sec)}`;
}

export function formatTime(lang: string, epochS: number): string {
  return clockTime(lang, epochS);
}

/** A date and time; `timeZone` (IANA) when given, e.g. the centre's, else the browser's. */
export function formatDateTime(lang: string, epochS: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) })
    .format(new Date(epochS * 1000));
}

export function formatBytes(lang: string, n: number): string {
  return bytes(lang, n);
}

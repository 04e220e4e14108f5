// The widget's message catalogues (web/i18n/*.json, bundled) and the lookup with {placeholder} filling.
import { bytes, clockTime } from "../shared/format";
import en from "../i18n/en.json";
import fa from "../i18n/fa.json";
import pl from "../i18n/pl.json";
import ru from "../i18n/ru.json";
import zh from "../i18n/zh.json";

export type Key = keyof typeof en;
type Catalogue = Record<Key, string>;

const CATALOGUES: Record<string, Catalogue> = { en, pl, ru, zh, fa };
const RTL = new Set(["fa", "ar", "he", "ur"]);

export type Translate = (key: Key, params?: Record<string, string | number>) => string;

/** The supported language closest to `wanted` ("pt-BR" -> "pt" -> English). */
export function supported(wanted: string | null | undefined): string {
  if (!wanted) return "en";
  const code = wanted.toLowerCase();
  if (code in CATALOGUES) return code;
  const base = code.split("-")[0];
  return base in CATALOGUES ? base : "en";
}

export function languageName(lang: string): string {
  return CATALOGUES[supported(lang)].lang_name;
}

export function isKnown(lang: string): boolean {
  return lang.toLowerCase() in CATALOGUES;
}

export function direction(lang: string): "rtl" | "ltr" {
  return RTL.has(supported(lang)) ? "rtl" : "ltr";
}

/** A translator for one language; a key missing in that catalogue falls back to English. */
export function translator(lang: string): Translate {
  const cat = CATALOGUES[supported(lang)];
  return (key, params) => {
    let text = cat[key] ?? en[key] ?? key;
    if (params) {
      for (const [name, value] of Object.entries(params)) {
        text = text.split(`{${name}}`).join(String(value));
      }
    }
    return text;
  };
}

/** Numbers in the language's own digits (Persian shows ۳, not 3). */
export function formatNumber(lang: string, n: number): string {
  return new Intl.NumberFormat(supported(lang)).format(n);
}

/** A byte size for people: "2 MB", in the language's digits. */
export function formatBytes(lang: string, n: number): string {
  return bytes(supported(lang), n);
}

export function formatTime(lang: string, epochS: number): string {
  return clockTime(supported(lang), epochS);
}

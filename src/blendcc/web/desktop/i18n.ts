// The desktop's message catalogues: every web/i18n/desktop/<area>.<lang>.json (shell, panes, phone...)
// merged per language at build time (shared/i18n.ts); formats in the supported language's digits.
import * as base from "../shared/i18n";

const FILES = import.meta.glob<Record<string, string>>("../i18n/desktop/*.json", { eager: true, import: "default" });
export const catalogues = new base.Catalogues(FILES, "blendcc.desk.lang");

export const LANGUAGES = catalogues.languages;
export const supported = (wanted: string | null | undefined) => catalogues.supported(wanted);
export const initialLanguage = () => catalogues.initial();
export const rememberLanguage = (lang: string) => catalogues.remember(lang);
export const languageName = (lang: string) => catalogues.name(lang);
export const translator = (lang: string) => catalogues.translator(lang);
export const direction = (lang: string) => base.direction(supported(lang));
export const applyDocumentLanguage = base.applyDocumentLanguage;
export const formatNumber = (lang: string, n: number, digits = 0) => base.formatNumber(supported(lang), n, digits);
export const formatPercent = (lang: string, ratio: number) => base.formatPercent(supported(lang), ratio);
export const formatDuration = (lang: string, seconds: number) => base.formatDuration(supported(lang), seconds);
export const formatTime = (lang: string, epochS: number) => base.formatTime(supported(lang), epochS);
export const formatDateTime = (lang: string, epochS: number) => base.formatDateTime(supported(lang), epochS);
export const formatBytes = (lang: string, n: number) => base.formatBytes(supported(lang), n);

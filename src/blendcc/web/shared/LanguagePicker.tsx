// The language picker (the catalogues' own names for their languages).
import type { Catalogues, T } from "./i18n";

export function LanguagePicker({ lang, t, catalogues, onChange }: {
  lang: string; t: T; catalogues: Catalogues; onChange(lang: string): void;
}) {
  return (
    <label class="lang-picker">
      <span class="sr-only">{t("lang.label")}</span>
      <select value={lang} aria-label={t("lang.label")} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {catalogues.languages.map((l) => (
          <option key={l} value={l} lang={l}>{catalogues.name(l)}</option>
        ))}
      </select>
    </label>
  );
}

// The report's query: grain (and the interval's minutes), dimension, local dates and the dimension's filters.
import { useEffect, useRef, useState } from "preact/hooks";
import type { PageProps } from "../../types";
import { DIMENSIONS, FCR_DIMENSIONS, FILTERS_OF, GRAINS, MINUTES, toUrl, type Query } from "./query";

export function ReportForm({ t, ctx, route, navigate, query }: PageProps & { query: Query }) {
  const [draft, setDraft] = useState<Query>(query);
  // a new URL (a saved report opened, back/forward) replaces the draft; mounting does not (an early edit stays)
  const shown = useRef(route.query.toString());
  useEffect(() => {
    const now = route.query.toString();
    if (now !== shown.current) {
      shown.current = now;
      setDraft(query);
    }
  }, [route.query.toString()]);
  const set = (k: keyof Query) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const run = (e: Event) => {
    e.preventDefault();
    const kpi = route.query.get("kpi");
    const def = route.query.get("def");
    navigate("reports", { ...toUrl(draft), ...(kpi ? { kpi } : {}), ...(def ? { def } : {}) });
  };
  return (
    <form class="filters rep-form" onSubmit={run} aria-label={t("rep.form")}>
      <label class="field"><span>{t("rep.grain")}</span>
        <select name="grain" value={draft.grain} onChange={set("grain")}>
          {GRAINS.map((g) => <option key={g} value={g}>{t(`rep.grain.${g}`)}</option>)}
        </select></label>
      {draft.grain === "interval" && (
        <label class="field"><span>{t("rep.minutes")}</span>
          <select name="interval_minutes" value={draft.interval_minutes} onChange={set("interval_minutes")}>
            {MINUTES.map((m) => <option key={m} value={m}>{t("rep.minutes_n", { n: m })}</option>)}
          </select></label>
      )}
      <label class="field"><span>{t("rep.by")}</span>
        <select name="by" value={draft.by} onChange={set("by")}>
          {DIMENSIONS.map((d) => <option key={d} value={d}>{t(`rep.by.${d}`)}</option>)}
        </select></label>
      <label class="field"><span>{t("rep.from")}</span>
        <input type="date" name="from" required value={draft.from} onInput={set("from")} /></label>
      <label class="field"><span>{t("rep.to")}</span>
        <input type="date" name="to" required value={draft.to} onInput={set("to")} /></label>
      {(FILTERS_OF[draft.by] ?? []).map((f) => (
        <label key={f} class="field"><span>{t(`rep.filter.${f}`)}</span>
          <input name={f} value={draft[f as keyof Query]} onInput={set(f as keyof Query)} size={10}
                 placeholder={t("rep.filter.any")} /></label>
      ))}
      {FCR_DIMENSIONS.includes(draft.by) && (
        <label class="field"><span>{t("rep.fcr_days")}</span>
          <input type="number" name="fcr_days" min={1} max={90} step={1} required value={draft.fcr_days}
                 onInput={set("fcr_days")} size={4} /></label>
      )}
      <p class="rep-tz muted">{t("rep.tz", { tz: ctx.timezone })}</p>
      <button type="submit" class="btn primary">{t("rep.run")}</button>
    </form>
  );
}

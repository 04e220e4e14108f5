// The sampling queue: per agent and week N contacts picked by the seeded rule plus every flagged one, with why
// each was picked and its automatic signals; already-evaluated contacts marked.
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { addDays, midnight } from "../analytics/query";
import { today } from "../reports/query";
import type { Evaluation, SamplePick } from "./types";

export function SampleQueue({ api, t, lang, ctx, route, navigate }: PageProps) {
  const to = route.query.get("to") || today(ctx.timezone);
  const from = route.query.get("from") || addDays(to, -6);
  const per = route.query.get("per_agent") || "2";
  const [draft, setDraft] = useState({ from, to, per_agent: per });
  useEffect(() => setDraft({ from, to, per_agent: per }), [from, to, per]);
  const start = midnight(from, ctx.timezone);
  const end = midnight(addDays(to, 1), ctx.timezone);
  const loaded = useLoad(() => Promise.all([
    api.get<SamplePick[]>(`/api/qa/sample?start=${start}&end=${end}&per_agent=${per}`),
    api.get<Evaluation[]>(`/api/qa/evaluations?start=${start}&end=${end}&limit=1000`)]), [start, end, per]);
  const [picks, done] = loaded.data ?? [null, []];
  const evaluated = new Set(done.filter((e) => !e.calibration_id).map((e) => e.contact_id));
  const set = (k: string) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const columns: Column<SamplePick>[] = [
    { key: "contact_id", label: t("qa.contact"), header: true, sort: (p) => p.contact_id,
      cell: (p) => <a href={hrefOf(`qa/evaluate/${encodeURIComponent(p.contact_id)}`)}>{p.contact_id}</a> },
    { key: "agent_id", label: t("qa.agent"), sort: (p) => p.agent_id },
    { key: "week", label: t("qa.week"), sort: (p) => p.week },
    { key: "reasons", label: t("qa.why"), sort: (p) => p.reasons.join(","), cell: (p) => p.reasons.map((r) => t(`qa.reason.${r}`)).join(", ") },
    { key: "signals", label: t("qa.signals"), sort: (p) => p.signals.length,
      cell: (p) => (p.signals.length ? <ul class="qa-sigs">{p.signals.map((s) => <li key={s.kind + s.detail} title={s.detail}>{t(`an.signal.${s.kind}`)}</li>)}</ul> : "–") },
    { key: "done", label: t("qa.evaluated"), sort: (p) => (evaluated.has(p.contact_id) ? 1 : 0),
      cell: (p) => (evaluated.has(p.contact_id) ? t("qa.yes") : "–") },
  ];
  return (
    <>
      <form class="filters an-filters" aria-label={t("qa.filters")} onSubmit={(e) => { e.preventDefault(); navigate("qa", draft); }}>
        <label class="field"><span>{t("an.from")}</span><input type="date" required value={draft.from} onInput={set("from")} /></label>
        <label class="field"><span>{t("an.to")}</span><input type="date" required value={draft.to} onInput={set("to")} /></label>
        <label class="field"><span>{t("qa.per_agent")}</span>
          <input type="number" min={0} max={100} required value={draft.per_agent} onInput={set("per_agent")} /></label>
        <button type="submit" class="btn primary">{t("an.apply")}</button>
      </form>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {picks && (
        <Table caption={t("qa.queue_caption")} rows={picks} columns={columns} t={t} lang={lang} rowKey={(p) => p.contact_id}
               initialSort="week" empty={t("qa.queue_empty")} />
      )}
    </>
  );
}

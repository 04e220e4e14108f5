// A calibration session (#/qa/calibrations/<id>, shared with the evaluators): each evaluator's score, the spread
// overall and per question (min, max, standard deviation), and the link to score the contact.
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import type { CalibrationReport, ScorecardOut, Spread } from "./types";

export function CalibrationView({ api, t, lang, ctx, id }: PageProps & { id: string }) {
  const loaded = useLoad(async () => {
    const r = await api.get<CalibrationReport>(`/api/qa/calibrations/${encodeURIComponent(id)}`);
    const card = await api.get<ScorecardOut>(`/api/qa/scorecards/${encodeURIComponent(r.session.scorecard_id)}?version=${r.session.scorecard_version}`);
    return { r, card };
  }, [id]);
  const pct = (v: number | null) => percentOrDash(lang, v, 1);
  const text = Object.fromEntries((loaded.data?.card.document.sections ?? []).flatMap((s) => s.questions.map((q) => [q.id, q.text])));
  const mine = loaded.data?.r.scores.some((s) => s.evaluator === ctx.username);
  const spreadCols = <R extends Spread>(): Column<R>[] => [
    { key: "n", label: t("qa.n"), numeric: true, sort: (s) => s.n, cell: (s) => formatNumber(lang, s.n) },
    { key: "min", label: t("qa.min"), numeric: true, sort: (s) => s.min, cell: (s) => pct(s.min) },
    { key: "max", label: t("qa.max"), numeric: true, sort: (s) => s.max, cell: (s) => pct(s.max) },
    { key: "stdev", label: t("qa.stdev"), numeric: true, sort: (s) => s.stdev, cell: (s) => pct(s.stdev) },
  ];
  const r = loaded.data?.r;
  return (
    <section class="qa rep" aria-labelledby="qa-cal-h">
      <p><a href={hrefOf("qa/calibrations")}>{t("qa.back")}</a></p>
      <h1 id="qa-cal-h">{t("qa.calibration_h", { id: r?.session.contact_id ?? "" })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {r && (
        <>
          <p class="muted">{t("qa.calibration_about", { card: loaded.data?.card.document.name ?? r.session.scorecard_id, by: r.session.created_by })}</p>
          {!mine && (
            <p><a class="btn primary" href={hrefOf(`qa/evaluate/${encodeURIComponent(r.session.contact_id)}`,
              { calibration: r.session.id, scorecard: r.session.scorecard_id, version: String(r.session.scorecard_version) })}>{t("qa.score_it")}</a></p>
          )}
          <dl class="rep-totals">
            <div><dt>{t("qa.evaluations")}</dt><dd>{formatNumber(lang, r.evaluations)}</dd></div>
            <div><dt>{t("qa.min")}</dt><dd>{pct(r.overall.min)}</dd></div>
            <div><dt>{t("qa.max")}</dt><dd>{pct(r.overall.max)}</dd></div>
            <div><dt>{t("qa.stdev")}</dt><dd>{pct(r.overall.stdev)}</dd></div>
          </dl>
          <Table caption={t("qa.cal_scores")} rows={r.scores} t={t} lang={lang} rowKey={(s) => s.evaluation_id}
                 empty={t("qa.cal_none")} columns={[
                   { key: "evaluator", label: t("qa.evaluator"), header: true, sort: (s) => s.evaluator },
                   { key: "score", label: t("qa.score"), numeric: true, sort: (s) => s.score,
                     cell: (s) => `${pct(s.score)}${s.auto_failed ? ` · ${t("qa.auto_failed")}` : ""}` }]} />
          <Table caption={t("qa.cal_questions")} rows={r.questions} t={t} lang={lang} rowKey={(s) => s.question_id}
                 initialSort="stdev" initialDir="desc" columns={[
                   { key: "question_id", label: t("qa.question"), header: true, sort: (s) => s.question_id,
                     cell: (s) => <span dir="auto">{text[s.question_id] ?? s.question_id}</span> },
                   ...spreadCols<CalibrationReport["questions"][number]>()]} />
        </>
      )}
    </section>
  );
}

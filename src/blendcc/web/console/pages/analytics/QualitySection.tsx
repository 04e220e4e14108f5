// Quality and satisfaction of the period: the mean QA score per agent (bars, evaluations counted) and the
// survey figures (CSAT top-two-box, NPS, CES mean, response rate) of the centre or the chosen queue.
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { apiPeriod, type Filters } from "./query";

interface Score { key: string; evaluations: number; mean_score: number }
interface SurveyRow { survey: string; invited: number; answers: number; low_answers: number; response_rate: number | null;
                      mean: number | null; csat?: number | null; nps?: number | null; [group: string]: unknown }

export function QualitySection({ api, t, lang, ctx, filters }: PageProps & { filters: Filters }) {
  const period = apiPeriod(filters, ctx.timezone, false);
  const group = filters.queue_id ? "queue" : "all";
  const loaded = useLoad(() => Promise.all([
    api.get<{ rows: Score[] }>(`/api/qa/scores?${period}&by=agent`),
    api.get<{ rows: SurveyRow[] }>(`/api/reports/surveys?${period}&group=${group}`)]), [period, group]);
  const pct = (v: number | null | undefined) => percentOrDash(lang, v ?? null);
  const [scores, surveys] = loaded.data ?? [null, null];
  const mine = (surveys?.rows ?? []).filter((r) => group === "all" || r.queue === filters.queue_id);
  const columns: Column<Score>[] = [
    { key: "key", label: t("an.by.agent"), header: true, sort: (s) => s.key },
    { key: "evaluations", label: t("an.evaluations"), numeric: true, sort: (s) => s.evaluations, cell: (s) => formatNumber(lang, s.evaluations) },
    { key: "mean_score", label: t("an.qa_score"), numeric: true, sort: (s) => s.mean_score, cell: (s) => pct(s.mean_score) },
  ];
  return (
    <section aria-labelledby="an-qa-h" class="an-block">
      <h2 id="an-qa-h">{t("an.quality_h")}</h2>
      <p class="an-qa-links"><a href={hrefOf("qa")}>{t("qa.link_queue")}</a> · <a href={hrefOf("qa/evaluations")}>{t("qa.link_list")}</a> · <a href={hrefOf("qa/disputes")}>{t("qa.link_disputes")}</a></p>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {scores && scores.rows.length > 0 && (
        <Chart title={t("an.qa_title")} labels={scores.rows.map((s) => s.key)} yMax={1} t={t} format={pct}
               series={[{ name: t("an.qa_score"), kind: "bar", values: scores.rows.map((s) => s.mean_score) }]} />
      )}
      {scores && (
        <Table caption={t("an.qa_caption")} rows={scores.rows} columns={columns} t={t} lang={lang}
               rowKey={(s) => s.key} initialSort="mean_score" initialDir="desc" empty={t("an.no_evaluations")} />
      )}
      <h3 class="rep-total-h">{filters.queue_id ? t("an.surveys_queue_h", { queue: filters.queue_id }) : t("an.surveys_h")}</h3>
      {surveys && mine.length === 0 && <p class="muted">{t("an.no_surveys")}</p>}
      {mine.length > 0 && (
        <dl class="rep-totals an-surveys">
          {mine.map((r) => (
            <div key={r.survey}>
              <dt>{t(`an.survey.${r.survey}`)}</dt>
              <dd>{r.survey === "csat" ? pct(r.csat) : r.survey === "nps" ? (r.nps == null ? "–" : formatNumber(lang, r.nps, 0)) : (r.mean == null ? "–" : formatNumber(lang, r.mean, 1))}</dd>
              <dd class="muted an-sub">{t("an.survey_detail", { answers: formatNumber(lang, r.answers), invited: formatNumber(lang, r.invited), rate: pct(r.response_rate) })}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

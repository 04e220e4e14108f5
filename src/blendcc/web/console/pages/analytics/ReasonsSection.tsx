// Contact reasons of the period: the Pareto (share bars and the cumulative share line, the vital few marked),
// each reason a link to its contacts, and the top reasons' contacts per day (per week over long periods).
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { apiPeriod, dayLabel, periodOf, urlOf, type Filters } from "./query";

interface ParetoRow { reason: string; count: number; share: number; cumulative: number; vital_few: boolean }
interface Pareto { contacts: number; tagged: number; untagged: number; cut: number; rows: ParetoRow[] }
interface Trend { buckets: number[]; bucket_s: number; series: { reason: string; counts: number[]; total: number }[] }

const CHART_REASONS = 15;

export function ReasonsSection({ api, t, lang, ctx, filters }: PageProps & { filters: Filters }) {
  const period = apiPeriod(filters, ctx.timezone);
  const bucket = periodOf(filters, ctx.timezone).days > 31 ? "week" : "day";
  const key = `${period}&source=${filters.source}`;
  const loaded = useLoad(() => Promise.all([
    api.get<Pareto>(`/api/analytics/reasons?${key}`),
    api.get<Trend>(`/api/analytics/reasons/trend?${key}&bucket=${bucket}&top=5`)]), [key]);
  const pct = (v: number) => percentOrDash(lang, v);
  const link = (reason: string) => hrefOf("analytics/contacts", { ...urlOf(filters), reason });
  const columns: Column<ParetoRow>[] = [
    { key: "reason", label: t("an.reason"), header: true, sort: (r) => r.reason,
      cell: (r) => <a href={link(r.reason)} dir="auto">{r.reason}</a> },
    { key: "count", label: t("an.contacts"), numeric: true, sort: (r) => r.count, cell: (r) => formatNumber(lang, r.count) },
    { key: "share", label: t("an.share"), numeric: true, sort: (r) => r.share, cell: (r) => pct(r.share) },
    { key: "cumulative", label: t("an.cumulative"), numeric: true, sort: (r) => r.cumulative, cell: (r) => pct(r.cumulative) },
    { key: "vital_few", label: t("an.vital_few"), sort: (r) => (r.vital_few ? 0 : 1), cell: (r) => (r.vital_few ? t("an.yes") : "") },
  ];
  const [pareto, trend] = loaded.data ?? [null, null];
  const top = pareto?.rows.slice(0, CHART_REASONS) ?? [];
  return (
    <section aria-labelledby="an-reasons-h" class="an-block">
      <h2 id="an-reasons-h">{t("an.reasons_h")}</h2>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {pareto && (
        <>
          <p class="muted">{t("an.reasons_summary", { contacts: formatNumber(lang, pareto.contacts),
                                                      tagged: formatNumber(lang, pareto.tagged), cut: pct(pareto.cut) })}</p>
          {top.length > 0 && (
            <Chart title={t("an.pareto_title")} labels={top.map((r) => r.reason)} yMax={1} t={t} format={pct}
                   series={[{ name: t("an.share"), kind: "bar", values: top.map((r) => r.share) },
                            { name: t("an.cumulative"), kind: "line", values: top.map((r) => r.cumulative) }]} />
          )}
          <Table caption={t("an.reasons_caption")} rows={pareto.rows} columns={columns} t={t} lang={lang}
                 rowKey={(r) => r.reason} initialSort="count" initialDir="desc" empty={t("an.no_reasons")}
                 rowClass={(r) => (r.vital_few ? "an-vital" : "")} />
        </>
      )}
      {trend && trend.series.length > 0 && (
        <Chart title={t(`an.trend_title.${bucket}`)} labels={trend.buckets.map((b) => dayLabel(lang, b, ctx.timezone))} t={t}
               format={(v) => formatNumber(lang, v, Number.isInteger(v) ? 0 : 1)}
               series={trend.series.map((s) => ({ name: s.reason, kind: "line" as const, values: s.counts }))} />
      )}
    </section>
  );
}

// A report's figures: the period and time zone, export buttons, a chart of one KPI, the table (every figure
// links to the contacts behind it) and the totals.
import { useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { Chart, type Series } from "../../ui/Chart";
import { Table, type Column as TableColumn } from "../../ui/Table";
import { download } from "../../ui/download";
import { formatNumber } from "../../ui/format";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { Pareto } from "./Pareto";
import { figure, periodLabel, toUrl, type Query, type Result, type Row } from "./query";

const MAX_SERIES = 6;

export function ReportResult({ api, t, lang, route, navigate, query, result }: PageProps & { query: Query; result: Result }) {
  const [error, setError] = useState("");
  const cols = result.columns;
  const kpi = cols.find((c) => c.key === route.query.get("kpi")) ?? cols[0];
  const url = toUrl(query);
  const label = (k: string) => t(`rep.kpi.${k}`);
  const save = (format: "csv" | "xlsx") => {
    setError("");
    const name = `report-${query.by}-${query.grain}-${query.from}-${query.to}.${format}`;
    download(api, `/api/reports/export?${new URLSearchParams({ format, ...url })}`, name).catch((e) => setError(errorText(e)));
  };
  const shown = (r: Row) => periodLabel(lang, query.grain, r.period_start, result.timezone, r.period);
  const periods = [...new Map(result.rows.map((r) => [r.period_start, shown(r)])).entries()].sort((a, b) => a[0] - b[0]);
  const keys = [...new Map(result.rows.map((r) => [r.key, r.name])).entries()]
    .sort((a, b) => a[1].localeCompare(b[1], lang, { numeric: true })).slice(0, MAX_SERIES);
  const series: Series[] = keys.map(([k, name]) => ({
    name, kind: kpi.kind === "count" ? "bar" : "line",
    values: periods.map(([p]) => {
      const v = result.rows.find((r) => r.key === k && r.period_start === p)?.[kpi.key];
      return typeof v === "number" ? v : null;
    }),
  }));
  const drill = (r: Row, k: string) => hrefOf("reports/contacts", { ...url, key: r.key, period_start: String(r.period_start), kpi: k });
  const columns: TableColumn<Row>[] = [
    { key: "period", label: t("rep.period"), sort: (r) => r.period_start, cell: (r) => shown(r) },
    { key: "name", label: t(`rep.by.${query.by}`), sort: (r) => r.name, header: true },
    ...cols.map((c): TableColumn<Row> => ({
      key: c.key, label: label(c.key), numeric: true,
      sort: (r) => (typeof r[c.key] === "number" ? (r[c.key] as number) : null),
      cell: (r) => (typeof r[c.key] === "number"
        ? <a href={drill(r, c.key)} title={t("rep.drill_title", { kpi: label(c.key), name: r.name, period: shown(r) })}>{figure(lang, c.kind, r[c.key])}</a>
        : "–"),
    })),
  ];
  return (
    <div class="rep-result">
      <p class="rep-summary">{t("rep.summary", { from: query.from, to: query.to, tz: result.timezone, n: formatNumber(lang, result.rows.length) })}</p>
      <div class="rep-actions">
        <button type="button" class="btn" onClick={() => save("csv")}>{t("rep.export_csv")}</button>
        <button type="button" class="btn" onClick={() => save("xlsx")}>{t("rep.export_xlsx")}</button>
{query.by !== "disposition" && (
                <label class="field"><span>{t("rep.chart_kpi")}</span>
          <select value={kpi.key} onChange={(e) => navigate(route.path, { ...Object.fromEntries(route.query.entries()), kpi: (e.currentTarget as HTMLSelectElement).value })}>
            {cols.map((c) => <option key={c.key} value={c.key}>{label(c.key)}</option>)}
          </select></label>)}
      </div>
      {error && <p role="alert" class="banner error">{error}</p>}
      {query.by === "disposition" && <Pareto result={result} t={t} lang={lang} />}
      {result.rows.length > 0 && query.by !== "disposition" && (
        <Chart title={t("rep.chart_title", { kpi: label(kpi.key) })} labels={periods.map(([, p]) => p)} series={series}
               format={(v) => (kpi.kind === "count" ? formatNumber(lang, v, 2) : figure(lang, kpi.kind, v))} t={t} yMax={kpi.kind === "ratio" ? 1 : undefined} />
      )}
      <Table caption={t("rep.caption", { by: t(`rep.by.${query.by}`) })} rows={result.rows} columns={columns} t={t} lang={lang}
             rowKey={(r) => `${r.period_start}|${r.key}`} initialSort="period" empty={t("rep.empty")} />
      <h2 class="rep-total-h">{t("rep.total")}</h2>
      <dl class="rep-totals">
        {cols.map((c) => (
          <div key={c.key}><dt>{label(c.key)}</dt><dd>{figure(lang, c.kind, result.total[c.key])}</dd></div>
        ))}
      </dl>
    </div>
  );
}

// The Pareto chart of a report by disposition: each code's share of the wrap-ups over the whole report (bars,
// most frequent first) and the cumulative share (line), both on one 0-100 % axis.
import { Chart } from "../../ui/Chart";
import type { T } from "../../types";
import { figure, type Result } from "./query";

export function Pareto({ result, t, lang }: { result: Result; t: T; lang: string }) {
  const counts = new Map<string, number>();
  for (const r of result.rows) counts.set(r.key, (counts.get(r.key) ?? 0) + (typeof r.wrapups === "number" ? r.wrapups : 0));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (!total) return null;
  const codes = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  let run = 0;
  const cumulative = codes.map(([, n]) => (run += n) / total);
  return (
    <Chart title={t("rep.pareto_title")} labels={codes.map(([k]) => k)} yMax={1} t={t}
           format={(v) => figure(lang, "ratio", v)}
           series={[{ name: t("rep.kpi.share"), kind: "bar", values: codes.map(([, n]) => n / total) },
                    { name: t("rep.kpi.cumulative_share"), kind: "line", values: cumulative }]} />
  );
}

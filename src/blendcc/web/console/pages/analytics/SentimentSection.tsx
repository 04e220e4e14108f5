// Sentiment of the customers' messages and call utterances per day, per queue or agent (the mean score in
// [-1, 1], one line per group), and each group's figures over the whole period.
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { apiPeriod, dayLabel, periodOf, urlOf, type Filters } from "./query";

interface Cell { bucket_start: number; messages: number; mean: number | null; shares: { negative: number; neutral: number; positive: number }; [group: string]: unknown }
interface Trend { rows: Cell[] }
interface Group { name: string; messages: number; mean: number | null; negative: number }

const MAX_LINES = 6;

export function SentimentSection({ api, t, lang, ctx, navigate, filters }: PageProps & { filters: Filters }) {
  const { start, days } = periodOf(filters, ctx.timezone);
  const q = `${apiPeriod(filters, ctx.timezone)}&by=${filters.by}&bucket=day&author=customer`;
  const loaded = useLoad(() => api.get<Trend>(`/api/analytics/sentiment/trend?${q}`), [q]);
  const score = (v: number | null) => (v === null ? "–" : formatNumber(lang, v, 2));
  const groups = new Map<string, Group>();
  for (const c of loaded.data?.rows ?? []) {
    const name = String(c[filters.by]);
    const g = groups.get(name) ?? { name, messages: 0, mean: 0, negative: 0 };
    g.mean = (g.mean ?? 0) + (c.mean ?? 0) * c.messages;
    g.negative += c.shares.negative * c.messages;
    g.messages += c.messages;
    groups.set(name, g);
  }
  const rows = [...groups.values()].map((g) => ({ ...g, mean: g.messages ? (g.mean ?? 0) / g.messages : null,
                                                  negative: g.messages ? g.negative / g.messages : 0 }));
  const lines = [...rows].sort((a, b) => b.messages - a.messages).slice(0, MAX_LINES);
  const labels = Array.from({ length: days }, (_, i) => dayLabel(lang, start + i * 86400 + 43200, ctx.timezone));
  const series = lines.map((g) => {
    const values: (number | null)[] = Array(days).fill(null);
    for (const c of loaded.data?.rows ?? []) {
      const i = Math.round((c.bucket_start - start) / 86400);
      if (String(c[filters.by]) === g.name && i >= 0 && i < days) values[i] = c.mean;
    }
    return { name: g.name, kind: "line" as const, values };
  });
  const columns: Column<Group>[] = [
    { key: "name", label: t(`an.by.${filters.by}`), header: true, sort: (g) => g.name },
    { key: "messages", label: t("an.messages"), numeric: true, sort: (g) => g.messages, cell: (g) => formatNumber(lang, g.messages) },
    { key: "mean", label: t("an.mean"), numeric: true, sort: (g) => g.mean, cell: (g) => score(g.mean) },
    { key: "negative", label: t("an.negative_share"), numeric: true, sort: (g) => g.negative, cell: (g) => percentOrDash(lang, g.negative) },
  ];
  return (
    <section aria-labelledby="an-sent-h" class="an-block">
      <div class="an-head">
        <h2 id="an-sent-h">{t("an.sentiment_h")}</h2>
        <label class="field"><span>{t("an.group_by")}</span>
          <select name="by" value={filters.by} onChange={(e) => navigate("analytics", urlOf({ ...filters, by: e.currentTarget.value }))}>
            <option value="queue">{t("an.by.queue")}</option>
            <option value="agent">{t("an.by.agent")}</option>
          </select></label>
      </div>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && series.length > 0 && (
        <Chart title={t("an.sentiment_title")} labels={labels} yMin={-1} yMax={1} t={t} format={score} series={series} />
      )}
      {loaded.data && (
        <Table caption={t("an.sentiment_caption")} rows={rows} columns={columns} t={t} lang={lang}
               rowKey={(g) => g.name} initialSort="messages" initialDir="desc" empty={t("an.no_messages")} />
      )}
    </section>
  );
}

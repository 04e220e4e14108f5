// Intraday (supervisor): today in the centre's time zone, per interval, for one queue: offered against the
// forecast, service level, ASA, abandonment, and the agents required (Erlang C on the forecast) against those
// logged in. Charts with their figures as tables; refreshed on the supervisor stream and every interval.
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { useLiveRefresh } from "./useLiveRefresh";
import "./intraday.css";

interface Queue { id: string; name: string }
export interface Row {
  interval_start: string; forecast: number | null; reforecast: number | null; offered: number | null;
  handled: number | null; abandoned: number | null; service_level: number | null; asa_s: number | null;
  abandon_rate: number | null; aht_s: number | null; required: number | null; logged_in: number | null;
  staffed: number | null;
}
interface Board {
  queue_id: string; day: string; timezone: string; interval_min: number; elapsed_intervals: number;
  sl_target: number; sl_threshold_s: number; has_forecast: boolean; staffed_now: number | null;
  totals: { offered: number; service_level: number | null; asa_s: number | null; abandon_rate: number | null;
            forecast_so_far: number | null; forecast_day: number | null };
  intervals: Row[];
}

const INTERVALS = ["15", "30", "60"];

export function IntradayPage({ api, socket, t, lang, ctx, route, navigate }: PageProps) {
  const queues = useLoad(() => api.get<Queue[]>("/api/config/queues"), []);
  const list = queues.data ?? [];
  const queue = route.query.get("queue") || list[0]?.id || "";
  const interval = INTERVALS.includes(route.query.get("interval") ?? "") ? route.query.get("interval")! : "30";
  const board = useLoad<Board | null>(
    () => (queue ? api.get<Board>(`/api/wfm/intraday/${encodeURIComponent(queue)}/board?interval=${interval}`)
      : Promise.resolve(null)), [queue, interval]);
  useLiveRefresh(socket, ["stats"], board.reload, Number(interval) * 60_000 / 6, 10_000);
  const go = (q: Record<string, string>) => navigate(route.path, { queue, interval, ...q });
  const b = board.data;
  const n = (v: number | null | undefined, d = 0) => (v === null || v === undefined ? "–" : formatNumber(lang, v, d));
  const pct = (v: number | null | undefined) => percentOrDash(lang, v);
  const time = (r: Row) => formatWhen(lang, Date.parse(r.interval_start) / 1000, ctx.timezone, false);
  const rows = b ? b.intervals : [];
  const labels = rows.map(time);
  const pick = (f: (r: Row) => number | null) => rows.map(f);
  const columns: Column<Row>[] = [
    { key: "at", label: t("intraday.interval"), header: true, sort: (r) => r.interval_start, cell: time },
    { key: "forecast", label: t("intraday.forecast"), numeric: true, sort: (r) => r.forecast, cell: (r) => n(r.forecast, 1) },
    { key: "offered", label: t("intraday.offered"), numeric: true, sort: (r) => r.offered, cell: (r) => n(r.offered) },
    { key: "reforecast", label: t("intraday.reforecast"), numeric: true, sort: (r) => r.reforecast, cell: (r) => n(r.reforecast, 1) },
    { key: "sl", label: t("intraday.sl"), numeric: true, sort: (r) => r.service_level, cell: (r) => pct(r.service_level) },
    { key: "asa", label: t("intraday.asa"), numeric: true, sort: (r) => r.asa_s, cell: (r) => n(r.asa_s) },
    { key: "abandon", label: t("intraday.abandon"), numeric: true, sort: (r) => r.abandon_rate, cell: (r) => pct(r.abandon_rate) },
    { key: "required", label: t("intraday.required"), numeric: true, sort: (r) => r.required, cell: (r) => n(r.required) },
    { key: "logged", label: t("intraday.logged_in"), numeric: true, sort: (r) => r.logged_in, cell: (r) => n(r.logged_in, 1) },
    { key: "staffed", label: t("intraday.staffed"), numeric: true, sort: (r) => r.staffed, cell: (r) => n(r.staffed, 1) },
  ];
  const slTarget = b ? rows.map(() => b.sl_target * 100) : [];
  return (
    <section aria-labelledby="intraday-h" class="intraday">
      <h1 id="intraday-h">{t("nav.intraday")}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field"><span>{t("intraday.queue")}</span>
          <select value={queue} onChange={(e) => go({ queue: (e.currentTarget as HTMLSelectElement).value })}>
            {list.map((q) => <option key={q.id} value={q.id}>{q.name || q.id}</option>)}
          </select></label>
        <label class="field"><span>{t("intraday.interval_length")}</span>
          <select value={interval} onChange={(e) => go({ interval: (e.currentTarget as HTMLSelectElement).value })}>
            {INTERVALS.map((m) => <option key={m} value={m}>{t("intraday.minutes", { n: formatNumber(lang, Number(m)) })}</option>)}
          </select></label>
      </form>
      <Notice error={queues.error || board.error} loading={(queues.loading && !queues.data) || (board.loading && !b)} t={t}
              retry={queues.error ? queues.reload : board.reload} />
      {queues.data && list.length === 0 && <p class="muted">{t("intraday.no_queues")}</p>}
      {b && (
        <>
          <p class="muted intraday-day">{t("intraday.day", { day: longDay(lang, b.day), tz: b.timezone })}</p>
          {!b.has_forecast && <p class="banner warn">{t("intraday.no_forecast")}</p>}
          <ul class="tiles intraday-tiles" aria-label={t("intraday.so_far")}>
            <li class="tile"><div>{t("intraday.offered_vs_forecast")}</div>
              <div class="value">{n(b.totals.offered)} / {n(b.totals.forecast_so_far, 0)}</div></li>
            <li class={`tile${b.totals.service_level !== null && b.totals.service_level < b.sl_target ? " bad" : ""}`}>
              <div>{t("intraday.sl_target", { target: pct(b.sl_target), secs: n(b.sl_threshold_s) })}</div>
              <div class="value">{pct(b.totals.service_level)}</div></li>
            <li class="tile"><div>{t("intraday.asa")}</div><div class="value">{n(b.totals.asa_s)}</div></li>
            <li class="tile"><div>{t("intraday.abandon")}</div><div class="value">{pct(b.totals.abandon_rate)}</div></li>
            <li class="tile"><div>{t("intraday.staffed_now")}</div><div class="value">{n(b.staffed_now)}</div></li>
          </ul>
          <div class="intraday-charts">
            <Chart title={t("intraday.chart.volume")} labels={labels} t={t} format={(v) => formatNumber(lang, v, 1)}
                   series={[{ name: t("intraday.offered"), kind: "bar", values: pick((r) => r.offered) },
                            { name: t("intraday.forecast"), dashed: true, values: pick((r) => r.forecast) },
                            { name: t("intraday.reforecast"), values: pick((r) => r.reforecast) }]} />
            <Chart title={t("intraday.chart.staffing")} labels={labels} t={t} format={(v) => formatNumber(lang, v, 1)}
                   series={[{ name: t("intraday.required"), dashed: true, values: pick((r) => r.required) },
                            { name: t("intraday.logged_in"), values: pick((r) => r.logged_in) },
                            { name: t("intraday.staffed"), values: pick((r) => r.staffed) }]} />
            <Chart title={t("intraday.chart.service")} labels={labels} t={t} yMax={100} format={(v) => formatNumber(lang, v, 0)}
                   series={[{ name: t("intraday.sl_pct"), values: pick((r) => (r.service_level === null ? null : r.service_level * 100)) },
                            { name: t("intraday.target_pct"), dashed: true, values: slTarget },
                            { name: t("intraday.abandon_pct"), values: pick((r) => (r.abandon_rate === null ? null : r.abandon_rate * 100)) }]} />
            <Chart title={t("intraday.chart.asa")} labels={labels} t={t} format={(v) => formatNumber(lang, v, 0)}
                   series={[{ name: t("intraday.asa"), kind: "bar", values: pick((r) => r.asa_s) }]} />
          </div>
          <Table caption={t("intraday.caption")} rows={rows} columns={columns} t={t} lang={lang}
                 rowKey={(r) => r.interval_start} initialSort="at"
                 rowClass={(r) => (r.offered === null ? "future" : "")} />
        </>
      )}
    </section>
  );
}

/** A calendar day (YYYY-MM-DD) in words, in the UI language. */
function longDay(lang: string, day: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "full", timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}

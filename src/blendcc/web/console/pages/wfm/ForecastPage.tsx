// Forecast (supervisor): a queue's stored history or a history file -> the forecast per interval (a background job
// with its progress and a cancel button), charted after the recent history, with the backtest accuracy of each
// model; then a staffing plan for the schedule page.
import { useState } from "preact/hooks";
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { PLAN_KEY, parseCsv, slotLabel } from "./time";
import { JOBS, JobCancelled, useForecastJob, type Job } from "./useForecastJob";
import "./wfm.css";

interface Row { interval_start: string; queue: string; channel: string; volume: number; aht_s: number | null }
interface ModelScore { model: string; wape: number | null; mape: number | null; chosen: boolean; error: string | null }
interface SeriesSummary {
  queue: string; channel: string; model: string; days: number; total_volume: number; notes: string[];
  backtest: { horizon_days: number; origins: number; chosen: string | null; models: ModelScore[] } | null;
}
interface ForecastOut { rows: Row[]; series: SeriesSummary[]; history?: Row[] | null }
interface PlanRow { interval_start: string; volume: number; required: number; service_level: number | null }
interface Plan { model: string; intervals: PlanRow[] }
interface Score extends ModelScore { series: string }

const SHOWN_DAYS = 7;

/** Volume per interval start, summed over queues and channels, in time order. */
function totals(rows: Row[]): [string, number][] {
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.interval_start, (by.get(r.interval_start) ?? 0) + r.volume);
  return [...by.entries()].sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
}

function numeric(points: Record<string, string>[]): Record<string, string | number>[] {
  return points.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
}

export function ForecastPage({ api, t, lang, ctx }: PageProps) {
  const queues = useLoad(() => api.get<{ id: string; name?: string }[]>("/api/config/queues"), []);
  const [source, setSource] = useState<"queue" | "file">("queue");
  const [queue, setQueue] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [interval, setInterval] = useState("60");
  const [horizon, setHorizon] = useState("7");
  const [origins, setOrigins] = useState("2");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [result, setResult] = useState<{ out: ForecastOut; history: Row[] } | null>(null);
  const [sl, setSl] = useState({ target: "80", threshold: "20" });
  const [plan, setPlan] = useState<Plan | null>(null);
  const job = useForecastJob(api);
  const q = queue || queues.data?.[0]?.id || "";

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    setPlan(null);
    try {
      if (source === "queue") {
        const body = { interval: Number(interval), horizon: `${horizon}d`, origins: Number(origins), history_shown_days: SHOWN_DAYS };
        const out = await job.run(() => api.post<Job<ForecastOut>>(`${JOBS}/queues/${encodeURIComponent(q)}`, body));
        setResult({ out, history: out.history ?? [] });
      } else {
        if (!file) throw new Error(t("wfm.fc.need_file"));
        const points = numeric(parseCsv(await file.text()));
        if (!points.length) throw new Error(t("wfm.fc.empty_file"));
        const out = await job.run(() => api.post<Job<ForecastOut>>(JOBS, {
          points, interval_min: Number(interval), horizon: `${horizon}d`, origins: Number(origins), tz: ctx.timezone,
        }));
        const history = points.filter((p) => typeof p.interval_start === "string" && typeof p.volume === "number")
          .map((p) => ({ interval_start: String(p.interval_start), queue: "", channel: "", volume: Number(p.volume), aht_s: null }));
        const last = history.length ? Date.parse(history[history.length - 1].interval_start) : 0;
        setResult({ out, history: history.filter((h) => Date.parse(h.interval_start) > last - SHOWN_DAYS * 86400_000) });
      }
    } catch (err) {
      setResult(null);
      setError(err instanceof JobCancelled ? t("wfm.fc.cancelled") : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const running = job.running;

  const staff = async () => {
    if (!result) return;
    setError("");
    try {
      const p = await api.post<Plan>("/api/wfm/staffing", {
        intervals: result.out.rows, sl_target: Number(sl.target) / 100, sl_threshold_s: Number(sl.threshold),
      });
      setPlan(p);
      sessionStorage.setItem(PLAN_KEY, JSON.stringify(p.intervals.map((r) => ({ interval_start: r.interval_start, required: r.required }))));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const hist = result ? totals(result.history) : [];
  const fc = result ? totals(result.out.rows) : [];
  const scores: Score[] = result ? result.out.series.flatMap((s) => (s.backtest?.models ?? []).map((m) => ({ ...m, series: `${s.queue} · ${s.channel}` }))) : [];
  const cols: Column<Score>[] = [
    { key: "series", label: t("wfm.fc.series"), sort: (s) => s.series },
    { key: "model", label: t("wfm.fc.model"), sort: (s) => s.model, header: true },
    { key: "wape", label: t("wfm.fc.wape"), numeric: true, sort: (s) => s.wape, cell: (s) => percentOrDash(lang, s.wape, 1) },
    { key: "mape", label: t("wfm.fc.mape"), numeric: true, sort: (s) => s.mape, cell: (s) => percentOrDash(lang, s.mape, 1) },
    { key: "chosen", label: t("wfm.fc.chosen"), sort: (s) => (s.chosen ? 0 : 1), cell: (s) => (s.chosen ? t("wfm.fc.chosen_yes") : s.error ?? "") },
  ];
  return (
    <section aria-labelledby="fc-h" class="wfm">
      <h1 id="fc-h">{t("nav.wfm_forecast")}</h1>
      <form class="filters" onSubmit={run}>
        <fieldset class="choice">
          <legend>{t("wfm.fc.source")}</legend>
          <label><input type="radio" name="src" checked={source === "queue"} onChange={() => setSource("queue")} /> {t("wfm.fc.source_queue")}</label>
          <label><input type="radio" name="src" checked={source === "file"} onChange={() => setSource("file")} /> {t("wfm.fc.source_file")}</label>
        </fieldset>
        {source === "queue" ? (
          <label class="field"><span>{t("wfm.queue")}</span>
            <select value={q} onChange={(e) => setQueue((e.currentTarget as HTMLSelectElement).value)}>
              {(queues.data ?? []).map((x) => <option key={x.id} value={x.id}>{x.name || x.id}</option>)}
            </select></label>
        ) : (
          <label class="field"><span>{t("wfm.fc.file")}</span>
            <input type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} /></label>
        )}
        <label class="field"><span>{t("wfm.interval")}</span>
          <select value={interval} onChange={(e) => setInterval((e.currentTarget as HTMLSelectElement).value)}>
            {["15", "30", "60"].map((m) => <option key={m} value={m}>{t("wfm.minutes", { n: formatNumber(lang, Number(m)) })}</option>)}
          </select></label>
        <label class="field"><span>{t("wfm.fc.horizon")}</span>
          <input type="number" min={1} max={62} value={horizon} onInput={(e) => setHorizon((e.currentTarget as HTMLInputElement).value)} /></label>
        <label class="field"><span>{t("wfm.fc.origins")}</span>
          <input type="number" min={1} max={60} value={origins} onInput={(e) => setOrigins((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={busy || (source === "queue" && !q)}>{busy ? t("wfm.busy") : t("wfm.fc.run")}</button>
      </form>
      <p class="muted">{t("wfm.fc.file_hint")}</p>
      {running && (
        <div class="job-progress" role="status">
          {running.total > 0
            ? <progress aria-label={t("wfm.fc.progress_label")} max={running.total} value={running.done} />
            : <progress aria-label={t("wfm.fc.progress_label")} />}
          <span>{running.state === "queued" ? t("wfm.fc.queued") : running.total === 0 ? t("wfm.fc.starting")
            : t("wfm.fc.progress", { done: formatNumber(lang, running.done), total: formatNumber(lang, running.total) })}</span>
          <button type="button" class="btn" disabled={running.cancelling} onClick={() => void job.cancel()}>{t("wfm.fc.cancel")}</button>
        </div>
      )}
      <Notice error={error || queues.error} t={t} />
      {result && (
        <>
          <Chart title={t("wfm.fc.chart")} t={t} format={(v) => formatNumber(lang, v, 2)}
                 labels={[...hist, ...fc].map(([s]) => slotLabel(lang, s, ctx.timezone))}
                 series={[
                   { name: t("wfm.fc.history"), values: [...hist.map(([, v]) => v), ...fc.map(() => null)] },
                   { name: t("wfm.fc.forecast"), dashed: true, values: [...hist.map(() => null), ...fc.map(([, v]) => v)] },
                 ]} />
          <h2>{t("wfm.fc.accuracy")}</h2>
          <ul class="accuracy">
            {result.out.series.map((s) => {
              const chosen = s.backtest?.models.find((m) => m.chosen);
              return (
                <li key={`${s.queue}-${s.channel}`}>
                  {s.backtest && chosen
                    ? t("wfm.fc.accuracy_line", { series: `${s.queue} · ${s.channel}`, model: s.model, wape: percentOrDash(lang, chosen.wape, 1),
                                                 origins: formatNumber(lang, s.backtest.origins), days: formatNumber(lang, s.backtest.horizon_days) })
                    : t("wfm.fc.no_backtest", { series: `${s.queue} · ${s.channel}`, model: s.model })}
                </li>
              );
            })}
          </ul>
          <Table caption={t("wfm.fc.backtest_caption")} rows={scores} columns={cols} t={t} lang={lang}
                 rowKey={(s) => `${s.series}-${s.model}`} initialSort="wape" />
          <h2>{t("wfm.fc.staffing")}</h2>
          <form class="filters" onSubmit={(e) => { e.preventDefault(); void staff(); }}>
            <label class="field"><span>{t("wfm.sl_target")}</span>
              <input type="number" min={1} max={99} value={sl.target} onInput={(e) => setSl({ ...sl, target: (e.currentTarget as HTMLInputElement).value })} /></label>
            <label class="field"><span>{t("wfm.sl_threshold")}</span>
              <input type="number" min={0} value={sl.threshold} onInput={(e) => setSl({ ...sl, threshold: (e.currentTarget as HTMLInputElement).value })} /></label>
            <button type="submit" class="btn">{t("wfm.fc.plan")}</button>
          </form>
          {plan && (
            <>
              <Chart title={t("wfm.fc.plan_chart", { model: plan.model })} t={t} format={(v) => formatNumber(lang, v, 2)}
                     labels={plan.intervals.map((r) => slotLabel(lang, r.interval_start, ctx.timezone))}
                     series={[{ name: t("wfm.required"), kind: "bar", values: plan.intervals.map((r) => r.required) }]} />
              <p role="status">{t("wfm.fc.plan_saved")}</p>
            </>
          )}
        </>
      )}
    </section>
  );
}

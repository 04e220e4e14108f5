// A time-series chart in SVG: lines and grouped bars over labelled intervals, a y axis with round ticks,
// a legend, and the same figures as a table for screen readers and for reading exact values. Time runs
// left to right in every language (the chart is dir=ltr; its labels use the UI language's digits).
import { useId } from "preact/hooks";
import type { T } from "../types";

export interface Series {
  name: string;
  values: (number | null)[];
  kind?: "line" | "bar";
  /** a dashed line: a target, a forecast */
  dashed?: boolean;
}

const W = 720;
const PAD = { top: 12, right: 12, bottom: 34, left: 56 };

export function Chart(props: {
  title: string; labels: string[]; series: Series[]; format(v: number): string; t: T; height?: number; yMax?: number;
  /** a fixed axis from yMin to yMax (e.g. a score in [-1, 1]); without it the axis starts at 0 */
  yMin?: number;
}) {
  const { labels, series, format, t } = props;
  const H = props.height ?? 240;
  const id = useId();
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = props.yMin ?? 0;
  const top = props.yMin !== undefined && props.yMax !== undefined ? props.yMax : niceMax(Math.max(props.yMax ?? 0, ...all, 0));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (top - lo));
  const n = Math.max(1, labels.length);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / n;
  const x = (i: number) => PAD.left + step * (i + 0.5);
  const y = (v: number) => PAD.top + plotH - (top > lo ? ((v - lo) / (top - lo)) * plotH : 0);
  const base = Math.min(Math.max(0, lo), top);
  const bars = series.filter((s) => (s.kind ?? "line") === "bar");
  const barW = Math.max(1, (step * 0.8) / Math.max(1, bars.length));
  const every = Math.max(1, Math.ceil(n / 12));

  return (
    <figure class="chart">
      <figcaption id={`${id}-t`}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t`} dir="ltr" preserveAspectRatio="none">
        {ticks.map((v) => (
          <g key={v} class="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">{format(v)}</text>
          </g>
        ))}
        {labels.map((l, i) => (i % every === 0 ? <text key={i} class="xlabel" x={x(i)} y={H - 12} text-anchor="middle">{l}</text> : null))}
        {bars.map((s, b) => (
          <g key={s.name} class={`series s${series.indexOf(s)}`}>
            {s.values.map((v, i) => (v === null ? null : (
              <rect key={i} x={x(i) - (barW * bars.length) / 2 + b * barW} y={Math.min(y(v), y(base))} width={barW} height={Math.abs(y(base) - y(v))} />
            )))}
          </g>
        ))}
        {series.filter((s) => (s.kind ?? "line") === "line").map((s) => (
          <g key={s.name} class={`series s${series.indexOf(s)}${s.dashed ? " dashed" : ""}`}>
            {segments(s.values).map((seg, k) => (
              <polyline key={k} fill="none" points={seg.map(([i, v]) => `${x(i)},${y(v)}`).join(" ")} />
            ))}
            {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={n > 48 ? 0 : 2.5} />))}
          </g>
        ))}
      </svg>
      <ul class="legend">
        {series.map((s, i) => (
          <li key={s.name}><span class={`swatch s${i}${s.dashed ? " dashed" : ""}${(s.kind ?? "line") === "bar" ? " bar" : ""}`} aria-hidden="true" />{s.name}</li>
        ))}
      </ul>
      <details class="chart-table">
        <summary>{t("chart.as_table")}</summary>
        <div class="table-wrap" role="region" aria-label={props.title} tabIndex={0}>
          <table class="data">
            <caption class="sr-only">{props.title}</caption>
            <thead><tr><th scope="col">{t("chart.interval")}</th>{series.map((s) => <th key={s.name} scope="col" class="num">{s.name}</th>)}</tr></thead>
            <tbody>
              {labels.map((l, i) => (
                <tr key={i}><th scope="row">{l}</th>{series.map((s) => <td key={s.name} class="num">{s.values[i] === null || s.values[i] === undefined ? "–" : format(s.values[i] as number)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Runs of consecutive non-null points (a gap breaks the line). */
function segments(values: (number | null)[]): [number, number][][] {
  const out: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (run.length) out.push(run);
      run = [];
    } else run.push([i, v]);
  });
  if (run.length) out.push(run);
  return out;
}

/** A round upper bound for the axis (1, 2, 2.5 or 5 times a power of ten). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

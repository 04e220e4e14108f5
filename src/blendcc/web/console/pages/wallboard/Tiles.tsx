// Wallboard tiles: one per queue x channel (or per channel), coloured by the queue's own thresholds, with
// the reason in words (not colour alone). Keyed: a new frame changes figures in place.
import { Component } from "preact";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import type { T } from "../../types";
import { STATES, slLevel, waitLevel, worst, type Figures } from "./model";

export function Tiles(props: { tiles: Figures[]; t: T; lang: string; elapsed: number; label: string; empty: string }) {
  const { tiles, t } = props;
  if (!tiles.length) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="wb-tiles" aria-label={props.label}>
      {tiles.map((f) => <Tile key={f.key} f={f} t={t} lang={props.lang} elapsed={props.elapsed} />)}
    </ul>
  );
}

interface TileProps { f: Figures; t: T; lang: string; elapsed: number }

/** A tile renders again only when its figures change (or, while someone waits, as the longest wait ticks):
 * a centre of 50 queues has a hundred tiles and a new frame every second. */
class Tile extends Component<TileProps> {
  private seen = "";

  shouldComponentUpdate(next: TileProps): boolean {
    const p = this.props;
    if (!this.seen) this.seen = JSON.stringify(p.f);
    const figures = JSON.stringify(next.f);
    const changed = figures !== this.seen || p.t !== next.t || p.lang !== next.lang
      || (next.f.waiting > 0 && p.elapsed !== next.elapsed);
    this.seen = figures;
    return changed;
  }

  render() {
    return <TileCard {...this.props} />;
  }
}

function TileCard({ f, t, lang, elapsed }: { f: Figures; t: T; lang: string; elapsed: number }) {
  const longest = f.waiting ? f.longest_wait_s + elapsed : 0;
  const sl = slLevel(f.today.service_level, f.sl_target);
  const wait = waitLevel(f.waiting, longest, f.long_wait_s);
  const level = worst(sl, wait);
  const why = [wait === "bad" ? t("wb.status.long_wait") : "", sl === "bad" || sl === "warn" ? t("wb.status.below_target") : ""]
    .filter(Boolean).join(" · ") || (level ? t("wb.status.ok") : t("wb.status.quiet"));
  const channel = f.channel ? t(`wb.channel.${f.channel}`) : t("wb.channel.all");
  const n = (v: number) => formatNumber(lang, v);
  return (
    <li class={`wb-tile ${level}`} data-key={f.key}>
      <div class="wb-tile-head">
        <h3 class="wb-tile-title">{f.title || channel}</h3>
        {f.title && <span class="wb-chip">{channel}</span>}
      </div>
      <p class="wb-status">{why}</p>
      <dl class="wb-figs">
        <div class={`wb-fig ${wait}`}><dt>{t("wb.waiting")}</dt><dd class="wb-big" data-fig="waiting">{n(f.waiting)}</dd></div>
        <div class={`wb-fig ${wait}`}><dt>{t("wb.longest")}</dt><dd data-fig="longest">{f.waiting ? formatDuration(lang, longest) : "–"}</dd></div>
        <div class={`wb-fig ${sl}`}>
          <dt>{t("wb.sl")}</dt>
          <dd data-fig="sl">{percentOrDash(lang, f.today.service_level)}
            <span class="wb-target">{t("wb.sl_goal", { target: percentOrDash(lang, f.sl_target), secs: n(f.sl_threshold_s) })}</span></dd>
        </div>
        <div class="wb-fig"><dt>{t("wb.asa")}</dt><dd>{f.today.asa_s === null ? "–" : formatDuration(lang, f.today.asa_s)}</dd></div>
        <div class="wb-fig"><dt>{t("wb.abandon_rate")}</dt><dd>{percentOrDash(lang, f.today.abandon_rate, 1)}</dd></div>
        <div class="wb-fig"><dt>{t("wb.handled")}</dt><dd data-fig="handled">{n(f.today.handled)}</dd></div>
      </dl>
      {f.agents && <StateLine counts={{ ...f.agents, offline: f.agents_offline }} t={t} lang={lang} />}
    </li>
  );
}

/** Agents by state as labelled counts (every state, zero included, so the line does not jump). */
export function StateLine({ counts, t, lang }: { counts: Record<string, number>; t: T; lang: string }) {
  return (
    <ul class="wb-states" aria-label={t("wb.agents_by_state")}>
      {STATES.map((s) => (
        <li key={s} class={`wb-state st-${s}`} data-state={s}>
          <span class="wb-dot" aria-hidden="true" />{t(`wb.state.${s}`)} <b>{formatNumber(lang, counts[s] ?? 0)}</b>
        </li>
      ))}
    </ul>
  );
}

// The live wallboard (supervisor): totals, queue x channel tiles, channels, agents; a TV mode that rotates views.
import { useMemo } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { formatNumber } from "../../ui/format";
import type { PageProps, T } from "../../types";
import { AgentTable } from "./Agents";
import { IvrTable } from "./Ivr";
import { channelTiles, queueTiles, slLevel, waitLevel, type Board } from "./model";
import { Tiles } from "./Tiles";
import { Totals } from "./Totals";
import { TvMode, enterTv, tvWanted } from "./TvMode";
import { useBoard } from "./useBoard";
import "./wallboard.css";

export function WallboardPage(props: PageProps) {
  const { t, lang, route, navigate } = props;
  const { board, error, elapsed } = useBoard(props);
  const tv = tvWanted(route.query);
  const summary = useMemo(() => (board ? summarize(board, t, lang) : ""), [board, t, lang]);
  return (
    <section aria-labelledby="wb-h" class="wb">
      <div class="wb-head">
        <h1 id="wb-h">{t("nav.wallboard")}</h1>
        <button type="button" class="btn" onClick={() => enterTv(route, navigate)}>{t("wb.tv.enter")}</button>
      </div>
      {/* one polite summary for screen readers (not every tile); it changes only when a count does */}
      <p class="wb-summary" aria-live="polite" aria-atomic="true">{summary}</p>
      <Notice error={error} loading={!board && !error} t={t} />
      {board?.emergency && board.emergency.length > 0 && (
        <div class="wb-emergency" role="status">
          {board.emergency.map((m) => (
            <p key={m.scope}><strong>{t("wb.emergency", { where: m.scope === "*" ? t("crisis.centre") : m.scope,
                                                          mode: t(`crisis.mode.${m.mode}`) })}</strong>{m.message && <> {m.message}</>}</p>
          ))}
        </div>
      )}
      {board && (tv ? <TvMode {...props} board={board} elapsed={elapsed} /> : (
        <>
          <Totals board={board} t={t} lang={lang} elapsed={elapsed} />
          <h2>{t("wb.queues_h")}</h2>
          <Tiles tiles={queueTiles(board)} t={t} lang={lang} elapsed={elapsed} label={t("wb.queues_h")} empty={t("wb.no_queues")} />
          <h2>{t("wb.channels_h")}</h2>
          <Tiles tiles={channelTiles(board)} t={t} lang={lang} elapsed={elapsed} label={t("wb.channels_h")} empty={t("wb.no_traffic")} />
          <h2>{t("wb.agents_h")}</h2>
          <AgentTable board={board} t={t} lang={lang} elapsed={elapsed} />
          <h2>{t("wb.ivr_h")}</h2>
          <IvrTable board={board} t={t} lang={lang} />
        </>
      ))}
    </section>
  );
}

/** The screen reader's summary: counts only (no ticking clock), so it is announced when something changes. */
function summarize(b: Board, t: T, lang: string): string {
  let below = 0;
  let long = 0;
  for (const q of b.queues) {
    const l = slLevel(q.today.service_level, q.sl_target);
    if (l === "bad" || l === "warn") below += 1;
    if (waitLevel(q.waiting, q.longest_wait_s, q.long_wait_s) === "bad") long += 1;
  }
  const n = (v: number) => formatNumber(lang, v);
  return t("wb.summary", { waiting: n(b.totals.waiting), below: n(below), long: n(long),
    available: n(b.totals.agents.available ?? 0), held: n(b.totals.agents.held ?? 0) });
}

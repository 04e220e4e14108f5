// The wallboard's TV mode (#/wallboard?tv=1, also /console/?tv=1): one view at a time over the whole screen,
// rotating every `rotate` seconds (default 15); full screen where the browser allows it; Escape leaves.
import { useEffect, useRef, useState } from "preact/hooks";
import { formatNumber } from "../../ui/format";
import type { PageProps, Route } from "../../types";
import { AgentCards } from "./Agents";
import { channelTiles, queueTiles, type Board } from "./model";
import { Tiles } from "./Tiles";
import { Totals } from "./Totals";

export const VIEWS = ["queues", "agents", "channels"] as const;
const DEFAULT_ROTATE_S = 15;

export function tvWanted(query: URLSearchParams): boolean {
  return query.get("tv") === "1" || new URLSearchParams(location.search).get("tv") === "1";
}

function queryOf(route: Route, extra: Record<string, string>): Record<string, string> {
  return { ...Object.fromEntries(route.query.entries()), ...extra };
}

/** From a click (a user gesture, so the browser allows full screen): the TV view, full screen if allowed. */
export function enterTv(route: Route, navigate: PageProps["navigate"]): void {
  void document.documentElement.requestFullscreen?.().catch(() => undefined);
  navigate(route.path, queryOf(route, { tv: "1" }));
}

function leaveTv(route: Route, navigate: PageProps["navigate"]): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  if (new URLSearchParams(location.search).get("tv")) history.replaceState(null, "", location.pathname + location.hash);
  navigate(route.path, queryOf(route, { tv: "" }));
}

export function TvMode(props: PageProps & { board: Board; elapsed: number }) {
  const { t, lang, route, navigate, board, elapsed, ctx } = props;
  const seconds = Math.max(5, Number(route.query.get("rotate")) || DEFAULT_ROTATE_S);
  const wanted = (route.query.get("views") ?? "").split(",").filter((v) => (VIEWS as readonly string[]).includes(v));
  const views = wanted.length ? wanted : [...VIEWS];
  const [index, setIndex] = useState(0);
  const [paused, setPaused] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (paused || views.length < 2) return undefined;
    const id = window.setInterval(() => setIndex((i) => (i + 1) % views.length), seconds * 1000);
    return () => window.clearInterval(id);
  }, [seconds, views.length, paused]);
  useEffect(() => {
    box.current?.focus();
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.fullscreenElement) leaveTv(route, navigate);
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, []);
  const view = views[index % views.length];
  const title = t(`wb.tv.view.${view}`);
  return (
    <div class="wb-tv" ref={box} tabIndex={-1} role="region" aria-label={t("wb.tv.label")} data-view={view}>
      <div class="wb-tv-bar">
        <h2 class="wb-tv-title">{title}</h2>
        <span class="muted">{t("wb.tv.position", { n: formatNumber(lang, index % views.length + 1), of: formatNumber(lang, views.length),
          secs: formatNumber(lang, seconds) })}</span>
        <span class="spacer" />
        <TvClock lang={lang} timezone={ctx.timezone} />
        <button type="button" class="btn small" aria-pressed={paused} onClick={() => setPaused(!paused)}>{t("wb.tv.pause")}</button>
        <button type="button" class="btn small" onClick={() => setIndex((i) => (i + 1) % views.length)}>{t("wb.tv.next")}</button>
        {document.fullscreenEnabled && !document.fullscreenElement && (
          <button type="button" class="btn small" onClick={() => void box.current?.requestFullscreen().catch(() => undefined)}>
            {t("wb.tv.fullscreen")}</button>
        )}
        <button type="button" class="btn small" onClick={() => leaveTv(route, navigate)}>{t("wb.tv.exit")}</button>
      </div>
      <Totals board={board} t={t} lang={lang} elapsed={elapsed} />
      {view === "queues" && <Tiles tiles={queueTiles(board)} t={t} lang={lang} elapsed={elapsed} label={title} empty={t("wb.no_queues")} />}
      {view === "channels" && <Tiles tiles={channelTiles(board)} t={t} lang={lang} elapsed={elapsed} label={title} empty={t("wb.no_traffic")} />}
      {view === "agents" && <AgentCards board={board} t={t} lang={lang} elapsed={elapsed} />}
    </div>
  );
}

/** The centre's clock with its time zone (the console's header is hidden under the TV view); the page
 *  re-renders every second with the board's own ticker. */
function TvClock({ lang, timezone }: { lang: string; timezone: string }) {
  let text: string;
  try {
    text = new Intl.DateTimeFormat(lang, { timeStyle: "medium", timeZone: timezone }).format(new Date());
  } catch {
    text = new Intl.DateTimeFormat(lang, { timeStyle: "medium", timeZone: "UTC" }).format(new Date());
  }
  return <span class="clock wb-tv-clock"><time>{text}</time> <span class="tz">{timezone}</span></span>;
}

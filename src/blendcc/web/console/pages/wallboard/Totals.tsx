// The wallboard's headline figures: waiting, longest wait, agents logged in and by state.
import { formatDuration, formatNumber } from "../../ui/format";
import type { T } from "../../types";
import type { Board } from "./model";

export function Totals({ board, t, lang, elapsed }: { board: Board; t: T; lang: string; elapsed: number }) {
  const { waiting, longest_wait_s, agents } = board.totals;
  const logged = Object.entries(agents).reduce((n, [s, k]) => (s === "offline" ? n : n + k), 0);
  const items: [string, string, string][] = [
    ["waiting", t("wb.waiting"), formatNumber(lang, waiting)],
    ["longest", t("wb.longest"), waiting ? formatDuration(lang, longest_wait_s + elapsed) : "–"],
    ["logged_in", t("wb.logged_in"), formatNumber(lang, logged)],
    ["available", t("wb.state.available"), formatNumber(lang, agents.available ?? 0)],
    ["busy", t("wb.state.busy"), formatNumber(lang, agents.busy ?? 0)],
    ["held", t("wb.state.held"), formatNumber(lang, agents.held ?? 0)],
    ["wrap_up", t("wb.state.wrap_up"), formatNumber(lang, agents.wrap_up ?? 0)],
    ["aux", t("wb.state.aux"), formatNumber(lang, agents.aux ?? 0)],
  ];
  return (
    <dl class="wb-totals">
      {items.map(([k, label, value]) => (
        <div key={k} class={`wb-total st-${k}`} data-total={k}><dt>{label}</dt><dd>{value}</dd></div>
      ))}
    </dl>
  );
}

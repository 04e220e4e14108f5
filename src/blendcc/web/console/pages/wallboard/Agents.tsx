// Agents on the wallboard: the state counts, then a keyed table (desk) or compact cards (TV), natural order.
import { Table, type Column } from "../../ui/Table";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import type { T } from "../../types";
import type { Agent, Board } from "./model";
import { StateLine } from "./Tiles";

interface Props { board: Board; t: T; lang: string; elapsed: number }

/** agents shown at first (sorted): the board re-renders every second, a thousand rows would make it lag */
const PAGE = 100;

const since = (a: Agent, elapsed: number) => a.time_in_state_s + elapsed;

export function AgentTable({ board, t, lang, elapsed }: Props) {
  const names = new Map(board.queues.map((q) => [q.id, q.name || q.id])); // queue names, not their ids
  const queues = (a: Agent) => a.queues.map((q) => names.get(q) ?? q).join(", ");
  const columns: Column<Agent>[] = [
    { key: "name", label: t("wb.agent"), sort: (a) => a.name, header: true },
    { key: "state", label: t("wb.state_col"), sort: (a) => t(`wb.state.${a.state}`),
      cell: (a) => <span class={`wb-state st-${a.state}`} data-state={a.state}><span class="wb-dot" aria-hidden="true" />
        {t(`wb.state.${a.state}`)}{a.reason ? <span class="muted"> · {a.reason}</span> : null}</span> },
    { key: "time", label: t("wb.time_in_state"), numeric: true, sort: (a) => (a.state === "offline" ? null : since(a, 0)),
      cell: (a) => (a.state === "offline" ? "–" : formatDuration(lang, since(a, elapsed))) },
    { key: "queues", label: t("wb.queues"), sort: queues, cell: (a) => <span class="wb-wrap">{queues(a)}</span> },
    { key: "contacts", label: t("wb.contacts"), numeric: true, sort: (a) => a.contacts.length },
    { key: "handled", label: t("wb.handled"), numeric: true, sort: (a) => a.handled_today, cell: (a) => formatNumber(lang, a.handled_today) },
    { key: "occupancy", label: t("wb.occupancy"), numeric: true, sort: (a) => a.occupancy_today,
      cell: (a) => percentOrDash(lang, a.occupancy_today) },
  ];
  return (
    <Table caption={t("wb.agents_caption")} rows={board.agents} columns={columns} t={t} lang={lang}
           rowKey={(a) => a.id} initialSort="name" rowClass={(a) => `st-row-${a.state}`} empty={t("wb.no_agents")}
           pageSize={PAGE} moreLabel={(more, hidden) => t("wb.agents_more", { more: formatNumber(lang, more),
                                                                             hidden: formatNumber(lang, hidden) })} />
  );
}

export function AgentCards({ board, t, lang, elapsed }: Props) {
  return (
    <div>
      <StateLine counts={board.totals.agents} t={t} lang={lang} />
      <ul class="wb-cards" aria-label={t("wb.agents_caption")}>
        {board.agents.filter((a) => a.state !== "offline").map((a) => (
          <li key={a.id} class={`wb-card st-${a.state}`} data-state={a.state}>
            <span class="wb-card-name">{a.name}</span>
            <span class="wb-card-state">{t(`wb.state.${a.state}`)} · {formatDuration(lang, since(a, elapsed))}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

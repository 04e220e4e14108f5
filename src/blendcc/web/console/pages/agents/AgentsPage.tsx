// The supervisor's agent grid: every agent's state, reason, time in state (ticking), current contacts, today's
// handled / AHT / occupancy, adherence and team; filtered by team, queue and skill (in the URL); kept live
// from /ws/supervisor by re-reading only the rows events touched, in one request per half second (rows stay
// in place: keyed), and the actions dialog (force a state, log out, message, move a contact).
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { Table, type Column } from "../../ui/Table";
import { Notice } from "../../ui/Notice";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import { AdherenceCell, ContactsCell, StateCell, stateText } from "./cells";
import { ActionDialog } from "./ActionDialog";
import { GridFilters } from "./GridFilters";
import { filterOf, keeps, type Grid, type GridOptions, type GridRow } from "./model";
import "./agents.css";

/** Re-read every row this often (today's figures move with time even without events). */
const FULL_RELOAD_MS = 30_000;
/** The agents events touched within this window are re-read in one request. */
const BATCH_MS = 500;

export function AgentsPage({ api, socket, t, lang, route, navigate }: PageProps) {
  const filter = filterOf(route.query);
  const fkey = `${filter.team}|${filter.queue}|${filter.skill}`;
  const [rows, setRows] = useState<Record<string, GridRow>>({});
  const [options, setOptions] = useState<GridOptions>({ teams: [], queues: [], skills: [] });
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState("");
  const [skew, setSkew] = useState(0);
  const [now, setNow] = useState(Date.now() / 1000);
  const [acting, setActing] = useState<string | null>(null);
  const [done, setDone] = useState("");
  const serial = useRef(0);
  const touched = useRef<Set<string>>(new Set());
  const batch = useRef<number | undefined>(undefined);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const loadAll = useCallback(() => {
    const mine = ++serial.current;
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
    api.get<Grid>(`/api/supervisor/agents?${q}`).then((g) => {
      if (mine !== serial.current) return;
      setRows(Object.fromEntries(g.agents.map((r) => [r.id, r])));
      setOptions(g.options);
      setSkew(g.at - Date.now() / 1000);
      setLoaded(true);
      setError("");
    }, (e: unknown) => {
      if (mine === serial.current) setError(errorText(e));
    });
  }, [api, fkey]);

  /** Re-read these agents' rows (with the grid's filter: a row that no longer matches leaves the grid). */
  const readRows = useCallback((ids: string[]) => {
    if (!ids.length) return;
    const f = filterRef.current;
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    for (const id of ids) q.append("agent", id);
    api.get<Grid>(`/api/supervisor/agents?${q}`).then((g) => {
      const fresh = new Map(g.agents.filter((r) => keeps(filterRef.current, r)).map((r) => [r.id, r]));
      setRows((all) => {
        const next = { ...all };
        for (const id of ids) {
          const r = fresh.get(id);
          if (r) next[id] = r;
          else delete next[id];
        }
        return next;
      });
    }, () => undefined); // the next full read brings them back in line
  }, [api]);

  const touch = useCallback((id: unknown) => {
    if (typeof id !== "string" || !id) return;
    touched.current.add(id);
    if (batch.current !== undefined) return;
    batch.current = window.setTimeout(() => {
      batch.current = undefined;
      const ids = [...touched.current];
      touched.current.clear();
      readRows(ids);
    }, BATCH_MS);
  }, [readRows]);

  useEffect(() => {
    loadAll();
    const every = window.setInterval(loadAll, FULL_RELOAD_MS);
    const tick = window.setInterval(() => setNow(Date.now() / 1000), 1000);
    const offs = [
      socket.on("snapshot", loadAll),  // after every (re)connect: resynchronise
      socket.on("agent", (f) => {
        const id = f.agent_id;
        if (typeof id !== "string" || f.type === "SupervisorMessage") return;
        if (f.type === "AgentStateChanged" && typeof f.state === "string") {  // at once; the row read follows
          const at = typeof f.at === "number" ? f.at : Date.now() / 1000;
          setRows((all) => all[id]
            ? { ...all, [id]: { ...all[id], state: f.state as string, reason: (f.reason as string | null) ?? null, since: at } }
            : all);
        }
        touch(id);
      }),
      socket.on("contact", (f) => {
        touch(f.agent_id);
        touch(f.from_agent_id);
      }),
    ];
    return () => {
      window.clearInterval(every);
      window.clearInterval(tick);
      for (const off of offs) off();
      window.clearTimeout(batch.current);
      batch.current = undefined;
      touched.current.clear();
    };
  }, [loadAll, socket, touch]);

  const list = useMemo(() => Object.values(rows), [rows]);
  const names = useMemo(() => Object.fromEntries(list.map((r) => [r.id, r.name])), [list]);
  const inState = (r: GridRow) => Math.max(0, now + skew - r.since);
  const columns: Column<GridRow>[] = [
    { key: "name", label: t("grid.agent"), header: true, sort: (r) => r.name,
      cell: (r) => <>{r.name}{r.name !== r.id && <span class="muted grid-id"> {r.id}</span>}</> },
    { key: "state", label: t("grid.state"), sort: (r) => stateText(t, r), cell: (r) => <StateCell row={r} t={t} /> },
    { key: "time", label: t("grid.time_in_state"), numeric: true, sort: (r) => -r.since,
      cell: (r) => <span class="grid-time">{formatDuration(lang, inState(r))}</span> },
    { key: "contacts", label: t("grid.contacts"), sort: (r) => r.contacts.length, cell: (r) => <ContactsCell row={r} t={t} /> },
    { key: "handled", label: t("grid.handled"), numeric: true, sort: (r) => r.handled, cell: (r) => formatNumber(lang, r.handled) },
    { key: "aht", label: t("grid.aht"), numeric: true, sort: (r) => r.aht_s,
      cell: (r) => (r.aht_s === null ? "–" : formatDuration(lang, r.aht_s)) },
    { key: "occupancy", label: t("grid.occupancy"), numeric: true, sort: (r) => r.occupancy,
      cell: (r) => percentOrDash(lang, r.occupancy) },
    { key: "adherence", label: t("grid.adherence"), sort: (r) => (r.adherence.in_adherence === false ? 0 : 1),
      cell: (r) => <AdherenceCell row={r} t={t} lang={lang} /> },
    { key: "team", label: t("grid.team"), sort: (r) => r.team_id, cell: (r) => r.team_id ?? <span class="muted">{t("grid.no_team")}</span> },
    { key: "actions", label: t("grid.actions"), cell: (r) => (
      <button type="button" class="btn small" id={`act-${r.id}`} aria-haspopup="dialog"
              onClick={() => { setDone(""); setActing(r.id); }}>
        {t("grid.act")}<span class="sr-only"> {r.name}</span>
      </button>
    ) },
  ];

  const actingRow = acting ? rows[acting] : undefined;
  return (
    <section aria-labelledby="grid-h" class="grid-page">
      <h1 id="grid-h">{t("nav.agents")}</h1>
      <GridFilters filter={filter} options={options} t={t} onApply={(f) => navigate(route.path, f)} />
      <Notice error={error} loading={!loaded && !error} t={t} retry={loadAll} />
      <p class="grid-done" role="status">{done}</p>
      {loaded && (
        <>
          <p class="muted grid-count">{t("grid.count", { count: formatNumber(lang, list.length) })}</p>
          <Table caption={t("grid.caption")} rows={list} columns={columns} t={t} lang={lang} rowKey={(r) => r.id}
                 initialSort="name" rowClass={(r) => (r.adherence.in_adherence === false ? "grid-row-out" : "")} />
        </>
      )}
      {actingRow && (
        <ActionDialog row={actingRow} names={names} queues={options.queues} api={api} t={t}
                      onDone={(message) => { setDone(message); readRows([actingRow.id]); }}
                      onClose={() => {
                        const id = acting;
                        setActing(null);
                        requestAnimationFrame(() => document.getElementById(`act-${id}`)?.focus());
                      }} />
      )}
    </section>
  );
}

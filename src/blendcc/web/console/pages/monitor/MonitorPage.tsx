// Live monitoring (supervisor): every live contact with its queue, agent, channel and duration, updated from
// /ws/supervisor; Listen on a call, Read and Join a conversation; the open alerts with acknowledgement.
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { Table, type Column } from "../../ui/Table";
import { Notice } from "../../ui/Notice";
import { formatDuration } from "../../ui/format";
import type { PageProps } from "../../types";
import { AlertList, useAlerts } from "./Alerts";
import { Listen } from "./Listen";
import { MonitorPhone, useConsolePhone } from "./MonitorPhone";
import { Thread } from "./Thread";
import { DIGITAL, type LiveContact } from "./types";
import { useTicker } from "./useTicker";
import "./monitor.css";
import "./monphone.css";

/** A phone number or address inside translated text keeps its own direction (+44... in Persian). */
const isolate = (s: string) => `\u2068${s}\u2069`;

function useLiveContacts({ api, socket }: Pick<PageProps, "api" | "socket">) {
  const [rows, setRows] = useState<LiveContact[] | null>(null);
  const [loadedAt, setLoadedAt] = useState(Date.now());
  const [error, setError] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>();
  useEffect(() => {
    const load = () => api.get<LiveContact[]>("/api/supervisor/live-contacts").then(
      (r) => { setRows(r); setLoadedAt(Date.now()); setError(""); }, (e: unknown) => setError(errorText(e)));
    // contact and agent events change the list: reload at most twice a second, in place (keyed rows)
    const soon = () => { if (timer.current === undefined) timer.current = setTimeout(() => { timer.current = undefined; void load(); }, 400); };
    void load();
    const offs = [socket.on("snapshot", () => void load()), socket.on("contact", soon), socket.on("agent", soon),
                  socket.on("monitor", soon)];
    return () => { offs.forEach((f) => f()); clearTimeout(timer.current); timer.current = undefined; };
  }, [api, socket]);
  return { rows, loadedAt, error };
}

export function MonitorPage(props: PageProps) {
  const { t, lang, route, navigate } = props;
  const live = useLiveContacts(props);
  const cp = useConsolePhone(props);
  const { alerts, error: alertError, setAlerts } = useAlerts(props);
  const elapsed = useTicker(live.loadedAt);
  const selectedId = route.query.get("contact") ?? "";
  const selected = live.rows?.find((r) => r.contact_id === selectedId) ?? null;
  const open = (c: LiveContact) => navigate(route.path, { contact: c.contact_id });
  const columns: Column<LiveContact>[] = [
    { key: "contact", label: t("mon.contact"), header: true, sort: (c) => c.customer ?? c.contact_id,
      cell: (c) => <bdi class="mon-id">{c.customer ?? c.contact_id}</bdi> },
    { key: "channel", label: t("mon.channel"), sort: (c) => c.channel, cell: (c) => t(`mon.ch.${c.channel}`) },
    { key: "state", label: t("mon.state"), sort: (c) => c.state, cell: (c) => t(`mon.st.${c.state}`) },
    { key: "queue", label: t("mon.queue"), sort: (c) => c.queue_name ?? "" },
    { key: "agent", label: t("mon.agent"), sort: (c) => c.agent_name ?? "" },
    { key: "duration", label: t("mon.duration"), numeric: true, sort: (c) => c.duration_s,
      cell: (c) => formatDuration(lang, c.duration_s + elapsed) },
    { key: "act", label: t("mon.actions"), cell: (c) => c.channel === "voice"
      ? <button type="button" class="btn small" onClick={() => open(c)}
                aria-label={t("mon.listen_to", { who: isolate(c.customer ?? c.contact_id) })}>{t("mon.listen")}</button>
      : DIGITAL.has(c.channel)
        ? <button type="button" class="btn small" onClick={() => open(c)}
                  aria-label={t("mon.read_to", { who: isolate(c.customer ?? c.contact_id) })}>{t("mon.read")}</button>
        : null },
  ];
  return (
    <section aria-labelledby="mon-h" class="mon">
      <h1 id="mon-h">{t("nav.monitor")}</h1>
      <AlertList {...props} alerts={alerts} error={alertError}
                 onAck={(a) => setAlerts((l) => l.map((x) => (x.id === a.id ? a : x)))} />
      <MonitorPhone {...props} cp={cp} />
      <div class="mon-grid">
        <div class="mon-live">
          <Notice error={live.error} loading={live.rows === null} t={t} />
          {live.rows && (
            <Table caption={t("mon.caption", { n: live.rows.length })} rows={live.rows} columns={columns} t={t} lang={lang}
                   rowKey={(c) => c.contact_id} initialSort="duration" initialDir="desc" empty={t("mon.none")}
                   rowClass={(c) => (c.contact_id === selectedId ? "selected" : "")} />
          )}
        </div>
        {selectedId && (
          <aside class="mon-panel" aria-labelledby="mon-panel-h">
            <h2 id="mon-panel-h">{selected ? t(selected.channel === "voice" ? "mon.listen_title" : "mon.read_title",
                                                { who: isolate(selected.customer ?? selected.contact_id) }) : t("mon.ended")}</h2>
            {selected && (selected.channel === "voice"
              ? <Listen {...props} contact={selected} cp={cp} />
              : <Thread {...props} contact={selected} />)}
            <button type="button" class="btn" onClick={() => navigate(route.path)}>{t("mon.close")}</button>
          </aside>
        )}
      </div>
    </section>
  );
}

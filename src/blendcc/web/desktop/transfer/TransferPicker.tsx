// The transfer / consult picker: a dialog with a search box over the directory (queues and agents with
// availability dots), a keyboard listbox (arrows, Home/End, Enter to choose, Escape to close) kept live by
// the socket's directory frames while open, and a confirm button that transfers or starts the consultation.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { TransferPickerProps } from "../types";
import { clock, useAction } from "../panes/common";
import { setConsulting } from "./consult";
import { applyDirectoryFrame, normaliseQueue, options, type AgentEntry, type Directory, type Option } from "./directory";
import "../panes/panes.css";


const enc = encodeURIComponent;

export function TransferPicker(props: TransferPickerProps) {
  const { item, api, bus, t, locale, mode } = props;
  const [dir, setDir] = useState<Directory | null>(null);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [chosen, setChosen] = useState<Option | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [self, setSelf] = useState<string | null>(null);
  const action = useAction(t);
  const search = useRef<HTMLInputElement>(null);
  const confirmBtn = useRef<HTMLButtonElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(document.activeElement);

  async function load() {
    const got = await action.run("load", () => api.get<{ queues: Record<string, unknown>[]; agents: AgentEntry[] }>("/api/agent/directory"),
      t("xfer.unavailable"));
    if (got) {
      setDir({ queues: got.queues.map(normaliseQueue), agents: got.agents });
      setLoadError(null);
    } else setLoadError(t("xfer.unavailable"));
  }

  useEffect(() => {
    void load();
    api.get<{ id: string }>("/api/agent").then((me) => setSelf(me.id), () => undefined);  // never offer myself
    bus.send({ type: "directory", on: true });
    const offs = [
      bus.on("*", (f) => setDir((d) => (d ? applyDirectoryFrame(d, f) : d))),
      bus.on("snapshot", () => { bus.send({ type: "directory", on: true }); void load(); }),
    ];
    search.current?.focus();
    return () => {
      offs.forEach((off) => off());
      bus.send({ type: "directory", on: false });
      (opener.current as HTMLElement | null)?.focus?.();
    };
  }, []);

  const list = useMemo(() => (dir ? options(dir, query, mode, item.channel, self) : []), [dir, query, mode, item.channel, self]);
  const current = list[Math.min(active, list.length - 1)] ?? null;
  const queue = (id: string) => dir?.queues.find((q) => q.id === id);
  const agent = (id: string) => dir?.agents.find((a) => a.id === id);

  function keydown(e: KeyboardEvent) {
    const last = list.length - 1;
    if (e.key === "ArrowDown") setActive((i) => Math.min(last, i + 1));
    else if (e.key === "ArrowUp") setActive((i) => Math.max(0, i - 1));
    else if (e.key === "Home" && e.target !== search.current) setActive(0);
    else if (e.key === "End" && e.target !== search.current) setActive(last);
    else if (e.key === "Enter" && current) {
      setChosen(current);
      window.setTimeout(() => confirmBtn.current?.focus(), 0);
    } else return;
    e.preventDefault();
  }

  /** Escape closes; Tab stays inside the dialog (it is modal). */
  function trap(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      props.onClose();
      return;
    }
    if (e.key !== "Tab" || !dialog.current) return;
    const focusable = Array.from(dialog.current.querySelectorAll<HTMLElement>("input, select, button:not([disabled]), [tabindex='0']"));
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  async function confirm() {
    if (!chosen) return;
    if (mode === "consult") {
      const ok = await action.run("go", () => api.post(`/api/voice/contacts/${enc(item.contact_id)}/consult`, { agent: chosen.id }));
      if (ok === undefined) return;
      setConsulting({ contact_id: item.contact_id, agent_id: chosen.id, name: chosen.name, conference: false });
    } else {
      const body = chosen.kind === "queue" ? { queue_id: chosen.id } : { agent_id: chosen.id };
      const ok = await action.run("go", () => api.post(`/api/agent/contacts/${enc(item.contact_id)}/transfer`, body));
      if (ok === undefined) return;
    }
    props.onClose();
  }

  function detail(o: Option): string {
    if (o.kind === "queue") {
      const q = queue(o.id);
      return q ? t("xfer.queue_detail", { waiting: q.waiting, longest: clock(q.longest_wait_s, locale), available: q.available }) : "";
    }
    const a = agent(o.id);
    return a ? t(`xfer.state_${a.state}`) + (a.reason ? ` (${a.reason})` : "") : "";
  }

  const title = t(mode === "consult" ? "xfer.title_consult" : "xfer.title_transfer");
  const listId = `pn-xfer-list-${item.contact_id}`;
  const optId = (o: Option) => `pn-xfer-${o.kind}-${o.id}`;
  let group = "";
  return (
    <div class="pn-overlay" onKeyDown={trap}>
      <div ref={dialog} class="pn-dialog" role="dialog" aria-modal="true" aria-labelledby="pn-xfer-title">
        <h2 id="pn-xfer-title" class="pn-h2">{title}</h2>
        <label class="pn-field">
          <span>{t("xfer.search")}</span>
          <input ref={search} type="search" role="combobox" aria-expanded="true" aria-controls={listId} aria-autocomplete="list"
            aria-activedescendant={current ? optId(current) : undefined} value={query} onKeyDown={keydown}
            onInput={(e) => { setQuery((e.currentTarget as HTMLInputElement).value); setActive(0); }} />
        </label>
        {loadError && <p class="pn-error" role="alert">{loadError}</p>}
        <ul id={listId} class="pn-listbox" role="listbox" aria-label={title} tabIndex={-1} onKeyDown={keydown}>
          {list.map((o, i) => {
            const heading = o.kind !== group ? (group = o.kind) : null;
            return [
              heading && <li key={`h-${heading}`} role="presentation" class="pn-group">{t(heading === "queue" ? "xfer.queues" : "xfer.agents")}</li>,
              <li key={optId(o)} id={optId(o)} role="option" aria-selected={chosen?.id === o.id && chosen.kind === o.kind}
                class={`pn-option${i === active ? " pn-active" : ""}`} onMouseEnter={() => setActive(i)}
                onClick={() => { setActive(i); setChosen(o); }}>
                <span class={`pn-dot pn-dot-${o.availability}`} aria-hidden="true" />
                <span class="pn-opt-name"><bdi>{o.name}</bdi></span>
                <span class="pn-opt-detail">{t(`xfer.avail_${o.availability}`)} · {detail(o)}</span>
              </li>,
            ];
          })}
          {dir && list.length === 0 && <li role="presentation" class="pn-hint">{t("xfer.none")}</li>}
        </ul>
        <p class="pn-sr" role="status" aria-live="polite">{dir ? t("xfer.count", { n: list.length }) : t("panes.loading")}</p>
        {action.error && !loadError && <p class="pn-error" role="alert">{action.error}</p>}
        <div class="pn-row pn-end">
          <button type="button" class="pn-btn" onClick={props.onClose}>{t("xfer.cancel")}</button>
          <button ref={confirmBtn} type="button" class="pn-btn pn-primary" disabled={!chosen || !!action.busy} onClick={() => void confirm()}>
            {chosen ? t(mode === "consult" ? "xfer.consult_with" : "xfer.transfer_to", { name: chosen.name }) : t(mode === "consult" ? "xfer.consult" : "xfer.transfer")}
          </button>
        </div>
      </div>
    </div>
  );
}

export default TransferPicker;

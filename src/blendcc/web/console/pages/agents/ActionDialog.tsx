// The agent grid's actions for one agent, in a modal dialog that is also the confirmation: pick the action
// and its details, read what will happen, confirm. Escape or Cancel closes it; Tab stays inside; the
// server's error shows in the dialog. Every action is audited by the server.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import type { Api, T } from "../../types";
import { labelOf } from "./cells";
import { AUX_REASONS, type GridRow } from "./model";

type Action = "available" | "aux" | "logout" | "message" | "move";
const ACTIONS: Action[] = ["available", "aux", "logout", "message", "move"];

interface Props {
  row: GridRow;
  /** agent id -> name, for the "move to an agent" choice */
  names: Record<string, string>;
  queues: string[];
  api: Api;
  t: T;
  onDone(message: string): void;
  onClose(): void;
}

export function ActionDialog({ row, names, queues, api, t, onDone, onClose }: Props) {
  const [action, setAction] = useState<Action>(row.state === "aux" || !row.logged_in ? "available" : "aux");
  const [reason, setReason] = useState(AUX_REASONS[0]);
  const [text, setText] = useState("");
  const [contact, setContact] = useState(row.contacts[0]?.contact_id ?? "");
  const [to, setTo] = useState<"queue" | "agent">("queue");
  const [queue, setQueue] = useState(queues.find((q) => q !== row.contacts[0]?.queue_id) ?? queues[0] ?? "");
  const others = Object.entries(names).filter(([id]) => id !== row.id);
  const [agent, setAgent] = useState(others[0]?.[0] ?? "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLFormElement>(null);
  const first = useRef<HTMLSelectElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => first.current?.focus(), []);
  // Escape closes it wherever the focus is (a disabled button drops it to the page); a layout effect, so the
  // key works from the first frame the dialog is shown (an effect runs after paint: an early Escape was lost)
  useLayoutEffect(() => {
    const onEscape = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener("keydown", onEscape);
    return () => document.removeEventListener("keydown", onEscape);
  }, [onClose]);

  const name = row.name;
  const target = to === "queue" ? queue : names[agent] ?? agent;
  const confirmText = {
    available: t("grid.confirm_available", { name }),
    aux: t("grid.confirm_aux", { name, reason: labelOf(t, "reason", reason) }),
    logout: t("grid.confirm_logout", { name }),
    message: t("grid.confirm_message", { name }),
    move: t("grid.confirm_move", { contact, target }),
  }[action];
  const ready = action === "message" ? text.trim() !== "" : action === "move" ? !!contact && !!target : true;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError("");
    const id = encodeURIComponent(row.id);
    try {
      let message: string;
      if (action === "message") {
        const sent = await api.post<{ logged_in: boolean }>(`/api/supervisor/agents/${id}/message`, { text });
        message = sent.logged_in ? t("grid.done_message", { name }) : t("grid.done_message_offline", { name });
      } else if (action === "move") {
        await api.post(`/api/supervisor/contacts/${encodeURIComponent(contact)}/move`,
                       to === "queue" ? { queue_id: queue } : { agent_id: agent });
        message = t("grid.done_move", { contact });
      } else {
        const status = action === "logout" ? "offline" : action;
        await api.post(`/api/supervisor/agents/${id}/state`, action === "aux" ? { status, reason } : { status });
        message = t("grid.done_state", { name });
      }
      onDone(message);
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
      requestAnimationFrame(() => confirm.current?.focus());  // back in the dialog, beside the error
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Tab" && box.current) {  // keep the focus inside the dialog
      const items = [...box.current.querySelectorAll<HTMLElement>("select, textarea, input, button")]
        .filter((el) => !(el as HTMLButtonElement).disabled);
      const [head, tail] = [items[0], items[items.length - 1]];
      if (e.shiftKey && document.activeElement === head) {
        e.preventDefault();
        tail?.focus();
      } else if (!e.shiftKey && document.activeElement === tail) {
        e.preventDefault();
        head?.focus();
      }
    }
  };
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

  return (
    <div class="grid-backdrop" onKeyDown={onKeyDown}>
      <form ref={box} class="card grid-dialog" role="dialog" aria-modal="true" aria-labelledby="grid-dialog-h"
            aria-describedby="grid-dialog-confirm" onSubmit={submit}>
        <h2 id="grid-dialog-h">{t("grid.dialog_title", { name })}</h2>
        <div class="field"><label for="grid-action">{t("grid.action")}</label>
          <select id="grid-action" ref={first} value={action} onChange={(e) => { setAction(value(e) as Action); setError(""); }}>
            {ACTIONS.map((a) => <option key={a} value={a}>{t(`grid.do_${a}`)}</option>)}
          </select>
        </div>
        {action === "aux" && (
          <div class="field"><label for="grid-reason">{t("grid.reason")}</label>
            <select id="grid-reason" value={reason} onChange={(e) => setReason(value(e))}>
              {AUX_REASONS.map((r) => <option key={r} value={r}>{labelOf(t, "reason", r)}</option>)}
            </select>
          </div>
        )}
        {action === "message" && (
          <div class="field"><label for="grid-message">{t("grid.message")}</label>
            <textarea id="grid-message" rows={3} maxLength={1000} value={text} aria-describedby="grid-message-hint"
                      onInput={(e) => setText(value(e))} />
            <small id="grid-message-hint" class="muted">{t("grid.message_hint")}</small>
          </div>
        )}
        {action === "move" && (row.contacts.length === 0
          ? <p class="muted">{t("grid.no_contact", { name })}</p>
          : <>
            <div class="field"><label for="grid-contact">{t("grid.contact")}</label>
              <select id="grid-contact" value={contact} onChange={(e) => setContact(value(e))}>
                {row.contacts.map((c) => (
                  <option key={c.contact_id} value={c.contact_id}>
                    {`${labelOf(t, "channel", c.channel)} · ${c.queue_id ?? "–"} · ${c.contact_id}`}
                  </option>
                ))}
              </select>
            </div>
            <fieldset class="grid-to">
              <legend>{t("grid.move_to")}</legend>
              <label><input type="radio" name="grid-to" checked={to === "queue"} onChange={() => setTo("queue")} /> {t("grid.to_queue")}</label>
              <label><input type="radio" name="grid-to" checked={to === "agent"} onChange={() => setTo("agent")} /> {t("grid.to_agent")}</label>
            </fieldset>
            {to === "queue"
              ? <div class="field"><label for="grid-queue">{t("grid.queue")}</label>
                  <select id="grid-queue" value={queue} onChange={(e) => setQueue(value(e))}>
                    {queues.map((q) => <option key={q} value={q}>{q}</option>)}
                  </select>
                </div>
              : <div class="field"><label for="grid-agent">{t("grid.target_agent")}</label>
                  <select id="grid-agent" value={agent} onChange={(e) => setAgent(value(e))}>
                    {others.map(([id, n]) => <option key={id} value={id}>{n === id ? id : `${n} (${id})`}</option>)}
                  </select>
                </div>}
          </>)}
        <p id="grid-dialog-confirm" class="grid-confirm">{confirmText}</p>
        {error && <p class="banner error" role="alert">{error}</p>}
        <div class="grid-dialog-actions">
          <button ref={confirm} type="submit" class="btn primary" disabled={!ready || busy}>{busy ? t("grid.working") : t("grid.confirm")}</button>
          <button type="button" class="btn" onClick={onClose}>{t("grid.cancel")}</button>
        </div>
      </form>
    </div>
  );
}

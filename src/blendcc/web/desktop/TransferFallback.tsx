// The shell's own transfer form (to one of the agent's queues) until the transfer picker with live
// availability is merged (slots.ts TRANSFER_PICKER). A modal dialog: Escape closes, focus stays inside.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AgentView, Api, T, WorkItem } from "./types";
import { errorText } from "../shared/http";

interface Props {
  item: WorkItem;
  view: AgentView | null;
  api: Api;
  t: T;
  mode: "transfer" | "consult";
  onClose(): void;
}

export function TransferFallback({ item, view, api, t, mode, onClose }: Props) {
  const queues = view?.queues ?? [];
  const [queue, setQueue] = useState(queues[0] ?? "");
  const [error, setError] = useState("");
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.post(`/api/agent/contacts/${encodeURIComponent(item.contact_id)}/transfer`, { queue_id: queue });
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="modal-backdrop" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <form class="card modal" role="dialog" aria-modal="true" aria-labelledby="transfer-title" onSubmit={submit}>
        <h2 id="transfer-title">{mode === "consult" ? t("transfer.consult_title") : t("transfer.title")}</h2>
        <label class="field">
          <span>{t("transfer.queue")}</span>
          <select ref={first} value={queue} onChange={(e) => setQueue((e.currentTarget as HTMLSelectElement).value)}>
            {queues.map((q) => <option key={q} value={q}>{q}</option>)}
          </select>
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="submit" class="btn primary" disabled={!queue}>{t("transfer.submit")}</button>
          <button type="button" class="btn ghost" onClick={onClose}>{t("cancel")}</button>
        </div>
      </form>
    </div>
  );
}

// The conversation-state buttons of a digital pane: waiting for the customer (pending), snooze for a while,
// reopen, and done (the shell's wrap-up form ends it with a disposition).
import { useState } from "preact/hooks";
import type { Api, T } from "../../types";
import { useAction } from "../common";

const SNOOZES = [3600, 4 * 3600, 24 * 3600];

export function ConversationStates(props: { contactId: string; api: Api; t: T; closed: boolean; openWrapUp(): void }) {
  const { api, t } = props;
  const action = useAction(t);
  const [state, setState] = useState<string | null>(null);
  const [snooze, setSnooze] = useState(SNOOZES[0]);
  const path = `/api/contacts/${encodeURIComponent(props.contactId)}/state`;

  async function move(to: "open" | "pending" | "snoozed") {
    const body = to === "snoozed" ? { state: to, until: Date.now() / 1000 + snooze } : { state: to };
    const out = await action.run(to, () => api.post<{ state: string }>(path, body));
    if (out) setState(out.state);
  }

  const disabled = props.closed || !!action.busy;
  return (
    <div class="pn-states">
      <div class="pn-row" role="group" aria-label={t("cstate.state")}>
        {state && state !== "open"
          ? <button type="button" class="pn-btn" disabled={disabled} onClick={() => void move("open")}>{t("cstate.reopen")}</button>
          : <button type="button" class="pn-btn" disabled={disabled} onClick={() => void move("pending")}>{t("cstate.pending")}</button>}
        <label class="pn-inline">
          <span class="pn-sr">{t("cstate.snooze_for")}</span>
          <select value={String(snooze)} disabled={disabled} onChange={(e) => setSnooze(Number((e.currentTarget as HTMLSelectElement).value))}>
            {SNOOZES.map((s) => <option key={s} value={String(s)}>{t(`cstate.snooze_${s / 3600}h`)}</option>)}
          </select>
        </label>
        <button type="button" class="pn-btn" disabled={disabled} onClick={() => void move("snoozed")}>{t("cstate.snooze")}</button>
        <button type="button" class="pn-btn pn-primary" disabled={props.closed} onClick={props.openWrapUp}>{t("cstate.done")}</button>
      </div>
      <p class="pn-sr" role="status" aria-live="polite">{state ? t(`cstate.is_${state}`) : ""}</p>
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
    </div>
  );
}

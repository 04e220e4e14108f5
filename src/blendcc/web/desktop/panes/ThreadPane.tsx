// The shell's own pane for channels without one yet (email, voice until their panes are merged): the
// thread read-only, the contact's basic actions (hold / resume / end / transfer / wrap up).
import { useState } from "preact/hooks";
import type { PaneProps } from "../types";
import { errorText } from "../../shared/http";
import { useThread } from "./thread";
import { MessageList } from "./MessageList";

export function ThreadPane({ item, api, bus, t, locale, openWrapUp, openTransfer }: PaneProps) {
  const thread = useThread(item.contact_id, api, bus);
  const [error, setError] = useState("");
  const act = async (action: string) => {
    setError("");
    try {
      await api.post(`/api/agent/contacts/${encodeURIComponent(item.contact_id)}/${action}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const live = item.stage === "busy" || item.stage === "held";
  return (
    <div class="pane pane-thread">
      <div class="pane-toolbar" role="toolbar" aria-label={t("pane.actions")}>
        {item.stage === "busy" && <button type="button" class="btn" onClick={() => void act("hold")}>{t("pane.hold")}</button>}
        {item.stage === "held" && <button type="button" class="btn" onClick={() => void act("resume")}>{t("pane.resume")}</button>}
        {live && <button type="button" class="btn" onClick={() => openTransfer("transfer")}>{t("pane.transfer")}</button>}
        {live && <button type="button" class="btn" onClick={() => void act("end")}>{t("pane.end")}</button>}
        <button type="button" class="btn" onClick={openWrapUp}>{t("pane.wrap_up")}</button>
      </div>
      {(error || thread.error) && <p class="error" role="alert">{error || thread.error}</p>}
      <MessageList messages={thread.messages} contactId={item.contact_id} api={api} t={t} lang={locale} typing={false} />
    </div>
  );
}

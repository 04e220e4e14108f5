// The chat-type pane (chat, web chat, SMS, WhatsApp, Messenger, Telegram, social): the live thread, the
// customer's typing, unread count and read receipts, the 24-hour window, the conversation's state
// (pending / snooze / resolve) and the reply box.
import { useEffect, useRef, useState } from "preact/hooks";
import type { PaneProps } from "../../types";
import { errorText } from "../../../shared/http";
import { formatDuration } from "../../i18n";
import { useNow } from "../../hooks";
import { useThread } from "../thread";
import { MessageList } from "../MessageList";
import { Composer } from "./Composer";
import { windowLeft } from "./window24";
import { TemplateForm } from "./TemplateForm";

/** Channels whose customer sees the agent's read marks (POST /api/contacts/{id}/read). */
const READ_CHANNELS = new Set(["webchat", "chat"]);
const SNOOZE_OPTIONS_H = [1, 4, 24];

export function ChatPane({ item, api, bus, t, locale, active, setUnread, openWrapUp, openTransfer }: PaneProps) {
  const thread = useThread(item.contact_id, api, bus);
  const now = useNow();
  const [error, setError] = useState("");
  const [snooze, setSnooze] = useState(false);
  const seenUpTo = useRef(0);
  const readSent = useRef("");
  const base = `/api/contacts/${encodeURIComponent(item.contact_id)}`;

  // unread: customer messages after the last time this tab was on screen; read receipts when it is
  const inbound = thread.messages.filter((m) => m.direction === "inbound");
  const lastInbound = inbound[inbound.length - 1];
  useEffect(() => {
    if (active && !document.hidden) {
      if (lastInbound) seenUpTo.current = Math.max(seenUpTo.current, lastInbound.at);
      setUnread(0);
      if (lastInbound && readSent.current !== lastInbound.id && READ_CHANNELS.has(item.channel)) {
        readSent.current = lastInbound.id;
        api.post(`${base}/read`, { message_id: lastInbound.id }).catch(() => undefined);
      }
    } else if (!thread.loading) {
      setUnread(inbound.filter((m) => m.at > seenUpTo.current).length);
    }
  }, [active, lastInbound?.id, thread.loading, inbound.length]);

  const left = windowLeft(item.channel, thread.messages, now);
  const closed = left !== null && left <= 0 && !thread.loading;
  const live = item.stage === "busy" || item.stage === "held";

  const setState = async (state: string, until?: number) => {
    setError("");
    setSnooze(false);
    try {
      await api.post(`${base}/${state === "resolved" ? "resolve" : "state"}`, state === "resolved" ? {} : { state, until });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const end = async () => {
    setError("");
    try {
      await api.post(`/api/agent/contacts/${encodeURIComponent(item.contact_id)}/end`);
      openWrapUp();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div class="pane pane-chat">
      <div class="pane-toolbar" role="toolbar" aria-label={t("pane.actions")}>
        {live && <button type="button" class="btn" onClick={() => void setState("pending")}>{t("conv.pending")}</button>}
        {live && (
          <span class="menu">
            <button type="button" class="btn" aria-expanded={snooze} onClick={() => setSnooze((s) => !s)}>{t("conv.snooze")}</button>
            {snooze && (
              <span class="menu-list" role="group" aria-label={t("conv.snooze")}
                    onKeyDown={(e) => e.key === "Escape" && setSnooze(false)}>
                {SNOOZE_OPTIONS_H.map((h) => (
                  <button key={h} type="button" class="btn small" onClick={() => void setState("snoozed", now + h * 3600)}>
                    {t("conv.snooze_for", { hours: h })}
                  </button>
                ))}
              </span>
            )}
          </span>
        )}
        {live && <button type="button" class="btn" onClick={() => void setState("resolved")}>{t("conv.resolve")}</button>}
        {live && <button type="button" class="btn" onClick={() => openTransfer("transfer")}>{t("pane.transfer")}</button>}
        {live && <button type="button" class="btn" onClick={() => void end()}>{t("pane.end")}</button>}
        <button type="button" class="btn" onClick={openWrapUp} aria-keyshortcuts="Alt+W">{t("pane.wrap_up")}</button>
      </div>
      {left !== null && (
        <p class={`window-info${closed ? " closed" : ""}`} role="status">
          {closed ? t("window.closed") : t("window.left", { time: formatDuration(locale, left) })}
        </p>
      )}
      {(error || thread.error) && <p class="error" role="alert">{error || thread.error}</p>}
      <MessageList messages={thread.messages} contactId={item.contact_id} api={api} t={t} lang={locale} typing={thread.customerTyping} />
      {closed && item.channel === "whatsapp" && live && (
        <TemplateForm contactId={item.contact_id} api={api} t={t} onSent={thread.upsert} />
      )}
      <Composer contactId={item.contact_id} channel={item.channel} api={api} t={t} freeTextClosed={closed}
                disabled={item.stage === "wrap_up" && item.state === "closed"} onSent={thread.upsert} />
    </div>
  );
}

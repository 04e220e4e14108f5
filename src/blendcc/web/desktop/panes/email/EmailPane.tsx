// The email conversation pane: the subject, the thread (loaded once, then kept current by the message
// frames of /ws/agent and reloaded after a reconnect's snapshot), the composer and the conversation-state
// buttons (pending, snooze, done -> the shell's wrap-up).
import { useEffect, useRef, useState } from "preact/hooks";
import type { PaneProps } from "../../types";
import { attr, errorText } from "../common";
import { Composer } from "./Composer";
import { ConversationStates } from "./ConversationStates";
import { MessageView } from "./MessageView";
import { applyFrame, lastInbound, MESSAGE_FRAMES, type Message, type Thread } from "./thread";
import "../panes.css";

export function EmailPane(props: PaneProps) {
  const { item, api, bus, t, locale, active } = props;
  const id = item.contact_id;
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announce, setAnnounce] = useState("");
  const unseen = useRef(0);
  const activeRef = useRef(active);
  activeRef.current = active;

  async function load() {
    try {
      const thread = await api.get<Thread>(`/api/contacts/${encodeURIComponent(id)}/messages`);
      setMessages((now) => {  // frames that came while loading are kept
        const ids = new Set(thread.messages.map((m) => m.id));
        return [...thread.messages, ...(now ?? []).filter((m) => !ids.has(m.id))].sort((a, b) => a.at - b.at);
      });
      setError(null);
    } catch (exc) {
      setError(errorText(t, exc));
    }
  }

  useEffect(() => {
    void load();
    const offs = MESSAGE_FRAMES.map((type) => bus.on(type, (f) => {
      if (f.contact_id !== id) return;
      setMessages((now) => applyFrame(now ?? [], f));
      if (f.type === "MessageReceived") {
        setAnnounce(t("email.new_mail"));
        if (!activeRef.current) props.setUnread(++unseen.current);
      }
    }));
    offs.push(bus.on("snapshot", () => void load()));  // after a reconnect: resynchronise the thread
    return () => offs.forEach((off) => off());
  }, [id]);

  useEffect(() => {
    if (active && unseen.current) {
      unseen.current = 0;
      props.setUnread(0);
    }
  }, [active]);

  const subject = attr(item.attributes, "subject") ?? messages?.find((m) => m.subject)?.subject ?? t("email.no_subject");
  const customer = attr(item.attributes, "caller_id");
  const mailbox = attr(item.attributes, "mailbox");
  const closed = item.stage === "wrap_up" || item.state === "closed";
  const last = lastInbound(messages ?? []);
  return (
    <div class="pn-pane pn-email" aria-busy={messages === null}>
      <header class="pn-head">
        <h2 class="pn-subject"><bdi>{subject}</bdi></h2>
        <p class="pn-sub">
          {customer && <span dir="ltr">{customer}</span>}
          {mailbox && <span>{t("email.mailbox", { name: mailbox })}</span>}
        </p>
        <ConversationStates contactId={id} api={api} t={t} closed={closed} openWrapUp={props.openWrapUp} />
      </header>
      <p class="pn-sr" role="status" aria-live="polite">{announce}</p>
      {error && <p class="pn-error" role="alert">{error} <button type="button" class="pn-link" onClick={() => void load()}>{t("panes.retry")}</button></p>}
      {messages === null && !error && <p class="pn-hint">{t("panes.loading")}</p>}
      <div class="pn-thread" role="log" aria-label={t("email.thread")} tabIndex={0}>
        {(messages ?? []).map((m) => (
          <MessageView key={m.id} m={m} api={api} t={t} locale={locale} mailbox={mailbox} customer={customer} />
        ))}
      </div>
      <Composer contactId={id} api={api} t={t} locale={locale} thread={messages ?? []} last={last} customer={customer}
        online={bus.online} closed={closed} onSent={(m) => setMessages((now) => (now ?? []).some((x) => x.id === m.id) ? now : [...(now ?? []), m])} />
    </div>
  );
}

export default EmailPane;

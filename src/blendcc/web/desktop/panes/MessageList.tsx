// The thread as an ARIA log: customer, agent and bot messages, internal notes (visibly different),
// attachments, and the delivery marks of the agent's messages.
import { useEffect, useRef } from "preact/hooks";
import type { Api, Message, T } from "../types";
import { formatTime } from "../i18n";
import { Attachment } from "./Attachment";

const MARKS: Record<string, string> = { queued: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };

interface Props {
  messages: Message[];
  contactId: string;
  api: Api;
  t: T;
  lang: string;
  typing: boolean;
}

export function MessageList({ messages, contactId, api, t, lang, typing }: Props) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [messages.length, typing]);

  return (
    <div class="thread" role="log" aria-live="polite" aria-label={t("thread.label")} tabIndex={0}>
      {messages.length === 0 && <p class="muted empty">{t("thread.empty")}</p>}
      {messages.map((m) => (
        <div key={m.id} class={`msg msg-${m.direction} by-${m.author.kind}`} data-testid={`msg-${m.direction}`}>
          <div class="msg-meta">
            <span>{m.direction === "note" ? t("thread.note") : t(`author.${m.author.kind}`)}</span>
            <time dateTime={new Date(m.at * 1000).toISOString()}>{formatTime(lang, m.at)}</time>
          </div>
          {m.body && <p class="msg-body" dir="auto">{m.body}</p>}
          {m.attachments.length > 0 && (
            <ul class="attachments">
              {m.attachments.map((a) => <Attachment key={a.id} file={a} contactId={contactId} api={api} t={t} lang={lang} />)}
            </ul>
          )}
          {m.direction === "outbound" && m.status && (
            <span class={`mark mark-${m.status}`} title={t(`status.${m.status}`)}>
              <span aria-hidden="true">{MARKS[m.status]}</span>
              <span class="sr-only">{t(`status.${m.status}`)}</span>
              {m.status === "failed" && m.status_reason ? ` ${m.status_reason}` : ""}
            </span>
          )}
        </div>
      ))}
      {typing && <p class="typing" aria-live="polite">{t("thread.customer_typing")}</p>}
      <div ref={end} />
    </div>
  );
}

// One contact of a drill-down: its facts, its conversation (messages and call transcript lines, in the order
// said) each with its sentiment, the customer's and agent's mean and end score, and its automatic QA signals.
import { Notice } from "../../ui/Notice";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { filtersOf, urlOf } from "./query";

interface Contact { contact_id: string; channel: string; queue_id: string | null; agent_id: string | null; state: string;
                    outcome?: string | null; disposition: string | null; created_at: number }
interface Said { message_id: string; at: number; author: string; kind: string; text: string; score: number; label: string }
interface Side { messages: number; mean: number | null; end: number | null; end_label: string | null }
interface Conversation { messages: Said[]; customer: Side; agent: Side }
interface Signals { signals: { kind: string; detail: string }[] }

export function ContactView({ api, t, lang, ctx, route, contactId }: PageProps & { contactId: string }) {
  const id = decodeURIComponent(contactId);
  const path = encodeURIComponent(id);
  const loaded = useLoad(() => Promise.all([api.get<Contact>(`/api/contacts/${path}`),
                                            api.get<Conversation>(`/api/analytics/sentiment/contacts/${path}`),
                                            api.get<Signals>(`/api/qa/signals/${path}`).catch(() => ({ signals: [] }))]), [id]);
  const f = filtersOf(route.query, ctx.timezone);
  const reason = route.query.get("reason") ?? "";
  const score = (v: number | null) => (v === null ? "–" : formatNumber(lang, v, 2));
  const [contact, talk, qa] = loaded.data ?? [null, null, null];
  return (
    <section aria-labelledby="an-contact-h" class="an rep">
      <p><a href={hrefOf("analytics/contacts", { ...urlOf(f), reason })}>{t("an.back_contacts", { reason })}</a></p>
      <h1 id="an-contact-h">{t("an.contact_h", { id })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {contact && talk && (
        <dl class="rep-totals rep-contact">
          <div><dt>{t("an.channel")}</dt><dd>{contact.channel}</dd></div>
          <div><dt>{t("an.queue")}</dt><dd>{contact.queue_id ?? "–"}</dd></div>
          <div><dt>{t("an.agent")}</dt><dd>{contact.agent_id ?? "–"}</dd></div>
          <div><dt>{t("an.source.disposition")}</dt><dd>{contact.disposition ?? "–"}</dd></div>
          <div><dt>{t("an.customer_mean")}</dt><dd>{score(talk.customer.mean)}</dd></div>
          <div><dt>{t("an.customer_end")}</dt><dd>{score(talk.customer.end)}{talk.customer.end_label && ` · ${t(`an.mood.${talk.customer.end_label}`)}`}</dd></div>
          <div><dt>{t("an.agent_mean")}</dt><dd>{score(talk.agent.mean)}</dd></div>
        </dl>
      )}
      {qa && qa.signals.length > 0 && (
        <ul class="an-signals" aria-label={t("an.signals")}>
          {qa.signals.map((s) => <li key={s.kind + s.detail}><strong>{t(`an.signal.${s.kind}`)}</strong> <span class="muted">{s.detail}</span></li>)}
        </ul>
      )}
      {talk && (
        <>
          <h2>{t("an.conversation_h")}</h2>
          {talk.messages.length === 0 && <p class="muted">{t("an.no_lines")}</p>}
          <ol class="an-talk">
            {talk.messages.map((m) => (
              <li key={m.message_id} class={`${m.author} ${m.label}`}>
                <span class="muted">{formatWhen(lang, m.at, ctx.timezone)} · {t(`an.author.${m.author}`)}{m.kind === "utterance" ? ` · ${t("an.said_on_call")}` : ""}</span>
                <span dir="auto">{m.text}</span>
                <span class="an-mood">{t(`an.mood.${m.label}`)} ({score(m.score)})</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

// One mail of the thread: who wrote it to whom, when, its body (sanitised HTML in a sandboxed iframe, or
// the plain text) and its attachments.
import type { Api, T } from "../../types";
import { Attachment as File } from "../Attachment";
import { when } from "../common";
import { srcdoc, type Attachment, type Message } from "./thread";

/** The mail's files, each read with the agent's token (the shell's Attachment: images inline, others
 * downloaded on click). */
function AttachmentList(props: { items: Attachment[]; contactId: string; api: Api; t: T; locale: string }) {
  if (!props.items.length) return null;
  return (
    <ul class="pn-attachments" aria-label={props.t("email.attachments")}>
      {props.items.map((a) => <File key={a.id} file={a} contactId={props.contactId} api={props.api} t={props.t} lang={props.locale} />)}
    </ul>
  );
}

function Addresses(props: { label: string; list: string[] }) {
  if (!props.list.length) return null;
  return (
    <div class="pn-hdr">
      <dt>{props.label}</dt>
      <dd dir="ltr">{props.list.join(", ")}</dd>
    </div>
  );
}

export function MessageView(props: {
  m: Message; api: Api; t: T; locale: string; mailbox: string | null; customer: string | null;
}) {
  const { m, t, locale } = props;
  const from = m.direction === "inbound" ? (m.address ?? props.customer ?? t("email.customer"))
    : m.direction === "note" ? t("email.note_by", { who: m.author.id ?? "" }) : (props.mailbox ?? t("email.agent"));
  const to = m.to?.length ? m.to : m.direction === "inbound" ? (props.mailbox ? [props.mailbox] : [])
    : m.direction === "outbound" && m.address ? [m.address] : [];
  const titleId = `pn-msg-${m.id}`;
  return (
    <article class={`pn-mail pn-mail-${m.direction}`} aria-labelledby={titleId}>
      <header>
        <dl class="pn-headers">
          <div class="pn-hdr">
            <dt>{t("email.from")}</dt>
            <dd id={titleId}><bdi>{from}</bdi></dd>
          </div>
          <Addresses label={t("email.to")} list={to} />
          <Addresses label={t("email.cc")} list={m.cc ?? []} />
        </dl>
        <span class="pn-meta">
          <time class="pn-when" dateTime={new Date(m.at * 1000).toISOString()}>{when(m.at, locale)}</time>
          {m.status && m.direction === "outbound" && (
            <span class={`pn-status pn-status-${m.status}`}>
              {" · "}{t(`email.status_${m.status}`)}{m.status_reason ? `: ${m.status_reason}` : ""}
            </span>
          )}
        </span>
      </header>
      {m.html
        ? <iframe class="pn-html" sandbox="" srcdoc={srcdoc(m.html)} title={t("email.body_of", { who: from })} loading="lazy" />
        : <div class="pn-text" dir="auto">{m.body}</div>}
      <AttachmentList items={m.attachments} contactId={m.contact_id} api={props.api} t={t} locale={locale} />
    </article>
  );
}

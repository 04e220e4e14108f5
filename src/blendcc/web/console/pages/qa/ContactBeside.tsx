// The contact under evaluation: its facts, the call's recordings (played through blob: URLs with the bearer
// token) and its lines in the order said (chat/email messages, call transcript utterances), automatic signals.
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { Api, PageProps } from "../../types";
import type { Signal } from "./types";

export interface Contact { contact_id: string; channel: string; queue_id: string | null; agent_id: string | null;
                           created_at: number; disposition: string | null }
interface Said { message_id: string; at: number; author: string; kind: string; text: string }
interface Recording { file: string; url: string; kind?: string }

export function ContactBeside({ api, t, lang, ctx, contact }: Pick<PageProps, "api" | "t" | "lang" | "ctx"> & { contact: Contact }) {
  const path = encodeURIComponent(contact.contact_id);
  const loaded = useLoad(() => Promise.all([
    api.get<{ messages: Said[] }>(`/api/analytics/sentiment/contacts/${path}`),
    contact.channel === "voice" ? api.get<Recording[]>(`/api/voice/contacts/${path}/recordings`).catch(() => []) : Promise.resolve([]),
    api.get<{ signals: Signal[] }>(`/api/qa/signals/${path}`).catch(() => ({ signals: [] as Signal[] }))]), [path]);
  const [talk, recordings, qa] = loaded.data ?? [null, [], null];
  return (
    <section class="qa-contact" aria-labelledby="qa-contact-h">
      <h2 id="qa-contact-h">{t("qa.contact_h", { id: contact.contact_id })}</h2>
      <dl class="rep-totals">
        <div><dt>{t("qa.channel")}</dt><dd>{t(`qa.ch.${contact.channel}`)}</dd></div>
        <div><dt>{t("qa.queue")}</dt><dd>{contact.queue_id ?? "–"}</dd></div>
        <div><dt>{t("qa.agent")}</dt><dd>{contact.agent_id ?? "–"}</dd></div>
        <div><dt>{t("qa.when")}</dt><dd>{formatWhen(lang, contact.created_at, ctx.timezone)}</dd></div>
      </dl>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {qa && qa.signals.length > 0 && (
        <ul class="an-signals" aria-label={t("qa.signals")}>
          {qa.signals.map((s) => <li key={s.kind + s.detail}><strong>{t(`an.signal.${s.kind}`)}</strong> <span class="muted">{s.detail}</span></li>)}
        </ul>
      )}
      {recordings.map((r) => <Player key={r.file} api={api} url={r.url} label={t("qa.recording", { file: r.file })} />)}
      {contact.channel === "voice" && loaded.data && recordings.length === 0 && <p class="muted">{t("qa.no_recording")}</p>}
      {talk && (
        <>
          <h3>{contact.channel === "voice" ? t("qa.transcript_h") : t("qa.thread_h")}</h3>
          {talk.messages.length === 0 && <p class="muted">{t("qa.no_lines")}</p>}
          <ol class="an-talk qa-talk">
            {talk.messages.map((m) => (
              <li key={m.message_id} class={m.author}>
                <span class="muted">{formatWhen(lang, m.at, ctx.timezone, false)} · {t(`an.author.${m.author}`)}</span>
                <span dir="auto">{m.text}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Player({ api, url, label }: { api: Api; url: string; label: string }) {
  const [src, setSrc] = useState("");
  useEffect(() => {
    let made = "";
    let live = true;
    api.blob?.(url).then((b) => { if (live) setSrc(made = URL.createObjectURL(b)); }, () => undefined);
    return () => { live = false; if (made) URL.revokeObjectURL(made); };
  }, [url]);
  return <audio class="qa-audio" controls preload="metadata" src={src || undefined} aria-label={label} />;
}

// Read a live chat, SMS or social conversation as it happens (reloaded on each of its events on the
// supervisor socket) and join it: the supervisor's message goes to the customer (audited).
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { formatWhen } from "../../ui/format";
import type { PageProps } from "../../types";
import type { LiveContact, Message } from "./types";

export function Thread({ api, socket, t, lang, ctx, contact }: Pick<PageProps, "api" | "socket" | "t" | "lang" | "ctx">
                       & { contact: LiveContact }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState("");
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const cid = contact.contact_id;
  const reload = useRef(() => {});
  useEffect(() => {
    let alive = true;
    reload.current = () => {
      api.get<{ messages: Message[] }>(`/api/contacts/${encodeURIComponent(cid)}/messages`).then(
        (r) => { if (alive) { setMessages(r.messages); setError(""); } }, (e: unknown) => alive && setError(errorText(e)));
    };
    reload.current();
    const off = socket.on("contact", (f) => { if (f.contact_id === cid) reload.current(); });
    const offSnap = socket.on("snapshot", () => reload.current());
    return () => { alive = false; off(); offSnap(); };
  }, [api, socket, cid]);
  const send = (e: Event) => {
    e.preventDefault();
    if (!draft.trim()) return;
    setBusy(true);
    api.post<Message>(`/api/supervisor/contacts/${encodeURIComponent(cid)}/messages`, { body: draft }).then(
      () => { setDraft(""); setError(""); reload.current(); }, (err: unknown) => setError(errorText(err))).finally(() => setBusy(false));
  };
  const agentName = (id: string | null) => (id && id === contact.agent_id ? contact.agent_name ?? id : id ?? t("mon.agent"));
  const who = (m: Message) => m.direction === "inbound" ? t("mon.customer")
    : m.author.id?.startsWith("supervisor:") ? t("mon.supervisor", { user: m.author.id.slice(11) })
    : m.direction === "note" ? t("mon.note", { agent: agentName(m.author.id) }) : agentName(m.author.id);
  return (
    <div class="mon-thread">
      <ol class="mon-messages" aria-live="polite" aria-label={t("mon.thread_label", { id: cid })}>
        {messages.map((m) => (
          <li key={m.id} class={`mon-msg ${m.direction}`}>
            <span class="mon-msg-who">{who(m)}</span> <span class="muted">{formatWhen(lang, m.at, ctx.timezone, false)}</span>
            <div class="mon-msg-body">{m.body}</div>
          </li>
        ))}
      </ol>
      {error && <p class="banner error" role="alert">{error}</p>}
      <form class="mon-join" onSubmit={send}>
        <label class="field"><span>{t("mon.join_label")}</span>
          <textarea rows={2} value={draft} maxLength={10000}
                    onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={busy || !draft.trim()}>{t("mon.join_send")}</button>
      </form>
    </div>
  );
}

// The chat view: the conversation (an aria-live log), queue position, typing, marks, attachments,
// the composer, and once the chat has ended the CSAT stars and the transcript by email.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Chat, Local } from "./chat-state";
import { ClipIcon, CloseIcon } from "./icons";
import { formatBytes, formatNumber, formatTime, type Translate } from "./i18n";
import { HttpError, type Api, type Attachment, type Config, type Message, type Session } from "./protocol";

interface Staged {
  key: string;
  name: string;
  attachment: Attachment | null;
  error: string | null;
}

function Mark(props: { t: Translate; status: "sending" | "sent" | "delivered" | "read"; shown: boolean }) {
  const glyph = props.status === "sending" ? "◷" : props.status === "sent" ? "✓" : "✓✓";
  const label = props.t(`status_${props.status}`);
  return <span class={`mark mark-${props.status}`} data-status={props.status} title={label}>
    <span aria-hidden="true">{glyph}</span> <span class={props.shown ? "mark-label" : "sr"}>{label}</span>
  </span>;
}

function AttachmentButton(props: { t: Translate; api: Api; session: Session; attachment: Attachment; lang: string }) {
  const { attachment } = props;
  const [failed, setFailed] = useState(false);
  async function open() {
    let blob: Blob;
    try {
      blob = await props.api.download(props.session, attachment);
      setFailed(false);
    } catch {
      setFailed(true);
      return;
    }
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = attachment.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return (
    <button type="button" class="attachment" onClick={open} aria-label={props.t("download", { name: attachment.name })}>
      <ClipIcon /> <bdi>{attachment.name}</bdi> <span class="size">({formatBytes(props.lang, attachment.size)})</span>
      {failed && <span class="error" role="alert"> {props.t("error_generic")}</span>}
    </button>
  );
}

function Bubble(props: {
  t: Translate; lang: string; m: Message | Local; own: boolean; newest?: boolean; author: string; api: Api; session: Session;
}) {
  const { m, own, t } = props;
  const message = "seq" in m ? m : null;
  const system = message?.author.kind === "system";
  const status = message === null ? "sending" : (message.status ?? "sent");
  return (
    <li class={`msg ${own ? "own" : system ? "system" : "theirs"}`} data-id={message?.id ?? m.client_id}>
      {!system && <bdi class="who">{props.author}</bdi>}
      {m.body && <p class="body" dir="auto">{m.body}</p>}
      {m.attachments.map((a) => <AttachmentButton key={a.id} t={t} api={props.api} session={props.session} attachment={a} lang={props.lang} />)}
      <span class="meta">
        <time>{formatTime(props.lang, m.at)}</time>
        {own && <Mark t={t} status={status} shown={props.newest === true} />}
      </span>
    </li>
  );
}

function Stars(props: { t: Translate; lang: string; onRate(score: number, comment: string | null): void }) {
  const { t } = props;
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  return (
    <form class="rate" onSubmit={(e) => { e.preventDefault(); if (score) props.onRate(score, comment.trim() || null); }}>
      <fieldset>
        <legend>{t("rate_prompt")}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} class={n <= score ? "star on" : "star"}>
              <input type="radio" name="score" value={n} checked={score === n} onChange={() => setScore(n)} class="sr" />
              <span aria-hidden="true">★</span>
              <span class="sr">{t("rate_star", { n: formatNumber(props.lang, n) })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label for="bcc-rate-comment">{t("rate_comment")}</label>
      <textarea id="bcc-rate-comment" dir={comment ? "auto" : undefined} rows={2} maxLength={1000} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
      <button class="primary" type="submit" disabled={!score}>{t("rate_submit")}</button>
    </form>
  );
}

function Ended(props: {
  t: Translate; lang: string; chat: Chat; email: string | null; rated: boolean; onRate(score: number, comment: string | null): void;
  onTranscript(email: string | null): Promise<void>; onNew(): void;
}) {
  const { t } = props;
  const [email, setEmail] = useState(props.email ?? "");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function transcript(e: Event) {
    e.preventDefault();
    try {
      await props.onTranscript(email.trim() || null);
      setSent(true);
      setError(null);
    } catch (exc) {
      setError(exc instanceof HttpError && exc.status === 422 ? t("invalid_email") : t("error_generic"));
    }
  }
  return (
    <div class="ended">
      <p class="notice" role="status">{props.chat.ended?.by === "agent" ? t("ended_by_agent") : t("ended")}</p>
      {props.rated ? <p class="done" role="status">{t("rate_thanks")}</p> : <Stars t={t} lang={props.lang} onRate={props.onRate} />}
      {sent ? <p class="done" role="status">{t("transcript_sent")}</p> : (
        <form class="transcript" onSubmit={transcript}>
          <label for="bcc-transcript-email">{t("transcript_prompt")}</label>
          <div class="row">
            <input id="bcc-transcript-email" type="email" autocomplete="email" maxLength={254} placeholder={t("transcript_email")}
              value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit">{t("transcript_send")}</button>
          </div>
          {error && <p class="error" role="alert">{error}</p>}
        </form>
      )}
      <button type="button" class="link" onClick={props.onNew}>{t("new_chat")}</button>
    </div>
  );
}

export function ChatView(props: {
  t: Translate; lang: string; config: Config; api: Api; session: Session; chat: Chat; email: string | null; visible: boolean; rated: boolean;
  send(body: string, attachments: Attachment[]): void; typing(on: boolean): void; read(messageId: string): void;
  end(): void; rate(score: number, comment: string | null): void; transcript(email: string | null): Promise<void>; newChat(): void;
}) {
  const { t, chat, config, lang } = props;
  const [text, setText] = useState("");
  const [staged, setStaged] = useState<Staged[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const typingOn = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>();
  const lastRead = useRef<string | null>(null);

  useEffect(() => { // newest message in view
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [chat.messages.length, chat.local.length, chat.typing, chat.ended]);

  useEffect(() => { // the customer sees the agent's messages: mark them read up to the newest
    if (!props.visible) return;
    const theirs = chat.messages.filter((m) => m.direction === "outbound");
    const newest = theirs[theirs.length - 1];
    if (newest && newest.id !== lastRead.current && chat.link === "up") {
      lastRead.current = newest.id;
      props.read(newest.id);
    }
  }, [chat.messages, chat.link, props.visible]);

  function stopTyping() {
    clearTimeout(typingTimer.current);
    if (typingOn.current) {
      typingOn.current = false;
      props.typing(false);
    }
  }

  function onInput(e: Event) {
    setText((e.currentTarget as HTMLTextAreaElement).value);
    if (!typingOn.current) {
      typingOn.current = true;
      props.typing(true);
    }
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, 3000);
  }

  async function onFiles(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = "";
    setProblem(null);
    for (const file of files) {
      if (file.size > config.max_attachment_bytes) {
        setProblem(t("attachment_too_large", { name: file.name, max: formatBytes(lang, config.max_attachment_bytes) }));
        continue;
      }
      if (config.attachment_types.length && !config.attachment_types.includes(file.type)) {
        setProblem(t("attachment_type", { name: file.name }));
        continue;
      }
      const key = `${file.name}-${Date.now()}-${Math.random()}`;
      setStaged((s) => [...s, { key, name: file.name, attachment: null, error: null }]);
      try {
        const attachment = await props.api.upload(props.session, file);
        setStaged((s) => s.map((x) => (x.key === key ? { ...x, attachment } : x)));
      } catch (exc) {
        const reason = exc instanceof HttpError ? exc.message : t("error_generic");
        setStaged((s) => s.filter((x) => x.key !== key));
        setProblem(t("upload_failed", { name: file.name, reason }));
      }
    }
  }

  function submit(e: Event) {
    e.preventDefault();
    const ready = staged.filter((s) => s.attachment !== null).map((s) => s.attachment as Attachment);
    if (!text.trim() && ready.length === 0) return;
    if (staged.some((s) => s.attachment === null)) return; // still uploading
    props.send(text.trim(), ready);
    setText("");
    setStaged([]);
    stopTyping();
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
  }

  const author = (m: Message): string => {
    if (m.author.kind === "customer") return t("you");
    if (m.author.kind === "bot") return m.author.name ?? t("bot");
    if (m.author.name) return m.author.name;
    return m.author.role === "supervisor" ? t("supervisor") : t("agent");
  };
  const ended = chat.state === "ended";
  const ownMessages = chat.messages.filter((m) => m.direction === "inbound");
  const newestOwn = chat.local.length ? null : ownMessages[ownMessages.length - 1]?.id ?? null;
  const wait = chat.queue?.expected_wait_s;

  return (
    <div class="chat">
      {chat.link === "down" && <p class="banner" role="status">{t("reconnecting")}</p>}
      {chat.state === "queued" && chat.queue && (
        <div class="queue" role="status" data-position={chat.queue.position}>
          <p>{t("queue_position", { position: formatNumber(lang, chat.queue.position) })}</p>
          {wait !== null && wait !== undefined && (
            <p>{wait < 60 ? t("expected_wait_short") : t("expected_wait", { minutes: formatNumber(lang, Math.round(wait / 60)) })}</p>
          )}
        </div>
      )}
      {chat.state === "queued" && !chat.queue && <p class="queue" role="status">{t("waiting_agent")}</p>}
      <ol class="log" ref={logRef} role="log" aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={config.centre_name}>
        {chat.messages.map((m) => (
          <Bubble key={m.id} t={t} lang={lang} m={m} own={m.direction === "inbound"} newest={m.id === newestOwn} author={author(m)}
            api={props.api} session={props.session} />
        ))}
        {chat.local.map((l, i) => (
          <Bubble key={l.client_id} t={t} lang={lang} m={l} own newest={i === chat.local.length - 1} author={t("you")} api={props.api}
            session={props.session} />
        ))}
      </ol>
      <p class="typing" aria-live="polite">
        {chat.typing ? (chat.typing.name ? t("typing", { name: chat.typing.name }) : t("typing_anon")) : ""}
      </p>
      {chat.notice && <p class="error" role="alert">{chat.notice}</p>}
      {ended ? (
        <Ended t={t} lang={lang} chat={chat} email={props.email} rated={props.rated} onRate={props.rate} onTranscript={props.transcript} onNew={props.newChat} />
      ) : (
        <form class="composer" onSubmit={submit}>
          {problem && <p class="error" role="alert">{problem}</p>}
          {staged.length > 0 && (
            <ul class="staged">
              {staged.map((s) => (
                <li key={s.key}>
                  <bdi>{s.attachment ? s.name : t("uploading", { name: s.name })}</bdi>
                  <button type="button" class="icon" aria-label={t("remove_attachment", { name: s.name })}
                    onClick={() => setStaged((all) => all.filter((x) => x.key !== s.key))}><CloseIcon /></button>
                </li>
              ))}
            </ul>
          )}
          <div class="row">
            <label class="icon attach" title={t("attach")}>
              <input type="file" class="sr" multiple accept={config.attachment_types.join(",")} onChange={onFiles} aria-label={t("attach")} />
              <ClipIcon />
            </label>
            <label for="bcc-message" class="sr">{t("message_label")}</label>
            <textarea id="bcc-message" dir={text ? "auto" : undefined} rows={1} maxLength={10000} placeholder={t("message_placeholder")} value={text} onInput={onInput}
              onKeyDown={onKey} />
            <button type="submit" class="primary send">{t("send")}</button>
          </div>
          <button type="button" class="link end" onClick={props.end}>{t("end_chat")}</button>
        </form>
      )}
    </div>
  );
}

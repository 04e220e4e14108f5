// The reply box: a draft per contact (kept across reloads), Enter to send (Shift+Enter: new line), the
// internal-note toggle, canned responses with "/", emoji, attachments, and the agent's typing indicator.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api, Message, T } from "../../types";
import { errorText } from "../../../shared/http";
import { clearDraft, loadDraft, saveDraft } from "../../drafts";
import { CannedList, type CannedItem } from "./Canned";
import { EMOJI } from "./emoji";
import { KB_INSERT, linkedArticles, recordUse, type KbInsert } from "../../kbUse";

/** Channels whose customer sees the agent typing (POST /api/contacts/{id}/typing). */
const TYPING_CHANNELS = new Set(["webchat", "chat"]);
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

interface Attached {
  id: string;
  name: string;
  media_type: string;
  size: number;
  uri: string;
}

interface Props {
  contactId: string;
  channel: string;
  api: Api;
  t: T;
  /** free text refused (the 24-hour window closed): only notes */
  freeTextClosed: boolean;
  disabled: boolean;
  onSent(m: Message): void;
}

export function Composer({ contactId, channel, api, t, freeTextClosed, disabled, onSent }: Props) {
  const initial = loadDraft(contactId);
  const [text, setText] = useState(initial.text);
  const [note, setNote] = useState(initial.note || freeTextClosed);
  const [files, setFiles] = useState<Attached[]>([]);
  const [canned, setCanned] = useState<CannedItem[] | null>(null);
  const [pick, setPick] = useState(0);
  const [emoji, setEmoji] = useState(false);
  const [error, setError] = useState("");
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const typing = useRef({ on: false, last: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });
  const cannedSeq = useRef(0);
  const base = `/api/contacts/${encodeURIComponent(contactId)}`;

  useEffect(() => saveDraft(contactId, { text, note }), [contactId, text, note]);
  useEffect(() => {
    if (freeTextClosed) setNote(true);
  }, [freeTextClosed]);
  useEffect(() => () => clearTimeout(typing.current.idle), []);

  const sendTyping = (on: boolean) => {
    if (!TYPING_CHANNELS.has(channel)) return;
    typing.current.on = on;
    typing.current.last = Date.now();
    api.post(`${base}/typing`, { on }).catch(() => undefined); // best effort: a lost mark is harmless
  };

  const typed = (value: string) => {
    setText(value);
    saveDraft(contactId, { text: value, note }); // at once: a reload right after typing keeps it
    const m = /^\/([a-z0-9_-]*)$/i.exec(value);
    if (m) {
      const seq = ++cannedSeq.current;
      api.get<CannedItem[]>(`/api/canned?query=${encodeURIComponent(m[1])}&limit=8`)
        .then((items) => {
          if (seq === cannedSeq.current) {
            setCanned(items);
            setPick(0);
          }
        })
        .catch((e) => setError(errorText(e)));
    } else if (canned) {
      cannedSeq.current += 1;
      setCanned(null);
    }
    if (note || !value) return;
    const tt = typing.current;
    if (!tt.on || Date.now() - tt.last > TYPING_REPEAT_MS) sendTyping(true);
    clearTimeout(tt.idle);
    tt.idle = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
  };

  const applyCanned = async (item: CannedItem) => {
    setCanned(null);
    try {
      const r = await api.post<{ text: string }>(`/api/canned/${encodeURIComponent(item.id)}/render`, { contact_id: contactId });
      setText(r.text);
    } catch (e) {
      setError(errorText(e));
    }
    box.current?.focus();
  };

  const insert = (s: string) => {
    const el = box.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + s + text.slice(end);
    setText(next);
    setEmoji(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + s.length, start + s.length);
    });
  };

  useEffect(() => { // an article's link from the knowledge-base card of this contact
    const onInsert = (e: Event) => {
      const d = (e as CustomEvent<KbInsert>).detail;
      if (d.contactId === contactId) insert(d.text);
    };
    window.addEventListener(KB_INSERT, onInsert);
    return () => window.removeEventListener(KB_INSERT, onInsert);
  });

  const attach = async (list: FileList | null) => {
    if (!list) return;
    for (const file of Array.from(list)) {
      const form = new FormData();
      form.append("file", file, file.name);
      try {
        const a = await api.upload<Attached>(`${base}/attachments`, form);
        setFiles((f) => [...f, a]);
      } catch (e) {
        setError(t("composer.upload_failed", { name: file.name, reason: errorText(e) }));
      }
    }
  };

  const send = async () => {
    const body = text.trim();
    if ((!body && files.length === 0) || sending) return;
    setSending(true);
    setError("");
    try {
      const m = await api.post<Message>(`${base}/messages`, { body, kind: note ? "note" : "outbound", attachments: files });
      onSent(m);
      if (!note) for (const [id, lang] of linkedArticles(body)) recordUse(api, contactId, id, lang, "send");
      setText("");
      setFiles([]);
      if (note && !freeTextClosed) setNote(false); // a note is a one-off: back to replying
      clearDraft(contactId);
      if (typing.current.on) {
        clearTimeout(typing.current.idle);
        sendTyping(false);
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSending(false);
      box.current?.focus();
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if (canned && canned.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setPick((p) => (p + (e.key === "ArrowDown" ? 1 : canned.length - 1)) % canned.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        void applyCanned(canned[pick]);
        return;
      }
    }
    if (canned && e.key === "Escape") {
      setCanned(null);
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const listId = `canned-${contactId}`;
  const noteOnly = freeTextClosed;
  return (
    <div class={`composer${note ? " note-mode" : ""}`}>
      {canned && <CannedList items={canned} selected={pick} t={t} listId={listId} onPick={(c) => void applyCanned(c)} />}
      {emoji && (
        <div class="emoji-grid" role="group" aria-label={t("composer.emoji")}
             onKeyDown={(e) => {
               if (e.key === "Escape") {
                 setEmoji(false);
                 box.current?.focus();
               }
             }}>
          {EMOJI.map((e) => <button key={e} type="button" class="emoji" aria-label={e} onClick={() => insert(e)}>{e}</button>)}
        </div>
      )}
      {files.length > 0 && (
        <ul class="pending-files" aria-label={t("composer.attachments")}>
          {files.map((f) => (
            <li key={f.id}>
              {f.name}
              <button type="button" class="btn ghost small" aria-label={t("composer.remove", { name: f.name })}
                      onClick={() => setFiles((all) => all.filter((x) => x.id !== f.id))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <span class="sr-only" role="status">{files.length > 0 ? t("composer.attached", { name: files[files.length - 1].name }) : ""}</span>
      <label class="sr-only" for={`composer-${contactId}`}>{note ? t("composer.note_label") : t("composer.label")}</label>
      <textarea id={`composer-${contactId}`} ref={box} rows={3} value={text} disabled={disabled}
                placeholder={note ? t("composer.note_placeholder") : t("composer.placeholder")}
                role={canned ? "combobox" : undefined} aria-expanded={canned ? true : undefined}
                aria-controls={canned ? listId : undefined} aria-autocomplete={canned ? "list" : undefined}
                aria-activedescendant={canned && canned.length > 0 ? `${listId}-${pick}` : undefined}
                onInput={(e) => typed((e.currentTarget as HTMLTextAreaElement).value)} onKeyDown={onKey} />
      <div class="composer-bar">
        <label class="toggle">
          <input type="checkbox" checked={note} disabled={noteOnly || disabled}
                 onChange={(e) => setNote((e.currentTarget as HTMLInputElement).checked)} />
          <span>{t("composer.note_toggle")}</span>
        </label>
        <button type="button" class="btn ghost" aria-expanded={emoji} disabled={disabled} onClick={() => setEmoji((v) => !v)}>
          <span aria-hidden="true">😊</span> <span class="sr-only">{t("composer.emoji")}</span>
        </button>
        <label class="btn ghost file-btn">
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="currentColor" d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9V15.5a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" />
          </svg>
          <span class="sr-only">{t("composer.attach")}</span>
          <input type="file" multiple disabled={disabled} class="sr-only"
                 onChange={(e) => {
                   const input = e.currentTarget as HTMLInputElement;
                   void attach(input.files).then(() => { input.value = ""; });
                 }} />
        </label>
        <span class="hint muted">{t("composer.hint")}</span>
        <button type="button" class="btn primary" disabled={disabled || sending || (!text.trim() && files.length === 0)}
                onClick={() => void send()}>
          {note ? t("composer.add_note") : t("composer.send")}
        </button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

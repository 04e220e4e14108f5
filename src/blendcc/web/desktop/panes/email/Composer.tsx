// The email composer: reply / reply-all / forward, recipients, a rich-text body (contenteditable with a
// small toolbar), the agent's signature, attachments; the draft is kept in localStorage per contact so it
// survives a reload or a reconnect, and is cleared only once the server has accepted the mail.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api, T } from "../../types";
import { loadJson, saveJson, size, useAction } from "../common";
import type { JSX } from "preact";
import { BulletsIcon, LinkIcon, NumbersIcon } from "../icons";
import { ADDRESS, parseAddresses, recipients, type Attachment, type Message, type Mode } from "./thread";

export interface Draft {
  mode: Mode;
  to: string;
  cc: string;
  html: string;
  attachments: Attachment[];
  signature: boolean;
}

export const draftKey = (contactId: string) => `blendcc.desktop.draft.email:${contactId}`;
export const SIGNATURE_KEY = "blendcc.desktop.signature";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The plain-text alternative of the composed HTML (what a text-only mail client shows). */
export function plainText(el: HTMLElement): string {
  return (el.innerText || el.textContent || "").replace(/\u00a0/g, " ").trim();
}

const COMMANDS: { cmd: string; key: string; icon: JSX.Element }[] = [
  { cmd: "bold", key: "email.bold", icon: <span aria-hidden="true" class="pn-icon-bold">B</span> },
  { cmd: "italic", key: "email.italic", icon: <span aria-hidden="true" class="pn-icon-italic">I</span> },
  { cmd: "insertUnorderedList", key: "email.bullets", icon: <BulletsIcon /> },
  { cmd: "insertOrderedList", key: "email.numbers", icon: <NumbersIcon /> },
];

export function Composer(props: {
  contactId: string; api: Api; t: T; locale: string; thread: Message[]; last: Message | null;
  customer: string | null; online: boolean; closed: boolean; onSent(m: Message): void;
}) {
  const { contactId, api, t } = props;
  const key = draftKey(contactId);
  const editor = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const saved = useRef<Range | null>(null);
  const [draft, setDraft] = useState<Draft | null>(() => loadJson<Draft | null>(key, null));
  const [signature, setSignature] = useState(() => loadJson<string>(SIGNATURE_KEY, ""));
  const [editingSig, setEditingSig] = useState(false);
  const [linking, setLinking] = useState(false);
  const [url, setUrl] = useState("https://");
  const [note, setNote] = useState<string | null>(null);
  const opened = useRef(0);  // counts drafts opened: a send that ends after another was opened keeps that one
  const action = useAction(t);

  useEffect(() => saveJson(key, draft), [key, draft]);
  useEffect(() => {  // the editor's content is the draft's html when it (re)opens
    if (draft && editor.current && editor.current.innerHTML !== draft.html) editor.current.innerHTML = draft.html;
  }, [draft?.mode, draft !== null]);

  function open(mode: Mode) {
    const r = recipients(mode, props.last, props.customer);
    const html = draft?.html ?? "";
    // cc holds only the agent's extra copies: for reply-all the server copies the customer's other recipients
    const to = mode === "forward" ? (draft?.mode === "forward" ? draft.to : "") : r.to.join(", ");
    opened.current += 1;
    setDraft({ mode, to, cc: draft?.cc ?? "", html, attachments: draft?.attachments ?? [], signature: draft?.signature ?? true });
    setNote(null);
    window.setTimeout(() => editor.current?.focus(), 0);
  }

  function update(patch: Partial<Draft>) {
    setDraft((d) => (d ? { ...d, ...patch } : d));
  }

  function exec(cmd: string, value?: string) {
    editor.current?.focus();
    const sel = window.getSelection();
    if (saved.current && sel) {
      sel.removeAllRanges();
      sel.addRange(saved.current);
    }
    document.execCommand(cmd, false, value);
    update({ html: editor.current?.innerHTML ?? "" });
  }

  function rememberSelection() {
    const sel = window.getSelection();
    saved.current = sel && sel.rangeCount && editor.current?.contains(sel.anchorNode) ? sel.getRangeAt(0).cloneRange() : null;
  }

  function addLink(e: Event) {
    e.preventDefault();
    if (!/^(https?:|mailto:)/i.test(url.trim())) {
      action.setError(t("email.link_invalid"));
      return;
    }
    exec("createLink", url.trim());
    setLinking(false);
    setUrl("https://");
  }

  async function attach(files: FileList | null) {
    if (!files?.length || !draft) return;
    for (const file of Array.from(files)) {
      const form = new FormData();
      form.append("file", file, file.name);
      const stored = await action.run("attach", () => api.upload<Attachment>(`/api/contacts/${encodeURIComponent(contactId)}/attachments`, form),
        t("email.attach_unavailable"));
      if (stored) setDraft((d) => (d ? { ...d, attachments: [...d.attachments, stored] } : d));
    }
    if (fileInput.current) fileInput.current.value = "";
  }

  async function send(e?: Event) {
    e?.preventDefault();
    if (!draft || !editor.current) return;
    const to = parseAddresses(draft.to);
    const cc = parseAddresses(draft.cc);
    const bad = [...to, ...cc].find((a) => !ADDRESS.test(a));
    const text = plainText(editor.current);
    const forward = draft.mode === "forward";
    const problem = bad ? t("email.bad_address", { address: bad }) : forward && !to.length ? t("email.need_to")
      : forward && to.length > 1 ? t("email.one_to") : !text && !draft.attachments.length ? t("email.need_text") : null;
    if (problem) {
      action.setError(problem);
      return;
    }
    const sig = draft.signature && signature.trim() ? signature.trim() : "";
    const html = editor.current.innerHTML + (sig ? `<p class="signature">-- <br>${escapeHtml(sig).replace(/\n/g, "<br>")}</p>` : "");
    // the API's email modes: reply (the default) and reply_all go to the customer, forward to one address
    const body = {
      body: sig ? `${text}\n\n-- \n${sig}` : text, html,
      ...(draft.mode === "reply" ? {} : { mode: draft.mode }),
      ...(forward ? { to: to[0] } : {}),
      ...(cc.length ? { cc } : {}),
      ...(draft.attachments.length ? { attachments: draft.attachments } : {}),
    };
    const sending = opened.current;
    const sent = await action.run("send", () => api.post<Message>(`/api/contacts/${encodeURIComponent(contactId)}/messages`, body));
    if (sent) {
      if (opened.current === sending) {  // else the agent opened a new draft (a forward, say) while this one went
        setDraft(null);
        saveJson(key, null);
      }
      setNote(t("email.sent"));
      props.onSent(sent);
    }
  }

  function discard() {
    setDraft(null);
    saveJson(key, null);
  }

  function keydown(e: KeyboardEvent) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
  }

  const modes: Mode[] = ["reply", "reply_all", "forward"];
  const disabled = props.closed || !!action.busy;
  return (
    <section class="pn-composer" aria-label={t("email.composer")}>
      <div class="pn-row" role="group" aria-label={t("email.respond")}>
        {modes.map((m) => (
          <button type="button" key={m} class={draft?.mode === m ? "pn-btn pn-on" : "pn-btn"} aria-pressed={draft?.mode === m}
            disabled={props.closed} onClick={() => open(m)}>{t(`email.${m}`)}</button>
        ))}
      </div>
      <p class="pn-live" role="status" aria-live="polite">{note ?? ""}</p>
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
      {draft && (
        <form class="pn-form" onSubmit={send} onKeyDown={keydown} aria-label={t(`email.${draft.mode}`)}>
          <label class="pn-field">
            <span>{t("email.to")}</span>
            <input type="text" dir="ltr" inputMode="email" autoComplete="off" value={draft.to} required={draft.mode === "forward"}
              readOnly={draft.mode !== "forward"} aria-describedby={draft.mode === "reply_all" ? `pn-ra-${contactId}` : undefined}
              onInput={(e) => update({ to: (e.currentTarget as HTMLInputElement).value })} />
          </label>
          {draft.mode === "reply_all" && <p id={`pn-ra-${contactId}`} class="pn-hint">{t("email.reply_all_hint")}</p>}
          <label class="pn-field">
            <span>{t("email.cc")}</span>
            <input type="text" dir="ltr" inputMode="email" autoComplete="off" value={draft.cc}
              onInput={(e) => update({ cc: (e.currentTarget as HTMLInputElement).value })} />
          </label>
          <div class="pn-toolbar" role="toolbar" aria-label={t("email.formatting")}>
            {COMMANDS.map((c) => (
              <button type="button" key={c.cmd} class="pn-tool" title={t(c.key)} aria-label={t(c.key)}
                onMouseDown={(e) => e.preventDefault()} onClick={() => exec(c.cmd)}>
                {c.icon}
              </button>
            ))}
            <button type="button" class="pn-tool" aria-expanded={linking} aria-label={t("email.link")} title={t("email.link")}
              onMouseDown={(e) => { e.preventDefault(); rememberSelection(); }} onClick={() => setLinking(!linking)}>
              <LinkIcon />
            </button>
          </div>
          {linking && (
            <div class="pn-row pn-linkrow">
              <label class="pn-field">
                <span>{t("email.link_url")}</span>
                <input type="url" dir="ltr" value={url} onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
                  onKeyDown={(e) => { if (e.key === "Enter") addLink(e); }} />
              </label>
              <button type="button" class="pn-btn" onClick={addLink}>{t("email.link_add")}</button>
            </div>
          )}
          <div ref={editor} class="pn-editor" contentEditable={!disabled} role="textbox" aria-multiline="true" dir="auto"
            aria-label={t("email.body")} tabIndex={0}
            onInput={() => update({ html: editor.current?.innerHTML ?? "" })} />
          <label class="pn-check">
            <input type="checkbox" checked={draft.signature} onChange={(e) => update({ signature: (e.currentTarget as HTMLInputElement).checked })} />
            <span>{t("email.add_signature")}</span>
          </label>
          <button type="button" class="pn-link" aria-expanded={editingSig} onClick={() => setEditingSig(!editingSig)}>{t("email.edit_signature")}</button>
          {editingSig && (
            <label class="pn-field">
              <span>{t("email.signature")}</span>
              <textarea rows={3} dir="auto" value={signature} onInput={(e) => {
                const v = (e.currentTarget as HTMLTextAreaElement).value;
                setSignature(v);
                saveJson(SIGNATURE_KEY, v);
              }} />
            </label>
          )}
          {draft.attachments.length > 0 && (
            <ul class="pn-attachments" aria-label={t("email.attachments")}>
              {draft.attachments.map((a) => (
                <li key={a.id}>
                  <span dir="auto">{a.name} ({size(a.size, props.locale)})</span>
                  <button type="button" class="pn-link" aria-label={t("email.remove_attachment", { name: a.name })}
                    onClick={() => update({ attachments: draft.attachments.filter((x) => x.id !== a.id) })}>✕</button>
                </li>
              ))}
            </ul>
          )}
          <div class="pn-row">
            <label class="pn-btn pn-file">
              <span>{t("email.attach")}</span>
              {action.busy === "attach" && <span class="pn-hint" role="status">{t("email.attaching")}</span>}
              <input ref={fileInput} type="file" multiple class="pn-sr" onChange={(e) => void attach((e.currentTarget as HTMLInputElement).files)} />
            </label>
            <button type="submit" class="pn-btn pn-primary" disabled={disabled || !props.online}>
              {action.busy === "send" ? t("email.sending") : t("email.send")}
            </button>
            <button type="button" class="pn-btn" onClick={discard}>{t("email.discard")}</button>
          </div>
          {!props.online && <p class="pn-hint">{t("email.offline_draft")}</p>}
          <p class="pn-hint">{t("email.send_hint")}</p>
        </form>
      )}
    </section>
  );
}

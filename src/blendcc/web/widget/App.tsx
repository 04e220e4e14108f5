// The widget's shell: launcher button, the panel (dialog) with the centre's name, and which view shows:
// loading, offline form (centre closed), pre-chat form, or the chat (resumed from storage after a reload).
import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import { ChatView } from "./Chat";
import { initialChat, reduce } from "./chat-state";
import { Connection } from "./connection";
import { OfflineForm, PreChatForm } from "./forms";
import { ChatIcon, CloseIcon } from "./icons";
import { direction, formatNumber, supported, translator } from "./i18n";
import { HttpError, type Api, type Attachment, type Config, type PreChat } from "./protocol";
import type { Saved, Store } from "./storage";

const COLOUR = /^#[0-9a-fA-F]{6}$/;

function newClientId(): string {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function App(props: { api: Api; store: Store; host: HTMLElement; language: string | null }) {
  const { api, store, host } = props;
  const [config, setConfig] = useState<Config | null>(null);
  const [failed, setFailed] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(() => store.load());
  const [open, setOpen] = useState<boolean>(() => saved?.open ?? false);
  const [lang, setLang] = useState<string>(() => saved?.language ?? supported(props.language));
  const [closed, setClosed] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [seen, setSeen] = useState<number>(() => saved?.seen ?? 0);
  const [chat, dispatch] = useReducer(reduce, initialChat);
  const conn = useRef<Connection | null>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  const t = translator(lang);
  const dir = direction(lang);

  async function load() {
    setFailed(false);
    try {
      const cfg = await api.config();
      setConfig(cfg);
      setClosed(!cfg.open);
      if (!saved && !props.language) setLang(supported(cfg.language));
      if (COLOUR.test(cfg.colours.primary)) host.style.setProperty("--bcc-primary", cfg.colours.primary);
      if (COLOUR.test(cfg.colours.text)) host.style.setProperty("--bcc-on-primary", cfg.colours.text);
    } catch {
      setFailed(true);
    }
  }

  useEffect(() => { void load(); }, []);

  useEffect(() => { // one connection per session
    if (!saved) return;
    const c = new Connection(api.socketUrl(), saved.session, {
      frame: (frame) => dispatch({ kind: "frame", frame }),
      link: (up) => dispatch({ kind: "link", up }),
      refused: () => { // the token expired or the session is gone: start afresh
        store.clear();
        setSaved(null);
        dispatch({ kind: "reset" });
        setNotice(t("session_expired"));
      },
    });
    conn.current = c;
    c.start();
    return () => { c.stop(); conn.current = null; };
  }, [saved?.session.token]);

  const newest = chat.messages.length ? chat.messages[chat.messages.length - 1].seq : 0;
  useEffect(() => { // what the customer has seen: everything, while the panel is open
    if (open && newest > seen) setSeen(newest);
  }, [open, newest]);
  const unread = open ? 0 : chat.messages.filter((m) => m.direction === "outbound" && m.seq > seen).length;

  useEffect(() => { // remember the panel's state, language and what was seen with the session
    if (saved) store.save({ ...saved, open, language: lang, seen });
  }, [open, lang, saved, seen]);

  useEffect(() => { // focus moves into the panel when it opens
    const root = panel.current;
    if (open && root) {
      (root.querySelector<HTMLElement>("#bcc-message")
        ?? root.querySelector<HTMLElement>("input:not([type=file]), select, textarea, button:not(.close)"))?.focus();
    }
  }, [open, config !== null, saved !== null, closed]);

  function toggle(next: boolean) {
    setOpen(next);
    if (!next) setTimeout(() => launcher.current?.focus(), 0);
  }

  async function start(form: PreChat) {
    try {
      const session = await api.start(form);
      dispatch({ kind: "reset" });
      setNotice(null);
      setSeen(0);
      setSaved({ session, language: lang, email: form.email, open: true, seen: 0 });
    } catch (exc) {
      if (exc instanceof HttpError && exc.status === 409) {
        setClosed(true); // closed since the config was read: the offline form instead
        return;
      }
      throw exc;
    }
  }

  function send(body: string, attachments: Attachment[]) {
    const clientId = newClientId();
    dispatch({ kind: "sent", local: { client_id: clientId, body, attachments, at: Date.now() / 1000 } });
    conn.current?.sendMessage(clientId, body, attachments.map((a) => a.id));
  }

  function newChat() {
    conn.current?.stop();
    store.clear();
    setSaved(null);
    dispatch({ kind: "reset" });
  }

  const title = config?.centre_name ?? t("launcher_open");
  const subtitle = saved && chat.agent && chat.state === "connected" ? t("chatting_with", { name: chat.agent }) : null;

  let view;
  if (failed) {
    view = <div class="form"><p class="error" role="alert">{t("load_failed")}</p><button type="button" class="secondary" onClick={load}>{t("retry")}</button></div>;
  } else if (!config) {
    view = <p class="intro" role="status">{t("loading")}</p>;
  } else if (saved) {
    view = (
      <ChatView t={t} lang={lang} config={config} api={api} session={saved.session} chat={chat} email={saved.email} visible={open}
        send={send} typing={(on) => conn.current?.sendVolatile({ type: "typing", on })}
        read={(id) => conn.current?.sendVolatile({ type: "read", message_id: id })}
        end={() => conn.current?.sendControl({ type: "end" })}
        rated={saved.rated === true}
        rate={(score, comment) => { conn.current?.sendControl({ type: "rate", score, comment }); setSaved({ ...saved, rated: true }); }}
        transcript={async (email) => { await api.transcript(saved.session, email); }} newChat={newChat} />
    );
  } else if (closed) {
    view = <OfflineForm t={t} config={config} onSend={async (form) => (await api.offline(form)).reference} />;
  } else {
    view = <PreChatForm t={t} config={config} language={lang} onLanguage={(l) => setLang(supported(l))} onStart={start} />;
  }

  return (
    <div class="root" dir={dir} lang={lang}>
      {open && (
        <section class="panel" id="bcc-panel" role="dialog" aria-modal="false" aria-labelledby="bcc-title" ref={panel}
          onKeyDown={(e) => { if (e.key === "Escape") toggle(false); }}>
          <header class="head">
            <div class="titles">
              <h2 id="bcc-title">{title}</h2>
              {subtitle && <p class="agent" role="status">{subtitle}</p>}
            </div>
            <button type="button" class="close" aria-label={t("close")} onClick={() => toggle(false)}>
              <CloseIcon />
            </button>
          </header>
          {notice && <p class="banner" role="status">{notice}</p>}
          <div class="content">{view}</div>
        </section>
      )}
      <button type="button" class={open ? "launcher is-open" : "launcher"} ref={launcher} aria-expanded={open} aria-controls="bcc-panel"
        aria-label={open ? t("close") : unread ? `${t("launcher_open")}: ${t("unread", { count: formatNumber(lang, unread) })}` : t("launcher_open")}
        onClick={() => toggle(!open)}>
        {open ? <CloseIcon /> : <ChatIcon />}
        {!open && <span class="launcher-text">{t("launcher_open")}</span>}
        {unread > 0 && <span class="badge" aria-hidden="true">{formatNumber(lang, unread)}</span>}
      </button>
    </div>
  );
}

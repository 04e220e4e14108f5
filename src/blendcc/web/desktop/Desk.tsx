// The desk once signed in: the socket, the agent's view (snapshot, then re-read when an event changes it),
// the state bar, offers, conversation tabs with their panes, the side panel, wrap-up and transfer.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Auth, Session } from "../shared/auth";
import { errorText } from "../shared/http";
import { LiveSocket, type LinkState } from "../shared/socket";
import type { AgentView, Api, ScreenPop, T, WorkItem } from "./types";
import { StateBar, type Today } from "./StateBar";
import { Offers, type Offer } from "./Offers";
import { Tabs } from "./Tabs";
import { paneFor } from "./panes";
import { CustomerPanel } from "./customer/CustomerPanel";
import { WrapUpForm } from "./wrapup/WrapUpForm";
import { TransferFallback } from "./TransferFallback";
import { OUTBOUND_PANEL, PHONE_CONTROLS, TRANSFER_PICKER } from "./slots";
import { matches, SHORTCUTS, tabNumber } from "./shortcuts";
import { askNotificationPermission, unlockAudio } from "./alert";
import { answerByPhone } from "./phone/accept";
import { SupervisorMessages } from "./SupervisorMessages";
import { CrisisBanner } from "./CrisisBanner";
import { KB_INSERT } from "./kbUse";
import { MyEvaluations } from "./qa/MyEvaluations";

/** Frames that never change the agent's view (the panes read them). */
const THREAD_FRAMES = new Set(["MessageReceived", "MessageSent", "NoteAdded", "MessageDeliveryUpdated",
  "CustomerTyping", "screen_pop_crm", "Authenticated", "MessagesRead", "SupervisorMessage"]);
/** The conversation on screen, kept for a reload (sessionStorage: this tab only). */
const ACTIVE_KEY = "blendcc.desk.active";
/** The streams of the agent's own events (api/ws.py); others (phone, directory...) belong to their areas. */
const VIEW_STREAMS = new Set(["agent", "contact"]);

interface Props {
  auth: Auth;
  api: Api;
  session: Session;
  t: T;
  lang: string;
  picker: ComponentChildren;
}

export function Desk({ auth, api, session, t, lang, picker }: Props) {
  const bus = useMemo(() => new LiveSocket(auth, "/ws/agent"), [auth]);
  const [view, setView] = useState<AgentView | null>(null);
  const [link, setLink] = useState<LinkState>("connecting");
  const [refusal, setRefusal] = useState("");
  const [offerFrames, setOfferFrames] = useState<Record<string, Offer>>({});
  const [pops, setPops] = useState<Record<string, ScreenPop>>({});
  const [unread, setUnreadMap] = useState<Record<string, number>>({});
  const [active, setActive] = useState<string | null>(() => stored(ACTIVE_KEY));
  const [wrapOpen, setWrapOpen] = useState<Record<string, boolean>>({});
  const [transfer, setTransfer] = useState<{ contactId: string; mode: "transfer" | "consult" } | null>(null);
  const [drawer, setDrawer] = useState(false);
  const [today, setToday] = useState<Today | null | undefined>(undefined);
  const [problem, setProblem] = useState("");
  const [skew, setSkew] = useState(0);
  const fetching = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });
  const focusNext = useRef<string | null>(null);

  const report = useCallback((e: unknown) => setProblem(errorText(e)), []);

  /** Re-read GET /api/agent after an event (coalesced: one read in flight, one more queued). */
  const refreshView = useCallback(() => {
    const f = fetching.current;
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    const started = Date.now();
    api.get<AgentView>("/api/agent")
      .then((v) => {
        setView(v);
        setOfferFrames((frames) => prune(frames, v, started));
      })
      .catch(report)
      .finally(() => {
        f.running = false;
        if (f.again) {
          f.again = false;
          refreshView();
        }
      });
  }, [api, report]);

  const loadToday = useCallback(() => {
    api.get<Today>("/api/agent/today").then(setToday).catch(() => setToday(null)); // 404 until the route exists
  }, [api]);

  useEffect(() => {
    const offs = [
      bus.onLink((state, detail) => {
        setLink(state);
        if (state === "refused") setRefusal(detail);
      }),
      bus.on("snapshot", (f) => {
        const v = f.agent as AgentView;
        setSkew(v.at - Date.now() / 1000);
        setView(v);
        setOfferFrames((frames) => prune(frames, v, Date.now()));
        loadToday();
      }),
      bus.on("offer", (f) => {
        const cid = String(f.contact_id);
        const offer: Offer = {
          contact_id: cid,
          channel: String(f.channel ?? ""),
          queue_id: (f.queue_id as string | null) ?? null,
          expires_at: Number(f.expires_at ?? 0),
          offered_at: Number(f.at ?? Date.now() / 1000),
          attributes: (f.attributes as Record<string, unknown>) ?? {},
          customer_id: (f.customer_id as string | null) ?? null,
          received: Date.now(),
        };
        setOfferFrames((frames) => ({ ...frames, [cid]: offer }));
        const pop = f.screen_pop as ScreenPop | null | undefined;
        if (pop) setPops((p) => ({ ...p, [cid]: pop }));
        refreshView();
      }),
      bus.on("screen_pop_crm", (f) => {
        const cid = String(f.contact_id);
        setPops((p) => (p[cid] ? { ...p, [cid]: { ...p[cid], crm: f.crm as ScreenPop["crm"] } } : p));
      }),
      bus.on("*", (f) => {
        const type = String(f.type ?? f.stream ?? "");
        if (!VIEW_STREAMS.has(String(f.stream))) return; // phone, directory, auth...: not the agent's view
        if (f.stream === "snapshot" || f.stream === "offer" || THREAD_FRAMES.has(type)) return;
        if (f.stream === "phone") return; // the browser phone's signalling (phone/PhoneControls.tsx)
        if (type === "OfferRevoked") {
          const cid = String(f.contact_id);
          setOfferFrames((frames) => without(frames, cid));
        }
        if (type === "WrapUpCompleted") loadToday();
        refreshView();
      }),
    ];
    bus.start();
    return () => {
      for (const off of offs) off();
      bus.stop();
    };
  }, [bus, refreshView, loadToday]);

  const work = view?.work ?? [];
  const tabs = work.filter((w) => w.stage !== "reserved");
  const offers = useMemo(() => offersOf(work, offerFrames), [work, offerFrames]);

  // a new conversation (an accepted offer, a call dialled from the drawer) closes the side drawer on a
  // phone, so the agent sees the call card instead of the panel it came from
  const tabCount = tabs.length;
  const lastTabCount = useRef(tabCount);
  useEffect(() => {
    if (tabCount > lastTabCount.current) setDrawer(false);
    lastTabCount.current = tabCount;
  }, [tabCount]);
  // an article's link inserted from the drawer: close it on a phone, the reply box is where the agent goes next
  useEffect(() => {
    const close = () => setDrawer(false);
    window.addEventListener(KB_INSERT, close);
    return () => window.removeEventListener(KB_INSERT, close);
  }, []);

  // keep a valid tab selected; a just-accepted contact comes to the front
  useEffect(() => {
    if (focusNext.current && tabs.some((w) => w.contact_id === focusNext.current)) {
      const cid = focusNext.current;
      setActive(cid);
      focusNext.current = null;
      // keyboard users land on the accepted conversation's reply box (or its tab)
      requestAnimationFrame(() => {
        const panel = document.getElementById(`panel-${cid}`);
        (panel?.querySelector<HTMLElement>(".composer textarea") ?? document.getElementById(`tab-${cid}`))?.focus();
      });
    } else if (view && !tabs.some((w) => w.contact_id === active)) {
      setActive(tabs[0]?.contact_id ?? null);
    }
  }, [tabs, active, view]);

  const act = useCallback(async (cid: string, action: "accept" | "decline") => {
    unlockAudio();
    try {
      if (action === "accept") focusNext.current = cid;
      if (action === "accept" && answerByPhone(cid)) { // the browser phone rings for it: answering accepts
        setOfferFrames((frames) => without(frames, cid));
        return;
      }
      await api.post(`/api/agent/contacts/${encodeURIComponent(cid)}/${action}`);
      setOfferFrames((frames) => without(frames, cid));
      refreshView();
    } catch (e) {
      report(e);
      refreshView();
    }
  }, [api, refreshView, report]);

  // keyboard: accept/decline the oldest offer, wrap up the open tab, Ctrl+1..9 for tabs
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const first = offers[0];
      if (first && matches(e, SHORTCUTS.accept)) {
        e.preventDefault();
        void act(first.contact_id, "accept");
      } else if (first && matches(e, SHORTCUTS.decline)) {
        e.preventDefault();
        void act(first.contact_id, "decline");
      } else if (active && matches(e, SHORTCUTS.wrapUp)) {
        e.preventDefault();
        setWrapOpen((w) => ({ ...w, [active]: true }));
      } else {
        const n = tabNumber(e);
        if (n !== null && tabs[n]) {
          e.preventDefault();
          setActive(tabs[n].contact_id);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [offers, tabs, active, act]);

  useEffect(() => { // a reload comes back to the same conversation
    if (active) store(ACTIVE_KEY, active);
  }, [active]);

  const setUnread = useCallback((cid: string, n: number) => {
    setUnreadMap((u) => (u[cid] === n ? u : { ...u, [cid]: n }));
  }, []);

  const activeItem = tabs.find((w) => w.contact_id === active) ?? null;
  const Phone = PHONE_CONTROLS;
  const Outbound = OUTBOUND_PANEL;
  const Picker = TRANSFER_PICKER;
  const transferItem = transfer ? work.find((w) => w.contact_id === transfer.contactId) ?? null : null;
  const panelProps = { api, bus, t, locale: lang };

  return (
    <div class="desk" onPointerDown={() => { unlockAudio(); askNotificationPermission(); }}>
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <h1 class="brand-name">{t("app.title")}</h1>
        </div>
        {view && (
          <StateBar view={view} api={api} t={t} lang={lang} skew={skew} today={today} onView={setView} onError={report} />
        )}
        <div class="topbar-end">
          {/* mount point: the browser phone's controls (desktop/phone/PhoneControls.tsx) */}
          {Phone && <div class="slot-phone"><Phone {...panelProps} /></div>}
          <MyEvaluations api={api} t={t} lang={lang} />
          {picker}
          <span class="who" title={session.username}>{view?.name ?? session.username}</span>
          <button type="button" class="btn ghost" onClick={() => void auth.signOut()}>{t("signout")}</button>
        </div>
      </header>

      <div class="live" role="status" aria-live="polite">
        {link === "reconnecting" && <p class="banner warn">{t("link.reconnecting")}</p>}
        {link === "connecting" && !view && <p class="banner">{t("link.connecting")}</p>}
      </div>
      <div class="live" role="alert">
        {link === "refused" && <p class="banner error">{t("link.refused", { reason: refusal })}</p>}
        {problem && (
          <p class="banner error">
            <span>{problem}</span>
            <button type="button" class="btn ghost small" onClick={() => setProblem("")}>{t("dismiss")}</button>
          </p>
        )}
      </div>

      <CrisisBanner api={api} bus={bus} t={t} />
      <SupervisorMessages bus={bus} t={t} lang={lang} />

      <Offers offers={offers} pops={pops} api={api} t={t} lang={lang} skew={skew} onAct={act} />

      <div class={`workspace${drawer ? " drawer-open" : ""}`}>
        <section class="conversations" aria-label={t("tabs.label")}>
          <Tabs items={tabs} active={active} unread={unread} pops={pops} view={view} t={t} lang={lang} onSelect={setActive}
                onToggleDrawer={() => setDrawer((d) => !d)} drawer={drawer} />
          {tabs.length === 0 && <p class="empty muted">{view?.logged_in ? t("tabs.none") : t("tabs.offline")}</p>}
          {tabs.map((item) => (
            <TabPanel key={item.contact_id} item={item} active={item.contact_id === active} api={api} bus={bus} t={t}
                      lang={lang} skew={skew} wrapOpen={!!wrapOpen[item.contact_id] || item.stage === "wrap_up"}
                      setUnread={(n) => setUnread(item.contact_id, n)}
                      openWrapUp={() => setWrapOpen((w) => ({ ...w, [item.contact_id]: true }))}
                      closeWrapUp={() => setWrapOpen((w) => without(w, item.contact_id))}
                      openTransfer={(mode) => setTransfer({ contactId: item.contact_id, mode })}
                      onDone={() => { refreshView(); loadToday(); }} onError={report} />
          ))}
        </section>
        <aside class="side" id="side-panel" aria-label={t("side.label")}>
          {drawer && <button type="button" class="btn ghost drawer-close" onClick={() => setDrawer(false)}>{t("side.close")}</button>}
          {activeItem && <CustomerPanel item={activeItem} pop={pops[activeItem.contact_id]} api={api} t={t} lang={lang}
                                        canEdit={session.role === "supervisor" || session.role === "admin"}
                                        onPop={(p) => setPops((all) => ({ ...all, [activeItem.contact_id]: p }))} />}
          {/* mount point: outbound (preview card, personal callbacks, manual dial): desktop/outbound/OutboundPanel.tsx */}
          {Outbound && <div class="slot-outbound"><Outbound {...panelProps} /></div>}
        </aside>
      </div>

      {transfer && transferItem && (Picker
        ? <Picker item={transferItem} api={api} bus={bus} t={t} locale={lang} mode={transfer.mode} onClose={() => setTransfer(null)} />
        : <TransferFallback item={transferItem} view={view} api={api} t={t} mode={transfer.mode}
                            onClose={() => { setTransfer(null); refreshView(); }} />)}
    </div>
  );
}

interface TabPanelProps {
  item: WorkItem;
  active: boolean;
  api: Api;
  bus: LiveSocket;
  t: T;
  lang: string;
  skew: number;
  wrapOpen: boolean;
  setUnread(n: number): void;
  openWrapUp(): void;
  closeWrapUp(): void;
  openTransfer(mode: "transfer" | "consult"): void;
  onDone(): void;
  onError(e: unknown): void;
}

function TabPanel(p: TabPanelProps) {
  const Pane = paneFor(p.item.channel);
  return (
    <div role="tabpanel" id={`panel-${p.item.contact_id}`} aria-labelledby={`tab-${p.item.contact_id}`} hidden={!p.active}
         class="tabpanel">
      {p.wrapOpen && (
        <WrapUpForm item={p.item} api={p.api} t={p.t} lang={p.lang} skew={p.skew} onClose={p.closeWrapUp}
                    onDone={p.onDone} onError={p.onError} />
      )}
      <Pane item={p.item} api={p.api} bus={p.bus} t={p.t} locale={p.lang} active={p.active} setUnread={p.setUnread}
            openWrapUp={p.openWrapUp} openTransfer={p.openTransfer} />
    </div>
  );
}

function stored(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled: nothing remembered
  }
}

function store(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    /* storage disabled */
  }
}

function without<V>(map: Record<string, V>, key: string): Record<string, V> {
  if (!(key in map)) return map;
  const next = { ...map };
  delete next[key];
  return next;
}

/** Drop offer frames the view (read at `since` or later) no longer shows as ringing. */
function prune(frames: Record<string, Offer>, view: AgentView, since: number): Record<string, Offer> {
  const ringing = new Set(view.work.filter((w) => w.stage === "reserved").map((w) => w.contact_id));
  let next = frames;
  for (const [cid, offer] of Object.entries(frames)) {
    if (!ringing.has(cid) && offer.received <= since) next = without(next, cid);
  }
  return next;
}

/** The offers on screen: from offer frames (they carry the screen pop) and reserved work items (after a
 * reconnect the snapshot has them without a frame), oldest first. */
function offersOf(work: WorkItem[], frames: Record<string, Offer>): Offer[] {
  const out: Record<string, Offer> = { ...frames };
  for (const w of work) {
    if (w.stage === "reserved" && !out[w.contact_id]) {
      out[w.contact_id] = { contact_id: w.contact_id, channel: w.channel, queue_id: w.queue_id,
        expires_at: w.offer_expires ?? 0, offered_at: null, attributes: w.attributes, customer_id: w.customer_id,
        received: 0 };
    }
  }
  const nonRinging = new Set(work.filter((w) => w.stage !== "reserved").map((w) => w.contact_id));
  return Object.values(out).filter((o) => !nonRinging.has(o.contact_id)).sort((a, b) => a.expires_at - b.expires_at);
}

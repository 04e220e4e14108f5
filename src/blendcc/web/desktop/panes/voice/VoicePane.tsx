// The call card: who calls (or whom we called), the dialled number, the IVR choices, the talk timer, and
// the call controls: hold/resume, mute, DTMF, blind and consulted transfer (complete / cancel / conference),
// recording on demand and hang up. The card's data comes from `GET /api/agent/contacts/{id}/call` when the
// server has it, else from the work item's attributes; live changes arrive on the agent socket.
import { useEffect, useRef, useState } from "preact/hooks";
import type { PaneProps } from "../../types";
import { attr, clock, loadJson, saveJson, statusOf, useAction, useNow } from "../common";
import { HangUpIcon, MicOffIcon, PauseIcon, RecordIcon } from "../icons";
import { clearConsulting, consultingOf, onConsulting, setConsulting, type Consulting } from "../../transfer/consult";
import { DtmfPad } from "./DtmfPad";
import { muteLocal } from "./phone-bridge";
import "../panes.css";

/** The call card (`GET /api/agent/contacts/{id}/call`, pushed again as `CallControl` frames); every field
 * optional: a server without the card gives nothing and the work item's attributes are used. */
export interface CallCard {
  caller_id?: string | null;
  dialled?: string | null;
  ivr?: Record<string, string> | null;
  held?: boolean;
  muted?: boolean;
  recording?: boolean;
  recording_paused?: boolean;
  /** the queue's policy: "none" hides the recording buttons */
  recording_policy?: string;
  talk_started?: number | null;
  consult?: { agent_id: string; answered: boolean } | null;
  conference?: boolean;
  conference_with?: string[];
  phone?: string | null;
}

const enc = encodeURIComponent;

export function VoicePane(props: PaneProps) {
  const { item, api, bus, t, locale } = props;
  const id = item.contact_id;
  const a = item.attributes;
  const [card, setCard] = useState<CallCard>({});
  const [cardMissing, setCardMissing] = useState(false);
  const [muted, setMuted] = useState(false);
  const [recording, setRecording] = useState(false);
  const [paused, setPaused] = useState(false);
  const [padOpen, setPadOpen] = useState(false);
  const [sent, setSent] = useState("");
  const [consult, setConsult] = useState<Consulting | null>(() => consultingOf(id));
  const [note, setNote] = useState("");
  const action = useAction(t);
  const startKey = `blendcc.desktop.call_started:${id}`;
  const [started] = useState<number>(() => {
    const at = loadJson<number>(startKey, 0) || Date.now() / 1000;
    saveJson(startKey, at);
    return at;
  });
  const ended = item.stage === "wrap_up" || item.state === "closed" || item.state === "ended";
  const now = useNow(!ended);

  /** The server's card is the truth: toggles, and the consultation the picker started. */
  function applyCard(c: CallCard) {
    setCard(c);
    if (typeof c.muted === "boolean") setMuted(c.muted);
    if (typeof c.recording === "boolean") setRecording(c.recording);
    if (typeof c.recording_paused === "boolean") setPaused(c.recording_paused);
    const known = consultingOf(id);
    if (c.consult) setConsulting({ contact_id: id, agent_id: c.consult.agent_id, name: known?.name ?? c.consult.agent_id, conference: false });
    else if (c.conference) setConsulting({ contact_id: id, agent_id: c.conference_with?.[0] ?? known?.agent_id ?? "", name: known?.name ?? c.conference_with?.join(", ") ?? "", conference: true });
    else if (c.consult === null && c.conference === false && known) clearConsulting(id);
  }

  async function loadCard() {
    try {
      applyCard(await api.get<CallCard>(`/api/agent/contacts/${enc(id)}/call`));
      setCardMissing(false);
    } catch (exc) {
      setCardMissing(statusOf(exc) === 404 || statusOf(exc) === 409);
    }
  }

  useEffect(() => {
    void loadCard();
    const offs = [
      bus.on("snapshot", () => void loadCard()),
      bus.on("*", (f) => {
        if (f.contact_id !== id) return;
        if (f.type === "CallControl") applyCard(f as CallCard);
        else if (f.type === "RecordingStarted") setRecording(true);
        else if (f.type === "RecordingStopped") setRecording(false);
        else if (f.type === "ConsultCancelled" || f.type === "ContactTransferred") clearConsulting(id);
        else if (f.type === "CallMuted" || f.type === "CallUnmuted") setMuted(f.type === "CallMuted");
      }),
      onConsulting((all) => setConsult(all[id] ?? null)),
    ];
    return () => offs.forEach((off) => off());
  }, [id]);

  // the talk start is kept across reloads while the call lasts, forgotten when its tab goes
  const endedRef = useRef(ended);
  endedRef.current = ended;
  useEffect(() => () => {
    if (endedRef.current) saveJson(startKey, null);
  }, []);

  // the work item's stage (pushed by the engine) wins; the card's flag covers a server that has no stage
  const held = item.stage === "held" || (card.held === true && item.stage !== "busy" && item.stage !== "connected");
  const missing = t("voice.unavailable");
  const base = `/api/agent/contacts/${enc(id)}`;

  async function hold() {
    const ok = await action.run("hold", () => api.post(`${base}/${held ? "resume" : "hold"}`));
    if (ok !== undefined) setNote(t(held ? "voice.resumed" : "voice.held"));
  }

  async function mute() {
    const on = !muted;
    const ok = await action.run("mute", () => api.post(`${base}/mute`, { on }), missing);
    muteLocal(on);  // the browser phone's microphone too, when it is this desktop's phone
    if (ok !== undefined) {
      setMuted(on);
      setNote(t(on ? "voice.muted" : "voice.unmuted"));
    }
  }

  async function digit(d: string) {
    setSent((s) => (s + d).slice(-32));
    await action.run("dtmf", () => api.post(`${base}/dtmf`, { digits: d }), missing);
  }

  /** start / stop / pause / resume: the agent's own route, else (older servers) the voice route. */
  async function record(what: "start" | "stop" | "pause" | "resume") {
    const ok = await action.run("record", async () => {
      try {
        return await api.post<CallCard>(`${base}/recording`, { action: what });
      } catch (exc) {
        if (statusOf(exc) !== 404 || what === "pause" || what === "resume") throw exc;
        return await api.post<CallCard>(`/api/voice/contacts/${enc(id)}/recording`, { action: what });
      }
    });
    if (ok === undefined) return;
    setRecording(what !== "stop");
    setPaused(what === "pause");
    setNote(t({ start: "voice.recording_on", stop: "voice.recording_off", pause: "voice.recording_paused", resume: "voice.recording_on" }[what]));
  }

  async function consultStep(step: "complete" | "cancel" | "conference" | "leave") {
    const path = step === "leave" ? "conference/leave" : `consult/${step}`;
    const ok = await action.run(step, () => api.post(`/api/voice/contacts/${enc(id)}/${path}`), missing);
    if (ok === undefined) return;
    if (step === "conference" && consult) setConsulting({ ...consult, conference: true });
    else clearConsulting(id);
    setNote(t({ complete: "voice.consult_done", cancel: "voice.consult_stopped", conference: "voice.conference_on", leave: "voice.consult_done" }[step]));
  }

  async function hangUp() {
    const ok = await action.run("end", () => api.post(`${base}/end`));
    if (ok !== undefined) {
      clearConsulting(id);
      setNote(t("voice.ended"));
      props.openWrapUp();
    }
  }

  const caller = card.caller_id ?? attr(a, "caller_id") ?? attr(a, "phone") ?? t("voice.unknown_caller");
  const dialled = card.dialled ?? attr(a, "dialled_number");
  const ivrRaw = card.ivr ?? (a.ivr && typeof a.ivr === "object" ? (a.ivr as Record<string, string>) : {});
  const ivr = Object.entries(ivrRaw);
  const campaign = attr(a, "campaign_id");
  const talk = Math.max(0, now - (card.talk_started ?? started));
  const off = ended || !!action.busy;
  const ringing = item.stage === "reserved";
  return (
    <div class={`pn-pane pn-voice${held ? " pn-held" : ""}`}>
      <header class="pn-head">
        <h2 class="pn-caller"><bdi dir="ltr">{caller}</bdi></h2>
        <p class="pn-sub">
          {campaign ? <span class="pn-badge">{t("voice.outbound", { campaign })}</span> : <span class="pn-badge">{t("voice.inbound")}</span>}
          {dialled && <span>{t("voice.dialled")} <bdi dir="ltr">{dialled}</bdi></span>}
        </p>
        <p class="pn-timer" aria-label={t("voice.talk_time")} role="timer">
          <span class="pn-state">{t(ended ? "voice.state_ended" : held ? "voice.state_held" : ringing ? "voice.state_ringing" : "voice.state_talking")}</span>
          {" "}<span dir="ltr">{clock(talk, locale)}</span>
        </p>
      </header>
      {ivr.length > 0 && (
        <section aria-label={t("voice.ivr")}>
          <h3 class="pn-h3">{t("voice.ivr")}</h3>
          <dl class="pn-kv">
            {ivr.map(([k, v]) => <div key={k}><dt><bdi>{k}</bdi></dt><dd><bdi>{String(v)}</bdi></dd></div>)}
          </dl>
        </section>
      )}
      <p class="pn-sr" role="status" aria-live="polite">{note}</p>
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
      {cardMissing && <p class="pn-hint">{t("voice.card_unavailable")}</p>}
      <div class="pn-controls" role="group" aria-label={t("voice.controls")}>
        {/* during a consultation the caller stays on hold until it is completed, conferenced or cancelled */}
        <button type="button" class="pn-btn" aria-pressed={held} disabled={off || ringing || (!!consult && !consult.conference)} onClick={() => void hold()}>
          <PauseIcon /> {t(held ? "voice.resume" : "voice.hold")}
        </button>
        <button type="button" class="pn-btn" aria-pressed={muted} disabled={off || ringing} onClick={() => void mute()}>
          <MicOffIcon /> {t(muted ? "voice.unmute" : "voice.mute")}
        </button>
        <button type="button" class="pn-btn" aria-expanded={padOpen} disabled={ended} onClick={() => setPadOpen(!padOpen)}>
          {t("voice.keypad")}
        </button>
        {card.recording_policy !== "none" && (
          <button type="button" class="pn-btn" aria-pressed={recording} disabled={off || ringing} onClick={() => void record(recording ? "stop" : "start")}>
            <RecordIcon /> {t(recording ? "voice.stop_recording" : "voice.record")}
          </button>
        )}
        {recording && (
          <button type="button" class="pn-btn" aria-pressed={paused} disabled={off} onClick={() => void record(paused ? "resume" : "pause")}>
            {t(paused ? "voice.resume_recording" : "voice.pause_recording")}
          </button>
        )}
        <button type="button" class="pn-btn" disabled={off || ringing || !!consult} onClick={() => props.openTransfer("transfer")}>
          {t("voice.transfer")}
        </button>
        <button type="button" class="pn-btn" disabled={off || ringing || !!consult} onClick={() => props.openTransfer("consult")}>
          {t("voice.consult")}
        </button>
        <button type="button" class="pn-btn pn-danger" disabled={off || ringing} onClick={() => void hangUp()}>
          <HangUpIcon /> {t("voice.hang_up")}
        </button>
      </div>
      {recording && <p class="pn-rec" role="note">{t(paused ? "voice.recording_paused" : "voice.recording_now")}</p>}
      {consult && (
        <section class="pn-consult" aria-label={t("voice.consulting")}>
          <p>{t(consult.conference ? "voice.conference_with" : "voice.consulting_with", { name: consult.name })}</p>
          <div class="pn-row">
            <button type="button" class="pn-btn pn-primary" disabled={off} onClick={() => void consultStep("complete")}>{t("voice.consult_complete")}</button>
            {!consult.conference && (
              <button type="button" class="pn-btn" disabled={off} onClick={() => void consultStep("conference")}>{t("voice.consult_conference")}</button>
            )}
            {consult.conference
              ? <button type="button" class="pn-btn" disabled={off} onClick={() => void consultStep("leave")}>{t("voice.leave_conference")}</button>
              : <button type="button" class="pn-btn" disabled={off} onClick={() => void consultStep("cancel")}>{t("voice.consult_cancel")}</button>}
          </div>
        </section>
      )}
      {padOpen && <DtmfPad t={t} sent={sent} disabled={off || ringing} onDigit={(d) => void digit(d)} />}
    </div>
  );
}

export default VoicePane;

// The browser phone's controls in the desktop header: enable, ringing banner (answer / decline), hang up,
// microphone picker, mute, input level, and a clear message when the microphone is blocked or absent.
// State changes are announced in an ARIA live region. Strings: web/i18n/desktop/phone.<lang>.json.
import { useEffect, useId, useMemo, useState } from "preact/hooks";
import type { PanelProps } from "../types";
import { registerPhoneMute } from "../panes/voice/phone-bridge";
import { BrowserPhone, type PhoneSnapshot } from "../../shared/phone";
import { onAcceptVoice } from "./accept";
import "./phone.css";
import { storedFlag } from "../../shared/flag";

export interface PhoneControlsProps extends PanelProps {
  /** an existing phone (tests, or a shell that keeps one across remounts); made from `bus` otherwise */
  phone?: BrowserPhone;
}

const switchedOn = storedFlag("blendcc.desk.phone");

function useLevel(phone: BrowserPhone, on: boolean): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!on) {
      setLevel(0);
      return;
    }
    let frame = 0;
    const draw = () => {
      setLevel(phone.level());
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [phone, on]);
  return level;
}

function announcement(s: PhoneSnapshot, t: PanelProps["t"]): string {
  if (s.micError) return t(`phone.mic_${s.micError}`);
  const ringing = s.calls.find((c) => c.state === "ringing");
  if (ringing) return t("phone.ringing", { caller: ringing.caller ?? t("phone.unknown_caller") });
  if (s.calls.some((c) => c.state === "talking")) return t("phone.talking");
  if (s.status === "unavailable") return t("phone.unavailable");
  return s.status === "ready" ? t("phone.ready") : t("phone.off");
}

export function PhoneControls(props: PhoneControlsProps) {
  const { bus, t } = props;
  const phone = useMemo(() => props.phone ?? new BrowserPhone((msg) => bus.send(msg)), [props.phone, bus]);
  const [s, setS] = useState<PhoneSnapshot>(phone.snapshot);
  const micId = useId();

  useEffect(() => phone.subscribe(setS), [phone]);
  useEffect(() => registerPhoneMute((on) => phone.setMuted(on)), [phone]); // the call card's mute button
  useEffect(() => {
    if (props.phone) return;
    if (switchedOn.get()) void phone.enable(); // the agent turned it on before: the microphone permission stays
    else phone.probe(); // no controls at all where the centre has no browser phones
    return () => phone.disable(); // signed out or the desk went away: stop ringing here, free the mic
  }, [phone]);
  useEffect(() => onAcceptVoice((contactId) => {
    const call = phone.snapshot.calls.find((c) => c.contactId === contactId && c.state === "ringing");
    if (call) void phone.answer(call.id);
    return call !== undefined;
  }), [phone]);
  useEffect(() => {
    const offPhone = bus.on("phone", (frame) => phone.handle(frame));
    const offSnapshot = bus.on("snapshot", () => phone.reconnected()); // each (re)connection starts with one
    return () => {
      offPhone();
      offSnapshot();
    };
  }, [phone, bus]);

  const live = s.status === "ready" && !s.micError;
  const level = useLevel(phone, live);
  const ringing = s.calls.find((c) => c.state === "ringing");
  const inCall = s.calls.find((c) => c.state !== "ringing");

  if (s.status === "unavailable" && s.calls.length === 0) return null; // the centre rings desk phones only

  return (
    <section class="phone" aria-label={t("phone.title")}>
      <p class="phone-live" role="status" aria-live="polite">{announcement(s, t)}</p>
      {s.micError && (
        <div class="phone-alert" role="alert">
          <span>{t(`phone.mic_${s.micError}`)}</span>
          <button type="button" onClick={() => void phone.enable().then((ok) => switchedOn.set(ok))}>
            {t("phone.retry")}
          </button>
        </div>
      )}
      {s.status === "off" && !s.micError && (
        <button type="button" class="phone-enable"
          onClick={() => void phone.enable().then((ok) => switchedOn.set(ok))}>{t("phone.enable")}</button>
      )}
      {s.status === "starting" && <span class="phone-note">{t("phone.starting")}</span>}
      {ringing && (
        <div class="phone-ring" role="group" aria-label={t("phone.incoming")}>
          <span class="phone-caller">
            {t("phone.ringing", { caller: ringing.caller ?? t("phone.unknown_caller") })}
          </span>
          <button type="button" class="phone-answer" onClick={() => void phone.answer(ringing.id)}>
            {t("phone.answer")}
          </button>
          <button type="button" class="phone-decline" onClick={() => phone.decline(ringing.id)}>
            {t("phone.decline")}
          </button>
        </div>
      )}
      {inCall && (
        <div class="phone-call">
          <span>{inCall.state === "talking" ? t("phone.talking") : t("phone.connecting")}</span>
          <button type="button" class="phone-hangup" onClick={() => phone.hangup(inCall.id)}>
            {t("phone.hangup")}
          </button>
        </div>
      )}
      {live && (
        <div class="phone-audio">
          <label class="phone-label" for={micId}>{t("phone.microphone")}</label>
          <select id={micId} value={s.deviceId ?? ""} onChange={(e) => void phone.selectDevice(e.currentTarget.value)}
            onFocus={() => void phone.refreshDevices()}>
            {s.devices.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.label}</option>)}
          </select>
          <button type="button" class="phone-mute" aria-pressed={s.muted} onClick={() => phone.setMuted(!s.muted)}>
            {s.muted ? t("phone.unmute") : t("phone.mute")}
          </button>
          <div class="phone-level" role="meter" aria-label={t("phone.level")} aria-valuemin={0} aria-valuemax={100}
            aria-valuenow={Math.round(level * 100)}>
            <div class="phone-level-bar" style={{ inlineSize: `${Math.round(level * 100)}%` }} />
          </div>
        </div>
      )}
      {s.error && <p class="phone-error" role="alert">{t("phone.error", { message: s.error })}</p>}
    </section>
  );
}

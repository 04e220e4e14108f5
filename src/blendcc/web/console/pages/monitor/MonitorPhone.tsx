// The supervisor's browser phone: the shared BrowserPhone (web/shared/phone.ts) signalled over /ws/supervisor,
// registered as the supervisor's username (the phone "Listen" rings). One per signed-in console (a module-level
// store kept by the shell's PhoneBar), so a monitoring call goes on when the supervisor changes views. The
// switch is on the monitor page; a call rung for the contact the supervisor just pressed Listen on is answered
// at once; any other shows Answer / Decline (on the monitor page, or in the shell's bar on other views).
// Strings: web/i18n/console/monphone.<lang>.json.
import { useEffect, useState } from "preact/hooks";
import { BrowserPhone, browserEnv, type PhoneSnapshot } from "../../../shared/phone";
import type { LiveSocket } from "../../../shared/socket";
import type { PageProps } from "../../types";
import { storedFlag } from "../../../shared/flag";

const switchedOn = storedFlag("blendcc.console.browser-phone");

/** Turn the phone off: a monitoring call in progress ends (its audio lives in this page), ringing ones fail. */
function stop(phone: BrowserPhone): void {
  for (const c of phone.snapshot.calls) if (c.state !== "ringing") phone.hangup(c.id);
  phone.disable();
}

export interface ConsolePhone {
  phone: BrowserPhone;
  s: PhoneSnapshot;
  /** the phone rings in this page: Listen uses the supervisor's username as the phone */
  ready: boolean;
  /** the supervisor pressed Listen on this contact: its call is answered when it rings */
  expect(contactId: string): void;
}

/** The one browser phone of the signed-in console (module level: it outlives the view that shows it). */
interface Store {
  socket: LiveSocket;
  phone: BrowserPhone;
  expected: string | null;
  /** the call's sound plays in the shell's <audio> (PhoneBar), on every view */
  audio: HTMLAudioElement | null;
  offs: (() => void)[];
}

let store: Store | null = null;

function storeFor(socket: LiveSocket): Store {
  if (store?.socket === socket) return store;
  if (store) close(store);
  const made: Store = { socket, expected: null, audio: null, offs: [],
                        phone: null as unknown as BrowserPhone };
  made.phone = new BrowserPhone((msg) => socket.send(msg),
                                { ...browserEnv(), audio: () => made.audio ?? new Audio() });
  made.offs = [
    socket.on("phone", (frame) => made.phone.handle(frame)),
    socket.on("snapshot", () => made.phone.reconnected()),
    made.phone.subscribe((snap) => {
      const ring = snap.calls.find((c) => c.state === "ringing" && c.contactId === made.expected);
      if (ring) {
        made.expected = null;
        void made.phone.answer(ring.id);
      }
    }),
  ];
  if (switchedOn.get()) void made.phone.enable();
  else made.phone.probe();
  store = made;
  return made;
}

/** Signed out (or a new socket): the calls end, the phone stops ringing, the microphone is freed. */
function close(s: Store): void {
  s.offs.forEach((f) => f());
  if (s.phone.snapshot.status !== "off") stop(s.phone);
  if (store === s) store = null;
}

function usePhoneState(socket: LiveSocket): [Store, PhoneSnapshot] {
  const st = storeFor(socket);
  const [s, setS] = useState<PhoneSnapshot>(st.phone.snapshot);
  useEffect(() => st.phone.subscribe(setS), [st]);
  return [st, s];
}

/** The console's browser phone for a page: the shell's one (PhoneBar keeps it while signed in). */
export function useConsolePhone({ socket }: Pick<PageProps, "socket">): ConsolePhone {
  const [st, s] = usePhoneState(socket);
  return { phone: st.phone, s, ready: s.status === "ready" && !s.micError,
           expect: (contactId) => { st.expected = contactId; } };
}

/** Rendered by the shell on every view: the call's sound, and away from the monitor page a bar to answer a
 * ringing monitoring call or mute / hang up the one in progress (the switch itself is on the monitor page). */
export function PhoneBar({ socket, t, ctx, monitorOpen }: Pick<PageProps, "socket" | "t" | "ctx"> & { monitorOpen: boolean }) {
  const [st, s] = usePhoneState(socket);
  useEffect(() => () => close(st), [st]); // the shell goes away: signed out
  if (!ctx.sip_enabled) return null;
  const ringing = s.calls.find((c) => c.state === "ringing");
  const inCall = s.calls.find((c) => c.state !== "ringing");
  return (
    <>
      <audio ref={(el) => { st.audio = el; }} class="mph-audio" autoPlay />
      {!monitorOpen && (ringing || inCall) && (
        <section class="mph-bar" aria-label={t("mph.title")}>
          <p class="mph-state" role="status" aria-live="polite">{announcement(s, t)}</p>
          <PhoneButtons t={t} phone={st.phone} s={s} />
        </section>
      )}
    </>
  );
}

/** Answer / Decline a ringing call; Mute / Hang up the one in progress. */
function PhoneButtons({ t, phone, s }: Pick<PageProps, "t"> & { phone: BrowserPhone; s: PhoneSnapshot }) {
  const ringing = s.calls.find((c) => c.state === "ringing");
  const inCall = s.calls.find((c) => c.state !== "ringing");
  return (
    <>
      {ringing && (
        <div class="mph-ring" role="group" aria-label={t("mph.incoming")}>
          <button type="button" class="btn primary" onClick={() => void phone.answer(ringing.id)}>{t("mph.answer")}</button>
          <button type="button" class="btn danger" onClick={() => phone.decline(ringing.id)}>{t("mph.decline")}</button>
        </div>
      )}
      {inCall && (
        <div class="mph-call" role="group" aria-label={t("mph.in_call")}>
          <button type="button" class="btn" aria-pressed={s.muted} onClick={() => phone.setMuted(!s.muted)}>
            {t("mph.mute")}
          </button>
          <button type="button" class="btn danger" onClick={() => phone.hangup(inCall.id)}>{t("mph.hangup")}</button>
        </div>
      )}
    </>
  );
}

function announcement(s: PhoneSnapshot, t: PageProps["t"]): string {
  if (s.micError) return t(`mph.mic_${s.micError}`);
  const ringing = s.calls.find((c) => c.state === "ringing");
  if (ringing) return t("mph.ringing", { caller: ringing.caller ?? t("mph.unknown_caller") });
  if (s.calls.some((c) => c.state === "talking")) return t("mph.talking");
  if (s.status === "starting") return t("mph.starting");
  return s.status === "ready" ? t("mph.ready") : t("mph.off");
}

/** The toggle, the ringing banner (Answer / Decline), and in a call: mute and hang up; the call's audio. */
export function MonitorPhone({ t, ctx, cp }: Pick<PageProps, "t" | "ctx"> & { cp: ConsolePhone }) {
  const { phone, s } = cp;
  if (!ctx.sip_enabled || (s.status === "unavailable" && s.calls.length === 0)) return null;
  const on = s.status === "ready" || s.status === "starting";
  const toggle = () => {
    if (on) {
      stop(phone);
      switchedOn.set(false);
    } else {
      void phone.enable().then((ok) => switchedOn.set(ok));
    }
  };
  return (
    <section class="mph" aria-labelledby="mph-h">
      <h2 id="mph-h">{t("mph.title")}</h2>
      <button type="button" class="btn" role="switch" aria-checked={on} onClick={toggle}>{t("mph.toggle")}</button>
      <p class="mph-state" role="status" aria-live="polite">{announcement(s, t)}</p>
      {s.micError && (
        <button type="button" class="btn" onClick={() => void phone.enable().then((ok) => switchedOn.set(ok))}>
          {t("mph.retry")}
        </button>
      )}
      <PhoneButtons t={t} phone={phone} s={s} />
      {s.error && <p class="banner error" role="alert">{t("mph.error", { message: s.error })}</p>}
    </section>
  );
}

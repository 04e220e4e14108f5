// Listen-in on a live call: the server rings the supervisor's phone (the console's browser phone when it is on,
// registered as the supervisor's username; else a SIP phone registered as the user typed here);
// once answered it hears both sides, one way (POST /api/voice/contacts/{id}/listen). Then Whisper (the
// agent hears the supervisor, the customer does not), Barge (a three-way call) or back to Listen only
// (POST /api/supervisor/calls/{id}/mode). Every step is audited.
import { useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import type { ConsolePhone } from "./MonitorPhone";
import type { LiveContact } from "./types";

const MODES = ["listen", "whisper", "barge"] as const;

export function Listen({ api, t, ctx, contact, cp }: Pick<PageProps, "api" | "t" | "ctx">
  & { contact: LiveContact; cp?: ConsolePhone }) {
  const [typed, setPhone] = useState(() => localStorage.getItem("blendcc.console.phone") ?? ctx.username);
  const browser = cp?.ready === true; // the browser phone rings: it is the phone of the supervisor's username
  const phone = browser ? ctx.username : typed;
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (!ctx.sip_enabled) return <p class="muted">{t("mon.listen_no_sip")}</p>;
  const cid = encodeURIComponent(contact.contact_id);
  const mine = contact.monitors.filter((m) => m.phone === phone).slice(-1)[0] as LiveContact["monitors"][number] | undefined;
  // the outcome of the last action (the mode itself is shown from the server's state, pushed on "monitor")
  const run = (p: Promise<unknown>, done: string) => {
    setBusy(true);
    p.then(() => { setStatus(done); setError(""); }, (err: unknown) => { setError(errorText(err)); setStatus(""); })
      .finally(() => setBusy(false));
  };
  const listen = (e: Event) => {
    e.preventDefault();
    if (browser) cp?.expect(contact.contact_id); // answered in this page as soon as it rings
    else localStorage.setItem("blendcc.console.phone", phone);
    run(api.post(`/api/voice/contacts/${cid}/listen`, { phone }), t("mon.listen_ringing", { phone }));
  };
  const answered = mine !== undefined && mine.mode !== "ringing";
  return (
    <div class="mon-listen">
      <form onSubmit={listen}>
        <p class="muted">{t("mon.listen_help")}</p>
        {browser
          ? <p class="mph-note">{t("mph.listen_browser", { phone })}</p>
          : <label class="field"><span>{t("mon.phone")}</span>
              <input value={phone} required maxLength={64} autoComplete="off"
                     onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} /></label>}
        <button type="submit" class="btn primary" disabled={busy || mine !== undefined}>{t("mon.listen")}</button>
      </form>
      {mine && <p class="mon-mode">{t("mon.mode_now", { mode: t(`mon.mode.${mine.mode}`) })}</p>}
      {answered && (
        <div class="mon-modes" role="group" aria-label={t("mon.modes_label")}>
          {MODES.map((m) => (
            <button key={m} type="button" class="btn" aria-pressed={mine.mode === m} disabled={busy}
                    onClick={() => run(api.post(`/api/supervisor/calls/${cid}/mode`, { phone, mode: m }), "")}>
              {t(`mon.to.${m}`)}
            </button>
          ))}
        </div>
      )}
      <p role="status" class="mon-status">{status}</p>
      {error && <p class="banner error" role="alert">{error}</p>}
    </div>
  );
}

// Manual dial: a number and a campaign of my queues (the panel's choice first); the server's checks (valid number, DNC, calling window, agent
// state) are shown pass/fail first, and Dial is enabled only when every one passed for exactly this input.
import { useEffect, useState } from "preact/hooks";
import type { Api, Bus, T } from "../types";
import { useAction } from "../panes/common";
import { CampaignSelect } from "./CampaignSelect";
import { checksOf, type AgentCampaign, type Check } from "./campaigns";

/** the checks the catalogues name; another check shows the server's own name */
const KNOWN = new Set(["number", "dnc", "calling_window", "agent_state", "campaign"]);

export function ManualDial(props: {
  api: Api; bus: Bus; t: T; campaigns: AgentCampaign[]; campaignId: string; prefill: string | null; onAnnounce(text: string): void;
}) {
  const { api, t } = props;
  const [phone, setPhone] = useState("");
  const [campaign, setCampaign] = useState(props.campaignId);
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [checkedFor, setCheckedFor] = useState("");
  const action = useAction(t);
  const input = `${phone.trim()}|${campaign}`;

  useEffect(() => setCampaign(props.campaignId), [props.campaignId]);
  // the agent-state check holds for the state it saw: a change of my state asks for the checks again
  useEffect(() => props.bus.on("AgentStateChanged", () => setChecks(null)), [props.bus]);
  useEffect(() => {
    if (props.prefill) {
      setPhone(props.prefill);
      setChecks(null);
    }
  }, [props.prefill]);

  async function check(e: Event) {
    e.preventDefault();
    if (!phone.trim()) {
      action.setError(t("out.need_number"));
      return;
    }
    const body = { phone: phone.trim(), ...(campaign ? { campaign_id: campaign } : {}) };
    const got = await action.run("check", () => api.post<unknown>("/api/agent/dial/check", body), t("out.dial_unavailable"));
    if (got === undefined) return;
    const list = checksOf(got);
    setChecks(list);
    setCheckedFor(input);
    props.onAnnounce(list.every((c) => c.ok) ? t("out.checks_passed") : t("out.checks_failed"));
  }

  async function dial() {
    const body = { phone: phone.trim(), ...(campaign ? { campaign_id: campaign } : {}) };
    const got = await action.run("dial", () => api.post<{ contact_id?: string }>("/api/agent/dial", body), t("out.dial_unavailable"));
    if (got !== undefined) {
      props.onAnnounce(t("out.dialling", { phone: phone.trim() }));
      setChecks(null);
      setPhone("");
    }
  }

  const fresh = checks !== null && checkedFor === input;
  const allPass = fresh && checks.length > 0 && checks.every((c) => c.ok);
  return (
    <section class="pn-card" aria-labelledby="pn-manual-h">
      <h3 id="pn-manual-h" class="pn-h3">{t("out.manual")}</h3>
      <form class="pn-form" onSubmit={check}>
        <label class="pn-field">
          <span>{t("out.number")}</span>
          <input type="tel" dir="ltr" autoComplete="off" inputMode="tel" maxLength={32} value={phone}
            onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <CampaignSelect t={t} id="pn-manual-campaign" campaigns={props.campaigns} value={campaign} onChange={setCampaign} />
        <div class="pn-row">
          <button type="submit" class="pn-btn" disabled={!!action.busy}>{t("out.check")}</button>
          <button type="button" class="pn-btn pn-primary" disabled={!allPass || !!action.busy} aria-disabled={!allPass}
            aria-describedby="pn-manual-why" onClick={() => void dial()}>{t("out.dial")}</button>
        </div>
        <p id="pn-manual-why" class="pn-hint">{allPass ? t("out.ready_to_dial") : t("out.check_first")}</p>
      </form>
      {fresh && (
        <ul class="pn-checks" aria-label={t("out.checks")}>
          {checks.map((c) => (
            <li key={c.name} class={c.ok ? "pn-pass" : "pn-fail"}>
              <span class="pn-mark" aria-hidden="true">{c.ok ? "✓" : "✗"}</span>
              <span class="pn-sr">{t(c.ok ? "out.pass" : "out.fail")}</span>
              <strong>{KNOWN.has(c.name) ? t(`out.check_${c.name}`) : c.name}</strong>
              {c.message && <span class="pn-check-msg"><bdi>{c.message}</bdi></span>}
            </li>
          ))}
        </ul>
      )}
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
    </section>
  );
}

// The campaign picker of the outbound panel and of manual dial: the campaigns of my queues (running first)
// with their state; a campaign that may not be dialled now says why under the picker.
import type { T } from "../types";
import type { AgentCampaign } from "./campaigns";

const STATE: Record<string, string> = { running: "out.state_running", paused: "out.state_paused", stopped: "out.state_stopped" };

export function stateLabel(t: T, state: string): string {
  return STATE[state] ? t(STATE[state]) : state;
}

export function CampaignSelect(props: {
  t: T; id: string; campaigns: AgentCampaign[]; value: string; onChange(id: string): void;
}) {
  const { t, campaigns, value } = props;
  const chosen = campaigns.find((c) => c.id === value);
  const hint = `${props.id}-hint`;
  return (
    <label class="pn-field">
      <span>{t("out.campaign")}</span>
      <select id={props.id} value={value} disabled={campaigns.length === 0} aria-describedby={hint}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {campaigns.length === 0 && <option value="">{t("out.no_campaigns")}</option>}
        {campaigns.map((c) => (
          <option key={c.id} value={c.id}>{t("out.campaign_option", { name: c.name, state: stateLabel(t, c.state) })}</option>
        ))}
      </select>
      <span id={hint} class="pn-hint">
        {!chosen || chosen.manual_dial ? ""
          : chosen.state === "running" ? t("out.dialer_off") : t("out.campaign_closed", { state: stateLabel(t, chosen.state) })}
      </span>
    </label>
  );
}

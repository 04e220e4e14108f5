// The outbound side panel: the preview-dial card of the chosen campaign, the agent's personal callbacks
// and manual dial with its checks. Progressive / predictive calls need nothing here: they arrive as
// connected voice tabs (the call card labels them outbound). The campaigns offered are those of my queues
// (GET /api/agent/campaigns, running first, reloaded when a CampaignStateChanged frame arrives); the choice is
// remembered on this browser.
import { useEffect, useState } from "preact/hooks";
import type { PanelProps } from "../types";
import { useAction } from "../panes/common";
import { Callbacks } from "./Callbacks";
import { CampaignSelect } from "./CampaignSelect";
import { campaignsOf, pickCampaign, rememberCampaign, rememberedCampaign, type AgentCampaign } from "./campaigns";
import { ManualDial } from "./ManualDial";
import { PreviewCard } from "./PreviewCard";
import "../panes/panes.css";

export function OutboundPanel(props: PanelProps) {
  const { api, bus, t, locale } = props;
  const [campaigns, setCampaigns] = useState<AgentCampaign[]>([]);
  const [campaignId, setCampaignId] = useState(rememberedCampaign);
  const [announce, setAnnounce] = useState("");
  const [prefill, setPrefill] = useState<string | null>(null);
  const action = useAction(t);

  async function load() {
    const got = await action.run("campaigns", () => api.get<unknown>("/api/agent/campaigns"), t("out.campaigns_unavailable"));
    if (got === undefined) return;
    const list = campaignsOf(got);
    setCampaigns(list);
    setCampaignId((current) => pickCampaign(list, current || rememberedCampaign()));
  }

  useEffect(() => {
    void load();
    // a supervisor started, paused or stopped a campaign of my queues: pushed on the agent socket
    const offs = [bus.on("snapshot", () => void load()), bus.on("CampaignStateChanged", () => void load())];
    return () => offs.forEach((off) => off());
  }, []);

  function choose(id: string) {
    setCampaignId(id);
    rememberCampaign(id);
  }

  const chosen = campaigns.find((c) => c.id === campaignId);
  return (
    <div class="pn-outbound">
      <h2 class="pn-h2">{t("out.title")}</h2>
      <p class="pn-sr" role="status" aria-live="polite">{announce}</p>
      <CampaignSelect t={t} id="pn-out-campaign" campaigns={campaigns} value={chosen ? campaignId : ""} onChange={choose} />
      {action.error && <p class="pn-error" role="alert">{action.error}</p>}
      <PreviewCard key={campaignId} api={api} t={t} campaign={chosen ?? null} onAnnounce={setAnnounce} />
      <Callbacks api={api} bus={bus} t={t} locale={locale} onAnnounce={setAnnounce} onDial={(c) => setPrefill(c.phone)} />
      <ManualDial api={api} bus={bus} t={t} campaigns={campaigns} campaignId={chosen ? campaignId : ""} prefill={prefill}
        onAnnounce={setAnnounce} />
    </div>
  );
}

export default OutboundPanel;

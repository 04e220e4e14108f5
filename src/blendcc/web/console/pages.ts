// Every view of the console, in navigation order within its section. A feature adds its line here.
import type { PageDef } from "./types";
import { AdherencePage } from "./pages/wfm/AdherencePage";
import { AgentsPage } from "./pages/agents/AgentsPage";
import { AnalyticsPage } from "./pages/analytics/AnalyticsPage";
import { AlertBadge } from "./pages/monitor/AlertBadge";
import { AuditPage } from "./pages/audit/AuditPage";
import { CampaignMonitorPage } from "./pages/campaigns/CampaignMonitorPage";
import { ChannelsPage } from "./pages/lists/ChannelsPage";
import { ConfigPage } from "./pages/admin/config/ConfigPage";
import { CrisisPage } from "./pages/crisis/CrisisPage";
import { DncPage } from "./pages/lists/DncPage";
import { ErlangPage } from "./pages/wfm/ErlangPage";
import { ForecastPage } from "./pages/wfm/ForecastPage";
import { IntradayPage } from "./pages/intraday/IntradayPage";
import { KbPage } from "./pages/kb/KbPage";
import { ListsPage } from "./pages/lists/ListsPage";
import { MonitorPage } from "./pages/monitor/MonitorPage";
import { ProblemsPage } from "./pages/problems/ProblemsPage";
import { PromptsPage } from "./pages/lists/PromptsPage";
import { ReportsPage } from "./pages/reports/ReportsPage";
import { SchedulePage } from "./pages/wfm/SchedulePage";
import { UsersPage } from "./pages/admin/users/UsersPage";
import { WallboardPage } from "./pages/wallboard/WallboardPage";
import { QaPage } from "./pages/qa/QaPage";

export const PAGES: PageDef[] = [
  { path: "wallboard", section: "live", label: "nav.wallboard", role: "supervisor", component: WallboardPage },
  { path: "agents", section: "live", label: "nav.agents", role: "supervisor", component: AgentsPage },
  { path: "monitor", section: "live", label: "nav.monitor", role: "supervisor", component: MonitorPage, badge: AlertBadge },
  { path: "intraday", section: "live", label: "nav.intraday", role: "supervisor", component: IntradayPage },
  { path: "campaigns", section: "live", label: "nav.campaign_monitor", role: "supervisor", component: CampaignMonitorPage },
  { path: "crisis", section: "live", label: "nav.crisis", role: "supervisor", component: CrisisPage },
  { path: "problems", section: "live", label: "nav.problems", role: "supervisor", component: ProblemsPage },
  { path: "reports", section: "reports", label: "nav.reports", role: "supervisor", component: ReportsPage },
  { path: "analytics", section: "reports", label: "nav.analytics", role: "supervisor", component: AnalyticsPage },
  { path: "kb", section: "reports", label: "nav.kb", role: "supervisor", component: KbPage },
  { path: "qa", section: "reports", label: "nav.qa", role: "supervisor", component: QaPage },
  { path: "wfm/forecast", section: "wfm", label: "nav.wfm_forecast", role: "supervisor", component: ForecastPage },
  { path: "wfm/staffing", section: "wfm", label: "nav.wfm_erlang", role: "supervisor", component: ErlangPage },
  { path: "wfm/schedules", section: "wfm", label: "nav.wfm_schedules", role: "supervisor", component: SchedulePage },
  { path: "wfm/adherence", section: "wfm", label: "nav.wfm_adherence", role: "supervisor", component: AdherencePage },
  { path: "admin/config", section: "admin", label: "nav.admin_config", role: "admin", component: ConfigPage },
  { path: "admin/users", section: "admin", label: "nav.admin_users", role: "admin", component: UsersPage },
  { path: "admin/lists", section: "admin", label: "nav.lists", role: "admin", component: ListsPage },
  { path: "admin/dnc", section: "admin", label: "nav.dnc", role: "admin", component: DncPage },
  { path: "admin/prompts", section: "admin", label: "nav.prompts", role: "admin", component: PromptsPage },
  { path: "admin/channels", section: "admin", label: "nav.channels", role: "admin", component: ChannelsPage },
  { path: "admin/audit", section: "admin", label: "nav.audit", role: "admin", component: AuditPage },
];

export const SECTIONS: PageDef["section"][] = ["live", "reports", "wfm", "admin"];

/** The page that owns `path` (itself or its nearest listed parent), if the role may open it. */
export function pageFor(path: string, role: string): PageDef | undefined {
  const allowed = PAGES.filter((p) => mayOpen(p, role));
  return allowed.filter((p) => path === p.path || path.startsWith(`${p.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

export function mayOpen(page: PageDef, role: string): boolean {
  return page.role === "supervisor" ? role === "supervisor" || role === "admin" : role === "admin";
}

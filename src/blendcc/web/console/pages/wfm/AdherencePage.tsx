// Adherence (supervisor): per agent, the scheduled time against what they did on a day (adherence and
// conformance), and who is out of adherence now (longer than the grace period).
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { dayBounds, today } from "./time";
import "./wfm.css";

interface Figures { scheduled_s: number; in_adherence_s: number; out_of_adherence_s: number; adherence: number | null; logged_in_s: number; conformance: number | null }
interface AgentRow extends Figures { agent_id: string; team_id: string | null }
interface Report { agents: AgentRow[]; total: Figures }
interface Alert { agent_id: string; team_id: string | null; scheduled: string; state: string; reason: string | null; out_for_s: number }
interface Alerts { grace_s: number; alerts: Alert[] }

export function AdherencePage({ api, t, lang, ctx, route, navigate }: PageProps) {
  const day = route.query.get("day") ?? today(ctx.timezone);
  const team = route.query.get("team") ?? "";
  const [draft, setDraft] = useState({ day, team });
  const [start, end] = dayBounds(day, ctx.timezone);
  const q = new URLSearchParams({ start: String(start), end: String(end), ...(team ? { team } : {}) });
  const report = useLoad(() => api.get<Report>(`/api/wfm/adherence?${q}`), [day, team]);
  const alerts = useLoad(() => api.get<Alerts>(`/api/wfm/adherence/alerts${team ? `?team=${encodeURIComponent(team)}` : ""}`), [team]);
  const out = new Map((alerts.data?.alerts ?? []).map((a) => [a.agent_id, a]));
  const dur = (s: number) => formatDuration(lang, Math.round(s));
  const cols: Column<AgentRow>[] = [
    { key: "agent", label: t("wfm.sc.agent"), header: true, sort: (r) => r.agent_id },
    { key: "team", label: t("wfm.ad.team"), sort: (r) => r.team_id ?? "" },
    { key: "scheduled", label: t("wfm.ad.scheduled"), numeric: true, sort: (r) => r.scheduled_s, cell: (r) => dur(r.scheduled_s) },
    { key: "in", label: t("wfm.ad.in"), numeric: true, sort: (r) => r.in_adherence_s, cell: (r) => dur(r.in_adherence_s) },
    { key: "out", label: t("wfm.ad.out"), numeric: true, sort: (r) => r.out_of_adherence_s, cell: (r) => dur(r.out_of_adherence_s) },
    { key: "adherence", label: t("wfm.ad.adherence"), numeric: true, sort: (r) => r.adherence, cell: (r) => percentOrDash(lang, r.adherence, 1) },
    { key: "logged", label: t("wfm.ad.logged_in"), numeric: true, sort: (r) => r.logged_in_s, cell: (r) => dur(r.logged_in_s) },
    { key: "conformance", label: t("wfm.ad.conformance"), numeric: true, sort: (r) => r.conformance, cell: (r) => percentOrDash(lang, r.conformance, 1) },
    { key: "now", label: t("wfm.ad.now"), sort: (r) => (out.has(r.agent_id) ? 0 : 1), cell: (r) => {
      const a = out.get(r.agent_id);
      return a ? <span class="flag bad">{t("wfm.ad.out_now", { scheduled: t(`wfm.activity.${a.scheduled}`), state: a.state, for: dur(a.out_for_s) })}</span> : "";
    } },
  ];
  const alertCols: Column<Alert>[] = [
    { key: "agent", label: t("wfm.sc.agent"), header: true, sort: (a) => a.agent_id },
    { key: "scheduled", label: t("wfm.ad.should"), sort: (a) => a.scheduled, cell: (a) => t(`wfm.activity.${a.scheduled}`) },
    { key: "state", label: t("wfm.ad.is"), sort: (a) => a.state, cell: (a) => (a.reason ? `${a.state} (${a.reason})` : a.state) },
    { key: "for", label: t("wfm.ad.for"), numeric: true, sort: (a) => a.out_for_s, cell: (a) => dur(a.out_for_s) },
  ];
  const total = report.data?.total;
  return (
    <section aria-labelledby="ad-h" class="wfm">
      <h1 id="ad-h">{t("nav.wfm_adherence")}</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(route.path, { day: draft.day, ...(draft.team ? { team: draft.team } : {}) }); }}>
        <label class="field"><span>{t("wfm.sc.date")}</span>
          <input type="date" value={draft.day} onInput={(e) => setDraft({ ...draft, day: (e.currentTarget as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t("wfm.ad.team")}</span>
          <input value={draft.team} onInput={(e) => setDraft({ ...draft, team: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn primary">{t("filter.apply")}</button>
        <button type="button" class="btn" onClick={() => { report.reload(); alerts.reload(); }}>{t("wfm.refresh")}</button>
      </form>
      <h2>{t("wfm.ad.alerts_h")}</h2>
      <Notice error={alerts.error} loading={alerts.loading && !alerts.data} t={t} />
      {alerts.data && <Table caption={t("wfm.ad.alerts_caption", { grace: dur(alerts.data.grace_s) })} rows={alerts.data.alerts} columns={alertCols}
                             t={t} lang={lang} rowKey={(a) => a.agent_id} empty={t("wfm.ad.all_in")} />}
      <h2>{t("wfm.ad.day_h")}</h2>
      <Notice error={report.error} loading={report.loading && !report.data} t={t} retry={report.reload} />
      {total && (
        <dl class="figures">
          <div><dt>{t("wfm.ad.adherence")}</dt><dd>{percentOrDash(lang, total.adherence, 1)}</dd></div>
          <div><dt>{t("wfm.ad.conformance")}</dt><dd>{percentOrDash(lang, total.conformance, 1)}</dd></div>
          <div><dt>{t("wfm.ad.scheduled")}</dt><dd>{dur(total.scheduled_s)}</dd></div>
          <div><dt>{t("wfm.ad.agents")}</dt><dd>{formatNumber(lang, report.data?.agents.length ?? 0)}</dd></div>
        </dl>
      )}
      {report.data && <Table caption={t("wfm.ad.caption")} rows={report.data.agents} columns={cols} t={t} lang={lang}
                             rowKey={(r) => r.agent_id} initialSort="adherence" rowClass={(r) => (out.has(r.agent_id) ? "out" : "")} />}
    </section>
  );
}

// Schedules (supervisor): required agents per interval (the last staffing plan, or a flat day) + shift templates
// + agents -> the solver's agent-day schedules, coverage against the requirement; publish; read published days.
import { useEffect, useState } from "preact/hooks";
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { formatNumber } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { Timeline, type ScheduleDay } from "./Timeline";
import { PLAN_KEY, dayBounds, slotLabel, today } from "./time";
import "./wfm.css";

interface Coverage { interval_start: string; required: number; scheduled: number }
interface SolveOut { status: string; under_agent_hours: number; over_agent_hours: number; shifts: number; schedules: ScheduleDay[]; coverage: Coverage[] }
interface Required { interval_start: string; required: number }

const TEMPLATES = [{ id: "day", name: "Day", start_earliest: "08:00", start_latest: "10:00", lengths_min: [480],
  breaks: [{ activity: "lunch", length_min: 30, earliest_min: 180, latest_end_min: 330 }] }];

function savedPlan(): Required[] {
  try {
    const rows = JSON.parse(sessionStorage.getItem(PLAN_KEY) ?? "[]") as Required[];
    const by = new Map<string, number>();
    for (const r of rows) by.set(r.interval_start, (by.get(r.interval_start) ?? 0) + r.required);
    return [...by.entries()].map(([interval_start, required]) => ({ interval_start, required }));
  } catch {
    return [];
  }
}

/** A flat requirement: `agents` in every hour of `day` from `from` to `to` (local wall-clock times). */
function flat(day: string, from: string, to: string, agents: number): Required[] {
  const out: Required[] = [];
  for (let h = Number(from.slice(0, 2)); h < Number(to.slice(0, 2)); h++) out.push({ interval_start: `${day}T${String(h).padStart(2, "0")}:00:00`, required: agents });
  return out;
}

export function SchedulePage({ api, t, lang, ctx }: PageProps) {
  const plan = savedPlan();
  const agentsCfg = useLoad(() => api.get<{ id: string; team_id: string | null }[]>("/api/config/agents"), []);
  const [source, setSource] = useState<"plan" | "flat">(plan.length ? "plan" : "flat");
  const [day, setDay] = useState(today(ctx.timezone));
  const [hours, setHours] = useState({ from: "08:00", to: "18:00", agents: "2" });
  const [templates, setTemplates] = useState(JSON.stringify(TEMPLATES, null, 1));
  const [agents, setAgents] = useState("");
  const [limit, setLimit] = useState("10");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [solved, setSolved] = useState<SolveOut | null>(null);
  const [published, setPublished] = useState("");
  const [viewDay, setViewDay] = useState(today(ctx.timezone));
  useEffect(() => {
    if (agentsCfg.data && !agents) {
      setAgents(JSON.stringify(agentsCfg.data.map((a) => ({ id: a.id, team_id: a.team_id, max_hours_week: 40 })), null, 1));
    }
  }, [agentsCfg.data]);
  const [from, to] = dayBounds(viewDay, ctx.timezone);
  const shown = useLoad(() => api.get<ScheduleDay[]>(`/api/wfm/schedules?start=${from}&end=${to}`), [viewDay, published]);

  const solve = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    setPublished("");
    try {
      const required = source === "plan" ? plan : flat(day, hours.from, hours.to, Number(hours.agents));
      let parsed: { templates: unknown; agents: unknown };
      try {
        parsed = { templates: JSON.parse(templates), agents: JSON.parse(agents) };
      } catch (err) {
        throw new Error(t("wfm.sc.bad_json", { detail: errorText(err) }));
      }
      setSolved(await api.post<SolveOut>("/api/wfm/schedules/solve", { required, ...parsed, options: { time_limit_s: Number(limit) } }));
    } catch (err) {
      setSolved(null);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const publish = async () => {
    if (!solved) return;
    setError("");
    try {
      const r = await api.put<{ published: { id: string }[] }>("/api/wfm/schedules", { schedules: solved.schedules });
      setPublished(t("wfm.sc.published", { n: formatNumber(lang, r.published.length) }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const text = (_value: string, set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value);
  return (
    <section aria-labelledby="sc-h" class="wfm">
      <h1 id="sc-h">{t("nav.wfm_schedules")}</h1>
      <form onSubmit={solve}>
        <fieldset class="choice">
          <legend>{t("wfm.sc.required")}</legend>
          <label><input type="radio" name="req" checked={source === "plan"} disabled={!plan.length} onChange={() => setSource("plan")} />{" "}
            {plan.length ? t("wfm.sc.from_plan", { n: formatNumber(lang, plan.length) }) : t("wfm.sc.no_plan")}</label>
          <label><input type="radio" name="req" checked={source === "flat"} onChange={() => setSource("flat")} /> {t("wfm.sc.flat")}</label>
        </fieldset>
        {source === "flat" && (
          <div class="filters">
            <label class="field"><span>{t("wfm.sc.date")}</span><input type="date" value={day} onInput={text(day, setDay)} /></label>
            <label class="field"><span>{t("wfm.sc.from")}</span><input type="time" step={3600} value={hours.from} onInput={(e) => setHours({ ...hours, from: (e.currentTarget as HTMLInputElement).value })} /></label>
            <label class="field"><span>{t("wfm.sc.to")}</span><input type="time" step={3600} value={hours.to} onInput={(e) => setHours({ ...hours, to: (e.currentTarget as HTMLInputElement).value })} /></label>
            <label class="field"><span>{t("wfm.sc.agents_needed")}</span><input type="number" min={0} value={hours.agents} onInput={(e) => setHours({ ...hours, agents: (e.currentTarget as HTMLInputElement).value })} /></label>
          </div>
        )}
        <div class="two">
          <label class="field"><span>{t("wfm.sc.templates")}</span><textarea rows={8} dir="ltr" spellcheck={false} value={templates} onInput={text(templates, setTemplates)} /></label>
          <label class="field"><span>{t("wfm.sc.agents")}</span><textarea rows={8} dir="ltr" spellcheck={false} value={agents} onInput={text(agents, setAgents)} /></label>
        </div>
        <div class="filters">
          <label class="field"><span>{t("wfm.sc.time_limit")}</span><input type="number" min={1} max={60} value={limit} onInput={text(limit, setLimit)} /></label>
          <button type="submit" class="btn primary" disabled={busy}>{busy ? t("wfm.busy") : t("wfm.sc.solve")}</button>
        </div>
      </form>
      <Notice error={error || agentsCfg.error} t={t} />
      {solved && (
        <>
          <p role="status" data-status={solved.status}>{t("wfm.sc.result", { status: solved.status, shifts: formatNumber(lang, solved.shifts),
            under: formatNumber(lang, solved.under_agent_hours, 1), over: formatNumber(lang, solved.over_agent_hours, 1) })}</p>
          <Chart title={t("wfm.sc.coverage")} t={t} format={(v) => formatNumber(lang, v, 2)}
                 labels={solved.coverage.map((c) => slotLabel(lang, c.interval_start, ctx.timezone))}
                 series={[{ name: t("wfm.required"), kind: "bar", values: solved.coverage.map((c) => c.required) },
                          { name: t("wfm.sc.scheduled"), values: solved.coverage.map((c) => c.scheduled) }]} />
          <Timeline days={solved.schedules} t={t} lang={lang} timeZone={ctx.timezone} caption={t("wfm.sc.solution")} />
          <p><button type="button" class="btn primary" onClick={() => void publish()} disabled={!solved.schedules.length}>{t("wfm.sc.publish")}</button></p>
          {published && <p role="status" class="banner ok">{published}</p>}
        </>
      )}
      <h2>{t("wfm.sc.published_h")}</h2>
      <div class="filters">
        <label class="field"><span>{t("wfm.sc.date")}</span><input type="date" value={viewDay} onInput={text(viewDay, setViewDay)} /></label>
      </div>
      <Notice error={shown.error} loading={shown.loading && !shown.data} t={t} />
      {shown.data && <Timeline days={shown.data} t={t} lang={lang} timeZone={ctx.timezone} caption={t("wfm.sc.published_caption")} />}
    </section>
  );
}

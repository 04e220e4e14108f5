// Agent-day schedules as a table: one row per agent and day, a bar of the day's segments (work, breaks, lunch)
// positioned on the 24 hours, and the same segments as text (the bar is decoration for sighted readers).
import { Table, type Column } from "../../ui/Table";
import type { T } from "../../types";
import { midnight, slotLabel } from "./time";

export interface Segment { activity: string; start: string; end: string }
export interface ScheduleDay { id: string; agent_id: string; date: string; team_id: string | null; segments: Segment[] }

export function Timeline({ days, t, lang, timeZone, caption }: { days: ScheduleDay[]; t: T; lang: string; timeZone: string; caption: string }) {
  const cols: Column<ScheduleDay>[] = [
    { key: "agent", label: t("wfm.sc.agent"), header: true, sort: (d) => d.agent_id },
    { key: "date", label: t("wfm.sc.date"), sort: (d) => d.date,
      cell: (d) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${d.date}T00:00:00Z`)) },
    {
      key: "bar", label: t("wfm.sc.day"), cell: (d) => {
        if (!d.segments.length) return <span class="muted">{t("wfm.sc.off")}</span>;
        const base = midnight(d.date, timeZone) * 1000;
        return (
          <div class="timeline" dir="ltr" aria-hidden="true">
            {d.segments.map((s, i) => {
              const a = (Date.parse(s.start) - base) / 864e5 * 100;
              const w = (Date.parse(s.end) - Date.parse(s.start)) / 864e5 * 100;
              return <span key={i} class={`seg ${s.activity}`} style={{ left: `${Math.max(0, a)}%`, width: `${Math.min(100, w)}%` }} />;
            })}
          </div>
        );
      },
    },
    {
      key: "segments", label: t("wfm.sc.segments"), sort: (d) => d.segments[0]?.start ?? "", cell: (d) => (
        <ul class="segments">
          {d.segments.map((s, i) => (
            <li key={i}>{t(`wfm.activity.${s.activity}`)} {slotLabel(lang, s.start, timeZone, false)}–{slotLabel(lang, s.end, timeZone, false)}</li>
          ))}
        </ul>
      ),
    },
  ];
  return <Table caption={caption} rows={days} columns={cols} t={t} lang={lang} rowKey={(d) => d.id} />;
}

// The contacts behind one figure of a report (GET /api/reports/contacts with the report's query, the row's
// key and period, and the KPI); each opens its event timeline.
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatDuration, formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { fromUrl, periodLabel, toUrl } from "./query";

export interface Contact {
  contact_id: string; channel: string; direction: string; state: string; outcome: string | null; queue_id: string | null;
  agent_id: string | null; created_at: number; wait_s: number | null; talk_s: number; hold_s: number; acw_s: number;
  disposition: string | null;
}
interface Drill { key: string; kpi: string; period: string; period_start: number; timezone: string; contacts: Contact[]; truncated: boolean }

export function DrillContacts({ api, t, lang, ctx, route }: PageProps) {
  const qs = route.query.toString();
  const loaded = useLoad(() => api.get<Drill>(`/api/reports/contacts?${qs}`), [qs]);
  const back = toUrl(fromUrl(route.query, ctx.timezone));
  const kpi = route.query.get("kpi") ?? "";
  const key = route.query.get("key") ?? "";
  const dur = (v: number | null) => (v === null ? "–" : formatDuration(lang, v));
  const columns: Column<Contact>[] = [
    { key: "contact_id", label: t("rep.contact"), sort: (c) => c.contact_id, header: true,
      cell: (c) => <a href={hrefOf(`reports/contacts/${encodeURIComponent(c.contact_id)}`, Object.fromEntries(route.query.entries()))}>{c.contact_id}</a> },
    { key: "created_at", label: t("rep.created"), sort: (c) => c.created_at, cell: (c) => formatWhen(lang, c.created_at, ctx.timezone) },
    { key: "channel", label: t("rep.channel"), sort: (c) => c.channel },
    { key: "queue_id", label: t("rep.queue"), sort: (c) => c.queue_id ?? "" },
    { key: "agent_id", label: t("rep.agent"), sort: (c) => c.agent_id ?? "" },
    { key: "state", label: t("rep.state"), sort: (c) => (c.outcome ? `${c.state} · ${c.outcome}` : c.state) },
    { key: "wait_s", label: t("rep.wait"), numeric: true, sort: (c) => c.wait_s, cell: (c) => dur(c.wait_s) },
    { key: "talk_s", label: t("rep.kpi.talk_s"), numeric: true, sort: (c) => c.talk_s, cell: (c) => dur(c.talk_s) },
    { key: "disposition", label: t("rep.disposition"), sort: (c) => c.disposition ?? "" },
  ];
  return (
    <section aria-labelledby="rep-drill-h" class="rep">
      <p><a href={hrefOf("reports", back)}>{t("rep.back_report")}</a></p>
      <h1 id="rep-drill-h">{t("rep.drill_h", { kpi: t(`rep.kpi.${kpi}`), name: key, period: loaded.data ? periodLabel(lang, route.query.get("grain") ?? "day", loaded.data.period_start, loaded.data.timezone, loaded.data.period) : "" })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <>
          {loaded.data.truncated && <p class="banner warn">{t("rep.truncated", { n: formatNumber(lang, loaded.data.contacts.length) })}</p>}
          <Table caption={t("rep.contacts_caption", { n: formatNumber(lang, loaded.data.contacts.length) })} rows={loaded.data.contacts}
                 columns={columns} t={t} lang={lang} rowKey={(c) => c.contact_id} initialSort="created_at" empty={t("rep.no_contacts")} />
        </>
      )}
    </section>
  );
}

// The drill-down of one reason: its contacts in the period (and queue), newest first; each opens its conversation.
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { apiPeriod, filtersOf, urlOf } from "./query";

interface Contact { contact_id: string; channel: string | null; queue_id: string | null; agent_id: string | null;
                    created_at: number; state: string | null; disposition: string | null; topics: string[] }
interface Drill { reason: string; total: number; contacts: Contact[] }

const LIMIT = 500;

export function ReasonContacts({ api, t, lang, ctx, route }: PageProps) {
  const f = filtersOf(route.query, ctx.timezone);
  const reason = route.query.get("reason") ?? "";
  const q = `${apiPeriod(f, ctx.timezone)}&source=${f.source}&reason=${encodeURIComponent(reason)}&limit=${LIMIT}`;
  const loaded = useLoad(() => api.get<Drill>(`/api/analytics/reasons/contacts?${q}`), [q]);
  const back = urlOf(f);
  const columns: Column<Contact>[] = [
    { key: "contact_id", label: t("an.contact"), header: true, sort: (c) => c.contact_id,
      cell: (c) => <a href={hrefOf(`analytics/contacts/${encodeURIComponent(c.contact_id)}`, { ...back, reason })}>{c.contact_id}</a> },
    { key: "created_at", label: t("an.created"), sort: (c) => c.created_at, cell: (c) => formatWhen(lang, c.created_at, ctx.timezone) },
    { key: "channel", label: t("an.channel"), sort: (c) => c.channel ?? "" },
    { key: "queue_id", label: t("an.queue"), sort: (c) => c.queue_id ?? "" },
    { key: "agent_id", label: t("an.agent"), sort: (c) => c.agent_id ?? "" },
    { key: "disposition", label: t("an.source.disposition"), sort: (c) => c.disposition ?? "" },
    { key: "topics", label: t("an.topics"), cell: (c) => <span dir="auto">{c.topics.join(", ")}</span> },
  ];
  return (
    <section aria-labelledby="an-drill-h" class="an rep">
      <p><a href={hrefOf("analytics", back)}>{t("an.back")}</a></p>
      <h1 id="an-drill-h">{t("an.drill_h", { reason, from: f.from, to: f.to })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <Table caption={t("an.drill_caption", { n: formatNumber(lang, loaded.data.total) })} rows={loaded.data.contacts}
               columns={columns} t={t} lang={lang} rowKey={(c) => c.contact_id} initialSort="created_at" initialDir="desc"
               empty={t("an.no_contacts")} />
      )}
    </section>
  );
}

// One contact of a drill-down: its row (queue, agent, times) and its event timeline (GET /api/contacts/{id}/events).
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import type { Contact } from "./DrillContacts";

interface TimelineEvent { seq: number; type: string; at: number; [field: string]: unknown }

const SKIP = new Set(["seq", "type", "at", "contact_id"]);

export function ContactTimeline({ api, t, lang, ctx, route, contactId }: PageProps & { contactId: string }) {
  const id = decodeURIComponent(contactId);
  const path = encodeURIComponent(id);
  const loaded = useLoad(() => Promise.all([api.get<Contact>(`/api/contacts/${path}`),
                                            api.get<TimelineEvent[]>(`/api/contacts/${path}/events`)]), [id]);
  const when = (s: number) => {
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium", timeZone: ctx.timezone }).format(new Date(s * 1000));
    } catch {
      return new Date(s * 1000).toISOString();
    }
  };
  // times as the centre's clock, measured seconds to two decimals, structures as JSON
  const value = (k: string, v: unknown): string => {
    if (typeof v === "number" && k.endsWith("_at")) return when(v);
    if (typeof v === "number") return String(Math.round(v * 100) / 100);
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  };
  const columns: Column<TimelineEvent>[] = [
    { key: "at", label: t("rep.when"), sort: (e) => e.seq, cell: (e) => when(e.at) },
    { key: "type", label: t("rep.event"), sort: (e) => e.type, header: true },
    { key: "detail", label: t("rep.detail"), cell: (e) => (
      <code class="wrap">{Object.entries(e).filter(([k, v]) => !SKIP.has(k) && v !== null && v !== "")
        .map(([k, v]) => `${k}: ${value(k, v)}`).join(" · ")}</code>) },
  ];
  const contact = loaded.data?.[0];
  return (
    <section aria-labelledby="rep-tl-h" class="rep">
      <p><a href={hrefOf("reports/contacts", Object.fromEntries(route.query.entries()))}>{t("rep.back_contacts")}</a></p>
      <h1 id="rep-tl-h">{t("rep.timeline_h", { id })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {contact && (
        <dl class="rep-totals rep-contact">
          <div><dt>{t("rep.channel")}</dt><dd>{contact.channel}</dd></div>
          <div><dt>{t("rep.queue")}</dt><dd>{contact.queue_id ?? "–"}</dd></div>
          <div><dt>{t("rep.agent")}</dt><dd>{contact.agent_id ?? "–"}</dd></div>
          <div><dt>{t("rep.state")}</dt><dd>{contact.outcome ? `${contact.state} · ${contact.outcome}` : contact.state}</dd></div>
          <div><dt>{t("rep.disposition")}</dt><dd>{contact.disposition ?? "–"}</dd></div>
        </dl>
      )}
      {loaded.data && (
        <Table caption={t("rep.timeline_caption")} rows={loaded.data[1]} columns={columns} t={t} lang={lang}
               rowKey={(e) => String(e.seq)} initialSort="at" />
      )}
    </section>
  );
}

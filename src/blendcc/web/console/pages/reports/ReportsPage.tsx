// Historical reports (supervisor): a query form, the figures as a chart and a table, CSV/XLSX export, saved
// definitions, and a drill-down from any figure to its contacts and from a contact to its event timeline.
// Every view is a URL (#/reports?..., #/reports/contacts?..., #/reports/contacts/<id>?...): bookmarkable.
import "./reports.css";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { ContactTimeline } from "./ContactTimeline";
import { DrillContacts } from "./DrillContacts";
import { Definitions } from "./Definitions";
import { ReportForm } from "./ReportForm";
import { ReportResult } from "./ReportResult";
import { complete, fromUrl, toApi, type Result } from "./query";

export function ReportsPage(props: PageProps) {
  const { path } = props.route;
  if (path === "reports/contacts") return <DrillContacts {...props} />;
  if (path.startsWith("reports/contacts/")) return <ContactTimeline {...props} contactId={path.slice("reports/contacts/".length)} />;
  return <ReportView {...props} />;
}

function ReportView(props: PageProps) {
  const { api, t, ctx, route } = props;
  const query = fromUrl(route.query, ctx.timezone);
  const ready = complete(route.query);
  const key = ready ? JSON.stringify(toApi(query)) : "";
  const loaded = useLoad<Result | null>(() => (ready ? api.post<Result>("/api/reports/run", toApi(query)) : Promise.resolve(null)), [key]);
  return (
    <section aria-labelledby="rep-h" class="rep">
      <h1 id="rep-h">{t("nav.reports")}</h1>
      <div class="rep-top">
        <ReportForm {...props} query={query} />
        <Definitions {...props} query={ready ? query : null} />
      </div>
      {ready && <Notice error={loaded.error} loading={loaded.loading} t={t} retry={loaded.reload} />}
      {!ready && <p class="muted">{t("rep.intro")}</p>}
      {ready && loaded.data && !loaded.loading && <ReportResult {...props} query={query} result={loaded.data} />}
    </section>
  );
}

// Quality & analytics (supervisor): contact reasons (Pareto with the cumulative share, trend, drill-down to the
// contacts and one contact's conversation with its sentiment), sentiment per queue or agent, QA scores per
// agent and survey figures, over a period and optionally one queue. Every view is a URL (bookmarkable).
import "./analytics.css";
import "../reports/reports.css";
import type { PageProps } from "../../types";
import { ContactView } from "./ContactView";
import { Filters } from "./Filters";
import { QualitySection } from "./QualitySection";
import { ReasonContacts } from "./ReasonContacts";
import { ReasonsSection } from "./ReasonsSection";
import { SentimentSection } from "./SentimentSection";
import { filtersOf } from "./query";

export function AnalyticsPage(props: PageProps) {
  const { path } = props.route;
  if (path === "analytics/contacts") return <ReasonContacts {...props} />;
  if (path.startsWith("analytics/contacts/")) return <ContactView {...props} contactId={path.slice("analytics/contacts/".length)} />;
  const f = filtersOf(props.route.query, props.ctx.timezone);
  return (
    <section aria-labelledby="an-h" class="an rep">
      <h1 id="an-h">{props.t("nav.analytics")}</h1>
      <Filters {...props} filters={f} />
      <ReasonsSection {...props} filters={f} />
      <SentimentSection {...props} filters={f} />
      <QualitySection {...props} filters={f} />
    </section>
  );
}

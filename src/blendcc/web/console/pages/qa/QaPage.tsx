// Evaluations (supervisors, evaluators): the sampling queue, the evaluations with their filters and the
// disputes to answer, calibration sessions, scorecards, one contact's evaluation form. Every view is a URL.
import "../analytics/analytics.css";
import "../reports/reports.css";
import "./qa.css";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { CalibrationList } from "./CalibrationList";
import { CalibrationView } from "./CalibrationView";
import { EvaluateView } from "./EvaluateView";
import { EvaluationList } from "./EvaluationList";
import { SampleQueue } from "./SampleQueue";
import { ScorecardEditor, ScorecardList } from "./ScorecardEditor";

const TABS = [["qa", "qa.tab.queue"], ["qa/evaluations", "qa.tab.evaluations"], ["qa/disputes", "qa.tab.disputes"],
              ["qa/calibrations", "qa.tab.calibrations"], ["qa/scorecards", "qa.tab.scorecards"]] as const;

export function QaPage(props: PageProps) {
  const { path } = props.route;
  const { t } = props;
  if (path.startsWith("qa/evaluate/")) return <EvaluateView {...props} contactId={path.slice("qa/evaluate/".length)} />;
  if (path.startsWith("qa/scorecards/")) return <ScorecardEditor {...props} id={decodeURIComponent(path.slice("qa/scorecards/".length))} />;
  if (path.startsWith("qa/calibrations/")) return <CalibrationView {...props} id={path.slice("qa/calibrations/".length)} />;
  return (
    <section class="qa rep" aria-labelledby="qa-h">
      <h1 id="qa-h">{t("nav.qa")}</h1>
      <nav class="qa-tabs" aria-label={t("qa.views")}>
        {TABS.map(([p, label]) => (
          <a key={p} href={hrefOf(p)} class={`btn${path === p ? " primary" : ""}`} aria-current={path === p ? "page" : undefined}>{t(label)}</a>
        ))}
      </nav>
      {path === "qa/evaluations" && <EvaluationList {...props} />}
      {path === "qa/disputes" && <EvaluationList {...props} disputes />}
      {path === "qa/calibrations" && <CalibrationList {...props} />}
      {path === "qa/scorecards" && <ScorecardList {...props} />}
      {path === "qa" && <SampleQueue {...props} />}
    </section>
  );
}

// Evaluate one contact (#/qa/evaluate/<contact>?scorecard=&calibration=&evaluation=): the contact beside the
// scorecard form; a new evaluation, a calibration sheet, or a re-score of an evaluation (answering its dispute).
import { useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { ContactBeside, type Contact } from "./ContactBeside";
import { ScorecardForm, type Filled } from "./ScorecardForm";
import { applies, type Evaluation, type ScorecardOut } from "./types";

export function EvaluateView(props: PageProps & { contactId: string }) {
  const { api, t, lang, route, navigate } = props;
  const id = decodeURIComponent(props.contactId);
  const evaluationId = route.query.get("evaluation") ?? "";
  const calibration = route.query.get("calibration") ?? "";
  const loaded = useLoad(() => Promise.all([
    api.get<Contact>(`/api/contacts/${encodeURIComponent(id)}`),
    api.get<ScorecardOut[]>("/api/qa/scorecards"),
    evaluationId ? api.get<Evaluation>(`/api/qa/evaluations/${encodeURIComponent(evaluationId)}`) : Promise.resolve(null)]),
  [id, evaluationId]);
  const [contact, cards, evaluation] = loaded.data ?? [null, null, null];
  const usable = (cards ?? []).filter((c) => contact && applies(c.document, contact.queue_id, contact.channel));
  const [chosen, setChosen] = useState("");
  const [calError, setCalError] = useState("");
  const cardId = evaluation?.scorecard_id ?? (route.query.get("scorecard") || chosen || usable[0]?.document.id || "");
  const version = evaluation?.scorecard_version ?? (Number(route.query.get("version")) || 0);
  const card = useLoad(() => (cardId ? api.get<ScorecardOut>(`/api/qa/scorecards/${encodeURIComponent(cardId)}${version ? `?version=${version}` : ""}`)
    : Promise.resolve(null)), [cardId, version]);

  const save = async (f: Filled) => {
    if (evaluation) {
      await api.post(`/api/qa/evaluations/${encodeURIComponent(evaluation.id)}/rescore`,
                     { answers: f.answers, comments: f.comments, comment: f.comment, reply: f.reply || null });
      navigate("qa/evaluations", { saved: evaluation.id });
      return;
    }
    const made = await api.post<Evaluation>("/api/qa/evaluations", {
      contact_id: id, scorecard_id: cardId, scorecard_version: card.data?.version, answers: f.answers,
      comments: f.comments, comment: f.comment, ...(calibration ? { calibration_id: calibration } : {}) });
    if (calibration) navigate(`qa/calibrations/${calibration}`);
    else navigate("qa/evaluations", { saved: made.id });
  };
  const title = evaluation ? t("qa.rescore_h", { id }) : calibration ? t("qa.calibrate_h", { id }) : t("qa.evaluate_h", { id });
  return (
    <section class="qa rep" aria-labelledby="qa-eval-h">
      <p><a href={hrefOf(evaluation ? "qa/evaluations" : "qa")}>{t("qa.back")}</a></p>
      <h1 id="qa-eval-h">{title}</h1>
      <Notice error={loaded.error || card.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {evaluation?.response && (
        <div class="banner warn qa-dispute" role="note">
          <strong>{t("qa.dispute_by", { agent: evaluation.responded_by ?? evaluation.agent_id })}</strong>
          <p dir="auto">{evaluation.response}</p>
        </div>
      )}
      {contact && (
        <div class="qa-split">
          <ContactBeside {...props} contact={contact} />
          <div class="qa-sheet">
            {!evaluation && !calibration && !route.query.get("scorecard") && (
              <label class="field"><span>{t("qa.scorecard")}</span>
                <select value={cardId} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
                  {usable.map((c) => <option key={c.document.id} value={c.document.id}>{c.document.name}</option>)}
                </select></label>
            )}
            {cards && usable.length === 0 && !evaluation && <p class="muted">{t("qa.no_scorecard")}</p>}
            {card.data && (
              <ScorecardForm key={`${cardId}-${card.data.version}-${evaluation?.revision ?? 0}`} api={api} t={t} lang={lang}
                             card={card.data.document} version={card.data.version} withReply={!!evaluation}
                             initial={evaluation ? { answers: evaluation.answers, comments: evaluation.comments,
                                                     comment: evaluation.comment, reply: "" } : undefined}
                             submitLabel={evaluation ? t("qa.save_rescore") : t("qa.save")} onSubmit={save} />
            )}
            {!evaluation && !calibration && card.data && (
              <p class="qa-cal-open">
                <button type="button" class="btn" onClick={() => {
                  api.post<{ id: string }>("/api/qa/calibrations", { contact_id: id, scorecard_id: cardId, scorecard_version: card.data?.version })
                    .then((s) => navigate(`qa/calibrations/${s.id}`), (e: unknown) => setCalError(errorText(e)));
                }}>{t("qa.open_calibration")}</button>
                {calError && <span class="banner error" role="alert">{calError}</span>}
              </p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

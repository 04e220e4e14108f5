// "My evaluations": the agent's evaluations (GET /api/qa/evaluations, the agent's own), a badge counting the
// open ones (new or re-scored, not answered yet; re-read every minute), and one evaluation's scores and
// comments per question with Acknowledge, or Dispute with a reason.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../../shared/http";
import { formatDateTime, formatNumber, formatPercent } from "../i18n";
import type { Api, T } from "../types";
import "./qa.css";

interface Question { id: string; text: string; kind: string; scale_max: number | null; weight: number; auto_fail: boolean }
interface Card { name: string; sections: { id: string; title: string; questions: Question[] }[] }
export interface Evaluation { id: string; revision: number; contact_id: string; channel: string | null; contact_at: number;
  scorecard_id: string; scorecard_version: number; evaluator: string; answers: Record<string, number | string>;
  comments: Record<string, string>; comment: string; score: number; auto_failed: boolean; created_at: number;
  status: "open" | "acknowledged" | "disputed"; response: string | null; reply: string | null }

const POLL_MS = 60_000;

export function MyEvaluations({ api, t, lang }: { api: Api; t: T; lang: string }) {
  const [list, setList] = useState<Evaluation[]>([]);
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);
  const [error, setError] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const load = useCallback(() => {
    api.get<Evaluation[]>("/api/qa/evaluations?limit=200").then((l) => { setList(l); setError(""); }, (e) => setError(errorText(e)));
  }, [api]);
  useEffect(() => {
    load();
    const timer = window.setInterval(load, POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);
  const fresh = list.filter((e) => e.status === "open").length;
  const close = () => { setOpen(false); setChosen(null); button.current?.focus(); };
  const current = list.find((e) => e.id === chosen) ?? null;
  return (
    <>
      <button type="button" ref={button} class="btn ghost myqa-toggle" aria-haspopup="dialog"
              onClick={() => { load(); setOpen(true); }}>
        {t("myqa.button")}
        {fresh > 0 && <span class="badge" aria-label={t("myqa.new", { n: formatNumber(lang, fresh) })}>{formatNumber(lang, fresh)}</span>}
      </button>
      {open && (
        <div class="modal-backdrop" onKeyDown={(e) => e.key === "Escape" && close()}>
          <section class="card modal myqa" role="dialog" aria-modal="true" aria-labelledby="myqa-h">
            <div class="myqa-head">
              <h2 id="myqa-h">{current ? t("myqa.one_h", { id: current.contact_id }) : t("myqa.title")}</h2>
              <button type="button" class="btn ghost small" onClick={close} autoFocus>{t("myqa.close")}</button>
            </div>
            {error && <p class="error" role="alert">{error}</p>}
            {current ? <One api={api} t={t} lang={lang} e={current} back={() => setChosen(null)} done={load} /> : (
              list.length === 0 ? <p class="muted">{t("myqa.none")}</p> : (
                <ul class="myqa-list">
                  {list.map((e) => (
                    <li key={e.id}>
                      <button type="button" class="btn ghost myqa-row" onClick={() => setChosen(e.id)}>
                        <span>{t("myqa.row", { id: e.contact_id, when: formatDateTime(lang, e.contact_at) })}</span>
                        <strong>{formatPercent(lang, e.score)}</strong>
                        <span class={`myqa-st ${e.status}`}>{t(`myqa.st.${e.status}`)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              ))}
          </section>
        </div>
      )}
    </>
  );
}

function One({ api, t, lang, e, back, done }: { api: Api; t: T; lang: string; e: Evaluation; back(): void; done(): void }) {
  const [card, setCard] = useState<Card | null>(null);
  const [reason, setReason] = useState("");
  const [disputing, setDisputing] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    api.get<{ document: Card }>(`/api/qa/scorecards/${encodeURIComponent(e.scorecard_id)}?version=${e.scorecard_version}`)
      .then((c) => setCard(c.document), (err) => setError(errorText(err)));
  }, [e.id, e.revision]);
  const answer = (q: Question) => {
    const a = e.answers[q.id];
    if (a === "yes" || a === "no" || a === "na") return t(`myqa.a.${a}`);
    return t("myqa.of", { v: formatNumber(lang, Number(a)), max: formatNumber(lang, q.scale_max ?? 0) });
  };
  const respond = async (kind: "acknowledge" | "dispute") => {
    try {
      await api.post(`/api/qa/evaluations/${encodeURIComponent(e.id)}/${kind}`, kind === "dispute" ? { reason } : {});
      setDisputing(false);
      done();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="myqa-one">
      <button type="button" class="btn ghost small" onClick={back}>{t("myqa.back")}</button>
      <p class="myqa-score"><strong>{t("myqa.score", { score: formatPercent(lang, e.score) })}</strong>
        {e.auto_failed && <span class="myqa-fail"> {t("myqa.auto_failed")}</span>}</p>
      <p class="muted">{t("myqa.meta", { by: e.evaluator, when: formatDateTime(lang, e.created_at), rev: formatNumber(lang, e.revision) })}</p>
      {e.reply && <p class="myqa-reply"><strong>{t("myqa.reply")}</strong> <span dir="auto">{e.reply}</span></p>}
      {card?.sections.map((s) => (
        <section key={s.id} class="myqa-section" aria-label={s.title}>
          <h3>{s.title}</h3>
          <dl>
            {s.questions.map((q) => (
              <div key={q.id} class="myqa-q">
                <dt dir="auto">{q.text}{q.auto_fail && <span class="myqa-tag">{t("myqa.auto_fail")}</span>}</dt>
                <dd><strong>{answer(q)}</strong>{e.comments[q.id] && <span class="myqa-comment" dir="auto">{e.comments[q.id]}</span>}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      {e.comment && <p><strong>{t("myqa.comment")}</strong> <span dir="auto">{e.comment}</span></p>}
      {e.status !== "open" && <p class="myqa-st-line">{t(`myqa.st.${e.status}`)}{e.response && <>: <span dir="auto">{e.response}</span></>}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {e.status === "open" && !disputing && (
        <div class="actions">
          <button type="button" class="btn primary" onClick={() => void respond("acknowledge")}>{t("myqa.acknowledge")}</button>
          <button type="button" class="btn" onClick={() => setDisputing(true)}>{t("myqa.dispute")}</button>
        </div>
      )}
      {e.status === "open" && disputing && (
        <form onSubmit={(ev) => { ev.preventDefault(); void respond("dispute"); }}>
          <label class="field"><span>{t("myqa.reason")}</span>
            <textarea rows={3} required maxLength={5000} value={reason} onInput={(ev) => setReason((ev.currentTarget as HTMLTextAreaElement).value)} /></label>
          <div class="actions">
            <button type="submit" class="btn primary" disabled={!reason.trim()}>{t("myqa.send_dispute")}</button>
            <button type="button" class="btn ghost" onClick={() => setDisputing(false)}>{t("myqa.cancel")}</button>
          </div>
        </form>
      )}
    </div>
  );
}

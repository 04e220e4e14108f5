// A scorecard as a form: its sections and questions (yes/no or 1..N, N/A where allowed, the weight, auto-fail
// marked), a comment per question and an overall one; the score as the server computes it (the preview route,
// never a copy of the formula here), refreshed as the evaluator answers.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { formatNumber, percentOrDash } from "../../ui/format";
import type { Api, T } from "../../types";
import type { Answer, Preview, Scorecard } from "./types";

export interface Filled { answers: Record<string, Answer>; comments: Record<string, string>; comment: string; reply: string }

interface Props {
  api: Api; t: T; lang: string; card: Scorecard; version: number; initial?: Filled; withReply?: boolean;
  submitLabel: string; onSubmit(f: Filled): Promise<void>;
}

export function ScorecardForm({ api, t, lang, card, version, initial, withReply, submitLabel, onSubmit }: Props) {
  const [answers, setAnswers] = useState<Record<string, Answer>>(initial?.answers ?? {});
  const [comments, setComments] = useState<Record<string, string>>(initial?.comments ?? {});
  const [comment, setComment] = useState(initial?.comment ?? "");
  const [reply, setReply] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(answers);
  useEffect(() => {
    let live = true;
    api.post<Preview>(`/api/qa/scorecards/${encodeURIComponent(card.id)}/preview`, { scorecard_version: version, answers })
      .then((p) => { if (live) { setPreview(p); setError(""); } }, (e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [key, card.id, version]);
  const set = (qid: string, v: string) => setAnswers({ ...answers, [qid]: /^\d+$/.test(v) ? Number(v) : v });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const kept = Object.fromEntries(Object.entries(comments).filter(([, v]) => v.trim() !== ""));
      await onSubmit({ answers, comments: kept, comment, reply });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const n = (v: number) => formatNumber(lang, v);
  return (
    <form class="qa-form" onSubmit={submit} aria-label={t("qa.form", { name: card.name })}>
      <p class="qa-score" role="status" aria-live="polite">
        <strong>{t("qa.score")}: {preview?.score == null ? "–" : percentOrDash(lang, preview.score, 1)}</strong>
        {preview?.auto_failed && <span class="qa-fail"> {t("qa.auto_failed")}</span>}
        {preview && !preview.complete && <span class="muted"> {t("qa.unanswered", { n: n(preview.missing.length) })}</span>}
      </p>
      {card.sections.map((s) => (
        <fieldset key={s.id} class="qa-section">
          <legend>{s.title}</legend>
          {s.questions.map((q) => {
            const choices: [string, string][] = q.kind === "yes_no"
              ? [["yes", t("qa.yes")], ["no", t("qa.no")]]
              : Array.from({ length: q.scale_max ?? 0 }, (_, i) => [String(i + 1), n(i + 1)] as [string, string]);
            if (q.na_allowed) choices.push(["na", t("qa.na")]);
            return (
              <div key={q.id} class={`qa-q${q.auto_fail ? " auto-fail" : ""}`} role="radiogroup" aria-labelledby={`qa-q-${q.id}`}>
                <p id={`qa-q-${q.id}`} class="qa-q-text">
                  <span dir="auto">{q.text}</span>
                  <span class="muted qa-q-meta"> {t("qa.weight", { w: formatNumber(lang, q.weight, 1) })}</span>
                  {q.auto_fail && <span class="qa-tag">{t("qa.auto_fail")}</span>}
                </p>
                <div class="qa-choices">
                  {choices.map(([v, label]) => (
                    <label key={v} class="qa-choice">
                      <input type="radio" name={`q-${q.id}`} value={v} checked={String(answers[q.id] ?? "") === v}
                             onChange={() => set(q.id, v)} /> {label}
                    </label>
                  ))}
                </div>
                <label class="field qa-comment"><span>{t("qa.comment")}</span>
                  <input type="text" maxLength={2000} aria-label={t("qa.comment_on", { q: q.text })} value={comments[q.id] ?? ""}
                         onInput={(e) => setComments({ ...comments, [q.id]: (e.currentTarget as HTMLInputElement).value })} /></label>
              </div>
            );
          })}
        </fieldset>
      ))}
      <label class="field"><span>{t("qa.overall_comment")}</span>
        <textarea rows={3} maxLength={5000} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      {withReply && (
        <label class="field"><span>{t("qa.reply")}</span>
          <textarea rows={2} maxLength={5000} value={reply} onInput={(e) => setReply((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      )}
      {error && <p class="banner error" role="alert">{error}</p>}
      <button type="submit" class="btn primary" disabled={busy || !preview?.complete}>{submitLabel}</button>
    </form>
  );
}

// Scorecards (#/qa/scorecards, #/qa/scorecards/<id>): the current versions, and one scorecard edited as a form or
// as its JSON document (docs/quality.md), checked by the server (each problem at its field) and saved as a new version.
import { useEffect, useState } from "preact/hooks";
import { type FieldProblem, errorText, isApiError } from "../../../shared/http";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatNumber } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { type CardDraft, NEW_CARD, pathKey, problemsByPath, shownInForm, toDraft } from "./draft";
import { ScorecardFields } from "./ScorecardFields";
import type { ScorecardOut } from "./types";

export function ScorecardList({ api, t, lang, navigate }: PageProps) {
  const loaded = useLoad(() => api.get<ScorecardOut[]>("/api/qa/scorecards"), []);
  const [id, setId] = useState("");
  return (
    <>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <Table caption={t("qa.cards_caption")} rows={loaded.data} t={t} lang={lang} rowKey={(c) => c.document.id}
               empty={t("qa.no_cards")} columns={[
                 { key: "id", label: t("qa.card_id"), header: true, sort: (c) => c.document.id,
                   cell: (c) => <a href={hrefOf(`qa/scorecards/${encodeURIComponent(c.document.id)}`)}>{c.document.id}</a> },
                 { key: "name", label: t("qa.card_name"), sort: (c) => c.document.name },
                 { key: "version", label: t("qa.version"), numeric: true, sort: (c) => c.version, cell: (c) => formatNumber(lang, c.version) }]} />
      )}
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(`qa/scorecards/${id}`); }}>
        <label class="field"><span>{t("qa.new_card_id")}</span>
          <input type="text" required pattern="[A-Za-z0-9_\-]{1,64}" value={id} onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn">{t("qa.new_card")}</button>
      </form>
    </>
  );
}

export function ScorecardEditor({ api, t, lang, id }: PageProps & { id: string }) {
  const path = `/api/qa/scorecards/${encodeURIComponent(id)}`;
  const loaded = useLoad(() => Promise.all([
    api.get<ScorecardOut>(path).catch((e: unknown) => {
      if (isApiError(e) && e.status === 404) return null;
      throw e;
    }),
    api.get<{ id: string }[]>("/api/config/queues").catch(() => [] as { id: string }[])]), [id]);
  const [card, queues] = loaded.data ?? [null, []];
  const [draft, setDraft] = useState<CardDraft>(NEW_CARD);
  const [view, setView] = useState<"form" | "json">("form");
  const [text, setText] = useState("");
  const [jsonError, setJsonError] = useState("");
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [failure, setFailure] = useState("");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!loaded.loading && loaded.data) {
      const doc: Record<string, unknown> = card ? { ...card.document } : { ...NEW_CARD };
      delete doc.id;
      const d = toDraft(doc);
      if (typeof d !== "string") setDraft(d);
      setText(JSON.stringify(doc, null, 2));
    }
  }, [loaded.data, loaded.loading]);
  const toJson = () => {
    setText(JSON.stringify(draft, null, 2));
    setJsonError("");
    setView("json");
  };
  /** The document to send: the form's draft, or the JSON view's text (null when it does not parse). */
  const current = (): unknown => {
    if (view === "form") return draft;
    try {
      return JSON.parse(text);
    } catch (e) {
      setJsonError(t("qa.bad_json", { error: errorText(e) }));
      return null;
    }
  };
  const toForm = () => {
    const doc = current();
    if (doc === null) return;
    const d = toDraft(doc);
    if (typeof d === "string") {
      setJsonError(t("qa.json_not_form", { error: d }));
      return;
    }
    setDraft(d);
    setView("form");
  };
  const send = async (save: boolean) => {
    setProblems([]);
    setFailure("");
    setMessage("");
    const body = current();
    if (body === null) return;
    setBusy(true);
    try {
      const out = save ? await api.put<ScorecardOut>(path, body) : await api.post<ScorecardOut>(`${path}/check`, body);
      setMessage(save ? t("qa.card_saved", { v: formatNumber(lang, out.version) }) : t("qa.card_ok"));
      if (save) loaded.reload();
    } catch (e) {
      const listed = isApiError(e) ? e.errors ?? [] : [];
      if (listed.length) {
        setProblems(listed);
        requestAnimationFrame(() => {  // to the first field with a problem, else to the list
          const first = listed.map((p) => document.querySelector<HTMLElement>(`:is(input, select)[aria-describedby="qe-e-${pathKey(p.loc).replace(/[^A-Za-z0-9_-]/g, "-")}"]`))
            .find(Boolean) ?? document.getElementById("qe-problems");
          first?.focus();
        });
      } else {
        setFailure(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  };
  const byPath = problemsByPath(problems);
  const elsewhere = view === "json" ? problems.length : problems.filter((p) => !shownInForm(pathKey(p.loc))).length;
  return (
    <section class="qa rep" aria-labelledby="qa-card-h">
      <p><a href={hrefOf("qa/scorecards")}>{t("qa.back")}</a></p>
      <h1 id="qa-card-h">{t("qa.card_h", { id })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {card && <p class="muted">{t("qa.version")}: {formatNumber(lang, card.version)}</p>}
      <div role="status" aria-live="polite">
        {message && <p class="banner ok">{message}</p>}
      </div>
      {failure && <p class="banner error" role="alert">{failure}</p>}
      {problems.length > 0 && (
        <div id="qe-problems" class="banner error" tabIndex={-1}>
          <p>{t(elsewhere ? "qa.card_problems" : "qa.card_problems_at_fields", { n: formatNumber(lang, problems.length) })}</p>
          <ul class="qa-problems" aria-label={t("qa.card_errors")}>
            {problems.map((p, i) => <li key={i}><bdi dir="ltr"><code>{pathKey(p.loc) || "–"}</code>: {p.msg}</bdi></li>)}
          </ul>
        </div>
      )}
      {loaded.data && (
        <form class="qe" noValidate onSubmit={(e) => { e.preventDefault(); void send(true); }}>
          <div class="adm-tabs qe-tabs" role="group" aria-label={t("qa.card_view")}>
            <button type="button" class="btn small" aria-pressed={view === "form"} onClick={toForm}>{t("qa.tab_form")}</button>
            <button type="button" class="btn small" aria-pressed={view === "json"} onClick={toJson}>{t("qa.tab_json")}</button>
          </div>
          {view === "form" ? (
            <ScorecardFields t={t} lang={lang} draft={draft} problems={byPath} queues={queues.map((q) => q.id)} onChange={setDraft} />
          ) : (
            <div class="field">
              <label for="qe-json">{t("qa.card_doc")}</label>
              <textarea id="qe-json" class="qa-json" rows={24} spellcheck={false} dir="ltr" value={text}
                        aria-invalid={jsonError ? "true" : undefined} aria-describedby={jsonError ? "qe-json-e" : undefined}
                        onInput={(e) => { setText((e.currentTarget as HTMLTextAreaElement).value); setJsonError(""); }} />
              {jsonError && <span id="qe-json-e" class="field-error" dir="auto">{jsonError}</span>}
            </div>
          )}
          <div class="actions qa-card-actions">
            <button type="button" class="btn" disabled={busy} onClick={() => void send(false)}>{t("qa.card_check")}</button>
            <button type="submit" class="btn primary" disabled={busy}>{t("qa.card_save")}</button>
          </div>
        </form>
      )}
    </section>
  );
}

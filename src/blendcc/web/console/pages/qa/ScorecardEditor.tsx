// Scorecards (#/qa/scorecards, #/qa/scorecards/<id>): the current versions, and one scorecard as its JSON
// document (docs/quality.md) checked by the server (errors at their field paths) and saved as a new version.
import { useEffect, useState } from "preact/hooks";
import { errorText, isApiError } from "../../../shared/http";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatNumber } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import type { ScorecardOut } from "./types";

const NEW = { name: "", channels: [], queues: [], sections: [{ id: "s1", title: "", questions: [{ id: "q1", text: "" }] }] };

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
  const loaded = useLoad(() => api.get<ScorecardOut>(path).catch((e: unknown) => {
    if (isApiError(e) && e.status === 404) return null;
    throw e;
  }), [id]);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (!loaded.loading) {
      const doc: Record<string, unknown> = loaded.data ? { ...loaded.data.document } : { ...NEW };
      delete doc.id;
      setText(JSON.stringify(doc, null, 2));
    }
  }, [loaded.data, loaded.loading]);
  const send = async (save: boolean) => {
    setProblems([]);
    setMessage("");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setProblems([t("qa.bad_json", { error: errorText(e) })]);
      return;
    }
    try {
      const out = save ? await api.put<ScorecardOut>(path, body) : await api.post<ScorecardOut>(`${path}/check`, body);
      setMessage(save ? t("qa.card_saved", { v: formatNumber(lang, out.version) }) : t("qa.card_ok"));
      if (save) loaded.reload();
    } catch (e) {
      setProblems(errorText(e).split("; "));  // the server's field errors: "<path>: <message>; ..."
    }
  };
  return (
    <section class="qa rep" aria-labelledby="qa-card-h">
      <p><a href={hrefOf("qa/scorecards")}>{t("qa.back")}</a></p>
      <h1 id="qa-card-h">{t("qa.card_h", { id })}</h1>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && <p class="muted">{t("qa.version")}: {formatNumber(lang, loaded.data.version)}</p>}
      <label class="field"><span>{t("qa.card_doc")}</span>
        <textarea class="qa-json" rows={24} spellcheck={false} dir="ltr" value={text}
                  onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      <div class="actions qa-card-actions">
        <button type="button" class="btn" onClick={() => void send(false)}>{t("qa.card_check")}</button>
        <button type="button" class="btn primary" onClick={() => void send(true)}>{t("qa.card_save")}</button>
      </div>
      <div role="status" aria-live="polite">
        {message && <p class="banner ok">{message}</p>}
        {problems.length > 0 && (
          <ul class="banner error qa-problems" aria-label={t("qa.card_errors")}>
            {problems.map((p) => <li key={p} dir="ltr">{p}</li>)}
          </ul>
        )}
      </div>
    </section>
  );
}

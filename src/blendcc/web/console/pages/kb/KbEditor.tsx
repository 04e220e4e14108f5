// One article in one language: title, category, tags, status and its Markdown with a preview made by the server's
// own renderer (what the help centre and the desktop show); each save is a new version; the versions listed with
// their author, any of them loaded back into the form to restore it (saved as a new version).
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { LANGS, type Article } from "./types";

interface Form { id: string; lang: string; title: string; category: string; tags: string; status: string; body: string }
const EMPTY: Form = { id: "", lang: "en", title: "", category: "", tags: "", status: "draft", body: "" };

function formOf(a: Article): Form {
  return { id: a.id, lang: a.lang, title: a.title, category: a.category, tags: a.tags.join(", "), status: a.status, body: a.body };
}

export function KbEditor({ api, t, lang, ctx, navigate, id, alang }: PageProps & { id: string; alang: string }) {
  const isNew = id === "new";
  const base = `/api/kb/articles/${encodeURIComponent(id)}/${encodeURIComponent(alang)}`;
  const [serial, setSerial] = useState(0);
  const current = useLoad(() => (isNew ? Promise.resolve(null) : api.get<Article>(base)), [api, base, serial]);
  const versions = useLoad(() => (isNew ? Promise.resolve([]) : api.get<Article[]>(`${base}/versions`)), [api, base, serial]);
  const [form, setForm] = useState<Form>(EMPTY);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => { if (current.data) setForm(formOf(current.data)); }, [current.data]);

  const set = (key: keyof Form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  const run = async (what: () => Promise<string>) => {
    setBusy(true); setError(""); setDone("");
    try { setDone(await what()); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const tags = form.tags.split(",").map((s) => s.trim()).filter(Boolean);
      const saved = await api.put<Article>(`/api/kb/articles/${encodeURIComponent(form.id)}/${encodeURIComponent(form.lang)}`,
        { title: form.title, body: form.body, category: form.category, tags, status: form.status });
      if (isNew) navigate(`kb/${encodeURIComponent(saved.id)}/${encodeURIComponent(saved.lang)}`);
      else setSerial((n) => n + 1);
      return t("kb.saved", { version: formatNumber(lang, saved.version) });
    });
  };
  const showPreview = () => void run(async () => {
    setPreview((await api.post<{ html: string }>("/api/kb/preview", { body: form.body })).html);
    return "";
  });
  const restore = (v: Article) => { setForm(formOf(v)); setDone(t("kb.restored", { version: formatNumber(lang, v.version) })); };
  if (!isNew && !current.data) return <section class="kb"><Notice error={current.error} loading={current.loading} t={t} retry={current.reload} /></section>;
  const field = (key: keyof Form, label: string, extra: Record<string, unknown> = {}) => (
    <label class="field grow"><span>{label}</span><input value={form[key]} onInput={set(key)} {...extra} /></label>
  );
  return (
    <section aria-labelledby="kb-edit-h" class="kb">
      <p><a href="#/kb">{t("kb.back")}</a></p>
      <h1 id="kb-edit-h">{isNew ? t("kb.new") : form.title}</h1>
      <Notice error={error} t={t} />
      {done && <p role="status" class="done">{done}</p>}
      <form class="kb-form" onSubmit={save}>
        <div class="filters">
          {field("id", t("kb.slug"), { required: true, pattern: "[a-z0-9][a-z0-9\\-]{0,79}", readOnly: !isNew, dir: "ltr" })}
          <label class="field"><span>{t("kb.language")}</span>
            <select value={form.lang} disabled={!isNew} onChange={set("lang")}>
              {LANGS.map((l) => <option value={l} key={l}>{l}</option>)}
            </select>
          </label>
          <label class="field"><span>{t("kb.status")}</span>
            <select value={form.status} onChange={set("status")}>
              <option value="draft">{t("kb.status.draft")}</option>
              <option value="published">{t("kb.status.published")}</option>
            </select>
          </label>
        </div>
        {field("title", t("kb.title"), { required: true, maxLength: 200 })}
        <div class="filters">
          {field("category", t("kb.category"), { maxLength: 64 })}
          {field("tags", t("kb.tags"), { "aria-describedby": "kb-tags-hint" })}
        </div>
        <small id="kb-tags-hint" class="muted">{t("kb.tags_hint")}</small>
        <label class="field"><span>{t("kb.body")}</span>
          <textarea rows={14} value={form.body} required maxLength={100000} onInput={set("body")} dir="auto" />
        </label>
        <div class="actions">
          <button type="submit" class="btn primary" disabled={busy}>{t("kb.save")}</button>
          <button type="button" class="btn" disabled={busy || !form.body} onClick={showPreview}>{t("kb.preview")}</button>
        </div>
      </form>
      {preview !== null && (
        <section aria-labelledby="kb-preview-h" class="kb-preview" lang={form.lang} dir={form.lang === "fa" ? "rtl" : "ltr"}>
          <h2 id="kb-preview-h">{t("kb.preview")}</h2>
          {/* the server's renderer: raw HTML of the Markdown is escaped, javascript: links dropped */}
          <div dangerouslySetInnerHTML={{ __html: preview }} />
        </section>
      )}
      {!isNew && (
        <section aria-labelledby="kb-versions-h">
          <h2 id="kb-versions-h">{t("kb.versions")}</h2>
          <ol class="kb-versions">
            {(versions.data ?? []).slice().reverse().map((v) => (
              <li key={v.version}>
                <span>{t("kb.version_line", { version: formatNumber(lang, v.version), status: t(`kb.status.${v.status}`),
                  by: v.updated_by ?? "-", when: formatWhen(lang, v.updated_at, ctx.timezone) })}</span>
                {v.version !== current.data?.version &&
                  <button type="button" class="btn small" onClick={() => restore(v)}>{t("kb.restore")}</button>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}

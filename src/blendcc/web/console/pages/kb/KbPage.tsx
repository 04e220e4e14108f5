// Knowledge base (supervisor): the articles (every language, drafts too) with search and filters by category,
// language and status; a row opens the editor (KbEditor); the figures (KbFigures) below.
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import { KbEditor } from "./KbEditor";
import { KbFigures } from "./KbFigures";
import { LANGS, type Article } from "./types";
import "./kb.css";

export function KbPage(props: PageProps) {
  const { api, t, lang, ctx, route, navigate } = props;
  const [, id, alang] = route.path.split("/");
  const list = useLoad(() => api.get<Article[]>("/api/kb/articles"), [api, id]);
  const [q, setQ] = useState("");
  const [category, setCategory] = useState("");
  const [language, setLanguage] = useState("");
  const [status, setStatus] = useState("");
  const [hits, setHits] = useState<Set<string> | null>(null);
  if (id) return <KbEditor {...props} id={decodeURIComponent(id)} alang={alang ?? ""} />;

  const search = async (e: Event) => {
    e.preventDefault();
    if (!q.trim()) { setHits(null); return; }
    const got = await api.get<{ hits: { id: string; lang: string }[] }>(
      `/api/kb/search?drafts=true&limit=50&q=${encodeURIComponent(q)}`);
    setHits(new Set(got.hits.map((h) => `${h.id}/${h.lang}`)));
  };
  const all = list.data ?? [];
  const categories = [...new Set(all.map((a) => a.category))].sort();
  const rows = all.filter((a) => (!category || a.category === category) && (!language || a.lang === language)
    && (!status || a.status === status) && (!hits || hits.has(`${a.id}/${a.lang}`)));
  const select = (label: string, value: string, set: (v: string) => void, options: [string, string][]) => (
    <label class="field"><span>{label}</span>
      <select value={value} onChange={(e) => set((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">{t("kb.any")}</option>
        {options.map(([v, l]) => <option value={v} key={v}>{l}</option>)}
      </select>
    </label>
  );
  return (
    <section aria-labelledby="kb-h" class="kb">
      <h1 id="kb-h">{t("nav.kb")}</h1>
      <form class="filters" role="search" onSubmit={(e) => void search(e)}>
        <label class="field grow"><span>{t("kb.search")}</span>
          <input type="search" value={q} maxLength={200} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="btn">{t("kb.search_button")}</button>
        {select(t("kb.category"), category, setCategory, categories.map((c) => [c, c || t("kb.no_category")]))}
        {select(t("kb.language"), language, setLanguage, LANGS.map((l) => [l, l]))}
        {select(t("kb.status"), status, setStatus, [["draft", t("kb.status.draft")], ["published", t("kb.status.published")]])}
        <button type="button" class="btn primary" onClick={() => navigate("kb/new")}>{t("kb.new")}</button>
      </form>
      <Notice error={list.error} loading={list.loading && !list.data} t={t} retry={list.reload} />
      <Table caption={t("kb.list")} rows={rows} rowKey={(a) => `${a.id}/${a.lang}`} t={t} lang={lang}
        initialSort="updated" initialDir="desc" empty={t("kb.none")} columns={[
          { key: "title", label: t("kb.title"), header: true, sort: (a) => a.title,
            cell: (a) => <a href={`#/kb/${encodeURIComponent(a.id)}/${encodeURIComponent(a.lang)}`}>{a.title}</a> },
          { key: "lang", label: t("kb.language"), sort: (a) => a.lang, cell: (a) => <span lang={a.lang}>{a.lang}</span> },
          { key: "category", label: t("kb.category"), sort: (a) => a.category, cell: (a) => a.category },
          { key: "status", label: t("kb.status"), sort: (a) => a.status,
            cell: (a) => <span class={`status status-${a.status}`}>{t(`kb.status.${a.status}`)}</span> },
          { key: "version", label: t("kb.version"), numeric: true, sort: (a) => a.version, cell: (a) => a.version },
          { key: "updated", label: t("kb.updated"), sort: (a) => a.updated_at,
            cell: (a) => formatWhen(lang, a.updated_at, ctx.timezone) },
        ]} />
      <KbFigures {...props} />
    </section>
  );
}

// The knowledge base's figures over a chosen period (KPIS.md): self-service deflection overall, per language and
// per category, article views, agents' uses, top articles and the articles read before a contact.
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatNumber, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import type { PageProps } from "../../types";
import type { Count, Figures, Rate } from "./types";

const DAY = 86400;

export function KbFigures({ api, t, lang }: PageProps) {
  const [days, setDays] = useState(30);
  const [end] = useState(() => Math.ceil(Date.now() / 1000 / 60) * 60);
  const figures = useLoad(() => api.get<Figures>(`/api/kb/figures?start=${end - days * DAY}&end=${end}`), [api, days, end]);
  const f = figures.data;
  const rates = (caption: string, rows: Rate[]) => (
    <Table caption={caption} rows={rows} rowKey={(r) => r.key} t={t} lang={lang} empty={t("kb.fig.none")} columns={[
      { key: "key", label: caption, header: true, sort: (r) => r.key, cell: (r) => r.key || t("kb.no_category") },
      { key: "sessions", label: t("kb.fig.sessions"), numeric: true, sort: (r) => r.sessions, cell: (r) => formatNumber(lang, r.sessions) },
      { key: "deflected", label: t("kb.fig.deflected"), numeric: true, sort: (r) => r.deflected, cell: (r) => formatNumber(lang, r.deflected) },
      { key: "rate", label: t("kb.fig.rate"), numeric: true, sort: (r) => r.rate, cell: (r) => percentOrDash(lang, r.rate, 1) },
    ]} />
  );
  const counts = (caption: string, rows: Count[], cols: (keyof Count)[]) => (
    <Table caption={caption} rows={rows} rowKey={(a) => `${a.id}/${a.lang}`} t={t} lang={lang} empty={t("kb.fig.none")} columns={[
      { key: "id", label: t("kb.fig.article"), header: true, sort: (a) => a.id,
        cell: (a) => <a href={`#/kb/${encodeURIComponent(a.id)}/${encodeURIComponent(a.lang)}`}>{a.id} ({a.lang})</a> },
      ...cols.map((c) => ({ key: c, label: t(`kb.fig.${c}`), numeric: true, sort: (a: Count) => a[c] as number,
        cell: (a: Count) => formatNumber(lang, a[c] as number) })),
    ]} />
  );
  return (
    <section aria-labelledby="kb-fig-h" class="kb-figures">
      <h2 id="kb-fig-h">{t("kb.fig.title")}</h2>
      <label class="field"><span>{t("kb.fig.period")}</span>
        <select value={String(days)} onChange={(e) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}>
          {[1, 7, 30, 90].map((d) => <option value={String(d)} key={d}>{t("kb.fig.days", { n: formatNumber(lang, d) })}</option>)}
        </select>
      </label>
      <Notice error={figures.error} loading={figures.loading && !f} t={t} retry={figures.reload} />
      {f && (<>
        <dl class="kb-tiles">
          <div><dt>{t("kb.fig.rate")}</dt><dd>{percentOrDash(lang, f.deflection_rate, 1)}</dd></div>
          <div><dt>{t("kb.fig.sessions")}</dt><dd>{formatNumber(lang, f.sessions)}</dd></div>
          <div><dt>{t("kb.fig.with_article")}</dt><dd>{formatNumber(lang, f.sessions_with_article)}</dd></div>
          <div><dt>{t("kb.fig.deflected")}</dt><dd>{formatNumber(lang, f.deflected)}</dd></div>
          <div><dt>{t("kb.fig.searches")}</dt><dd>{formatNumber(lang, f.searches)}</dd></div>
        </dl>
        <p class="muted">{t("kb.fig.definition")}</p>
        {rates(t("kb.language"), f.by_language)}
        {rates(t("kb.category"), f.by_category)}
        {counts(t("kb.fig.top"), f.top_articles, ["views", "open", "insert", "send"])}
        {counts(t("kb.fig.uses"), f.agent_uses, ["open", "insert", "send", "contacts"])}
        {counts(t("kb.fig.before_contact"), f.viewed_before_contact, ["contacts"])}
      </>)}
    </section>
  );
}

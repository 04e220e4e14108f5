// One problem: its rules and workaround, the knowledge article that answers it, its linked contacts per day or hour
// (chart), the contacts themselves (drill-down, linking one by hand), the affected customers and the button adding
// them to an outbound campaign's calling list; mark it a known error, resolve it with its resolution, close it.
import { useState } from "preact/hooks";
import { Chart } from "../../ui/Chart";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import type { Affected, Counts, Exported, Link, Problem } from "./types";

type Bucket = "day" | "hour" | "interval";

export function ProblemDetail({ api, t, lang, ctx, id }: PageProps & { id: string }) {
  const base = `/api/problems/${encodeURIComponent(id)}`;
  const [serial, setSerial] = useState(0);
  const [bucket, setBucket] = useState<Bucket>("day");
  const problem = useLoad(() => api.get<Problem>(base), [api, base, serial]);
  const counts = useLoad(() => api.get<Counts>(`${base}/counts?bucket=${bucket}`), [api, base, bucket, serial]);
  const links = useLoad(() => api.get<{ total: number; contacts: Link[] }>(`${base}/contacts?limit=500`), [api, base, serial]);
  const affected = useLoad(() => api.get<Affected>(`${base}/customers`), [api, base, serial]);
  const articles = useLoad(() => api.get<{ id: string; lang: string; title: string }[]>("/api/kb/articles"), [api]);
  const campaigns = useLoad(() => api.get<{ id: string; name: string }[]>("/api/campaigns"), [api]);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const [article, setArticle] = useState<string | null>(null);
  const [campaign, setCampaign] = useState("");
  const [contact, setContact] = useState("");
  const [resolution, setResolution] = useState("");

  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setError("");
    setDone("");
    try { setDone(await run()); setSerial((n) => n + 1); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  const p = problem.data;
  if (!p) return <section class="problems"><Notice error={problem.error} loading={problem.loading} t={t} retry={problem.reload} /></section>;
  const live = p.status === "open" || p.status === "known_error";
  const when = (at: number) => formatWhen(lang, at, ctx.timezone);
  const chosen = article ?? p.kb_article_id ?? "";
  const articleTitle = (articles.data ?? []).find((a) => a.id === p.kb_article_id)?.title;
  const series = counts.data?.series ?? [];
  const label = (at: number) => (bucket === "day"
    ? new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone: ctx.timezone }).format(new Date(at * 1000))
    : formatWhen(lang, at, ctx.timezone, false));

  return (
    <section aria-labelledby="problem-h" class="problems">
      <p><a href="#/problems">{t("problems.back")}</a></p>
      <h1 id="problem-h">{p.title} <span class={`status status-${p.status}`}>{t(`problems.status.${p.status}`)}</span></h1>
      <Notice error={error || counts.error || links.error || affected.error} t={t} />
      {done && <p class="done" role="status">{done}</p>}
      <dl class="facts">
        <dt>{t("problems.matching")}</dt>
        <dd>{[...p.rules.dispositions.map((d) => `${t("problems.disposition")}: ${d}`),
          ...p.rules.phrases.map((w) => `“${w}”`)].join(" · ")}
          {p.rules.queues.length > 0 && <> · {t("problems.queues")}: {p.rules.queues.join(", ")}</>}</dd>
        <dt>{t("problems.opened")}</dt><dd>{when(p.opened_at)}{p.opened_by ? ` · ${p.opened_by}` : ""}</dd>
        <dt>{t("problems.workaround")}</dt><dd>{p.workaround || "–"}</dd>
        <dt>{t("problems.article")}</dt><dd>{p.kb_article_id ? `${articleTitle ?? p.kb_article_id} (${p.kb_article_id})` : "–"}</dd>
        {p.crisis_id && <><dt>{t("problems.crisis")}</dt><dd>{p.crisis_id}</dd></>}
        {p.resolution && <><dt>{t("problems.resolution")}</dt><dd>{p.resolution}{p.resolved_at ? ` · ${when(p.resolved_at)}` : ""}</dd></>}
      </dl>

      {p.status !== "closed" && (
        <div class="actions">
          <label class="field"><span>{t("problems.article")}</span>
            <select value={chosen} onChange={(e) => setArticle((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">–</option>
              {[...new Map((articles.data ?? []).map((a) => [a.id, a])).values()].map((a) =>
                <option key={a.id} value={a.id}>{a.title}</option>)}
            </select></label>
          <button type="button" class="btn" disabled={busy || chosen === (p.kb_article_id ?? "")}
            onClick={() => void act(async () => { await api.patch(base, { kb_article_id: chosen || null }); return t("problems.saved"); })}>
            {t("problems.link_article")}</button>
          {p.status === "open" && (
            <button type="button" class="btn" disabled={busy}
              onClick={() => void act(async () => { await api.patch(base, { status: "known_error" }); return t("problems.saved"); })}>
              {t("problems.mark_known")}</button>
          )}
          {p.status === "resolved" && (
            <button type="button" class="btn" disabled={busy}
              onClick={() => void act(async () => { await api.post(`${base}/close`); return t("problems.saved"); })}>
              {t("problems.close")}</button>
          )}
        </div>
      )}
      {live && (
        <form class="actions" onSubmit={(e) => { e.preventDefault(); void act(async () => {
          await api.post(`${base}/resolve`, { resolution }); setResolution(""); return t("problems.saved"); }); }}>
          <label class="field grow"><span>{t("problems.resolution")}</span>
            <input value={resolution} required maxLength={4000} onInput={(e) => setResolution((e.currentTarget as HTMLInputElement).value)} /></label>
          <button type="submit" class="btn primary" disabled={busy}>{t("problems.resolve")}</button>
        </form>
      )}

      <h2>{t("problems.over_time")}</h2>
      <div class="filters">
        <label class="field"><span>{t("problems.bucket")}</span>
          <select value={bucket} onChange={(e) => setBucket((e.currentTarget as HTMLSelectElement).value as Bucket)}>
            {(["day", "hour", "interval"] as Bucket[]).map((b) => <option key={b} value={b}>{t(`problems.bucket.${b}`)}</option>)}
          </select></label>
      </div>
      <Chart title={t("problems.chart", { total: formatNumber(lang, counts.data?.total ?? 0) })} t={t}
        labels={series.map((b) => label(b.start))} format={(v) => (Number.isInteger(v) ? formatNumber(lang, v) : "")}
        series={[{ name: t("problems.contacts"), kind: "bar", values: series.map((b) => b.contacts) }]} />

      <h2>{t("problems.linked", { n: formatNumber(lang, links.data?.total ?? 0) })}</h2>
      <Table caption={t("problems.linked_caption")} captionHidden rows={links.data?.contacts ?? []} rowKey={(l) => l.contact_id}
        t={t} lang={lang} initialSort="at" initialDir="desc" pageSize={50} empty={t("problems.no_contacts")}
        moreLabel={(more, hidden) => t("problems.more", { more: formatNumber(lang, more), hidden: formatNumber(lang, hidden) })}
        columns={[
          { key: "at", label: t("problems.when"), sort: (l) => l.contact_at, cell: (l) => when(l.contact_at) },
          { key: "contact", label: t("problems.contact"), header: true, sort: (l) => l.contact_id },
          { key: "queue", label: t("problems.queue"), sort: (l) => l.queue_id ?? "" },
          { key: "channel", label: t("problems.channel"), sort: (l) => l.channel ?? "" },
          { key: "how", label: t("problems.how"), sort: (l) => l.how, cell: (l) => t(`problems.how.${l.how}`) },
          { key: "reason", label: t("problems.reason"), sort: (l) => l.reason },
        ]} />
      {p.status !== "closed" && (
        <form class="actions" onSubmit={(e) => { e.preventDefault(); void act(async () => {
          await api.post(`${base}/contacts`, { contact_id: contact.trim() }); setContact(""); return t("problems.saved"); }); }}>
          <label class="field"><span>{t("problems.contact_id")}</span>
            <input value={contact} required maxLength={128} onInput={(e) => setContact((e.currentTarget as HTMLInputElement).value)} /></label>
          <button type="submit" class="btn" disabled={busy}>{t("problems.link_contact")}</button>
        </form>
      )}

      <h2>{t("problems.customers", { n: formatNumber(lang, affected.data?.customers.length ?? 0) })}</h2>
      <Table caption={t("problems.customers_caption")} captionHidden rows={affected.data?.customers ?? []}
        rowKey={(c) => c.customer_id} t={t} lang={lang} initialSort="contacts" initialDir="desc" pageSize={50}
        empty={t("problems.no_customers")}
        moreLabel={(more, hidden) => t("problems.more", { more: formatNumber(lang, more), hidden: formatNumber(lang, hidden) })}
        columns={[
          { key: "name", label: t("problems.name"), header: true, sort: (c) => c.name || c.customer_id },
          { key: "phones", label: t("problems.phones"), sort: (c) => c.phones.join(" "), cell: (c) => <span dir="ltr">{c.phones.join(", ")}</span> },
          { key: "emails", label: t("problems.emails"), sort: (c) => c.emails.join(" "), cell: (c) => <span dir="ltr">{c.emails.join(", ")}</span> },
          { key: "contacts", label: t("problems.contacts"), numeric: true, sort: (c) => c.contacts, cell: (c) => formatNumber(lang, c.contacts) },
          { key: "last", label: t("problems.last_contact"), sort: (c) => c.last_contact_at, cell: (c) => when(c.last_contact_at) },
        ]} />
      <div class="actions">
        <label class="field"><span>{t("problems.campaign")}</span>
          <select value={campaign} onChange={(e) => setCampaign((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">–</option>
            {(campaigns.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.name || c.id}</option>)}
          </select></label>
        <button type="button" class="btn primary" disabled={busy || !campaign}
          onClick={() => void act(async () => {
            const r = await api.post<Exported>(`${base}/campaign-list`, { campaign_id: campaign });
            return t("problems.exported", { accepted: formatNumber(lang, r.import.accepted), dnc: formatNumber(lang, r.skipped_dnc),
              nophone: formatNumber(lang, r.without_phone) });
          })}>{t("problems.create_list")}</button>
      </div>
    </section>
  );
}

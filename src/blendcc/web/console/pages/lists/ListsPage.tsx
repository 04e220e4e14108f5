// Campaign lists (admin): upload a CSV contact list to a campaign, see the rows it refused (line, column,
// message) while the good rows are imported, the past imports, and the campaign's records.
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { download } from "../../ui/download";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { ImportReport, type LineError } from "./ImportReport";
import "../wfm/wfm.css";

interface Import { import_id: string; at: number; source: string; total: number; accepted: number; rejected: number; duplicates: number; errors: LineError[] }
interface DialRecord { record_id: string; external_id: string | null; phone: string; tz: string; state: string; attempts: number; last_outcome?: string | null; fields: Record<string, string> }
interface RecordPage { counts: Record<string, number>; records: DialRecord[] }

export function ListsPage({ api, t, lang, ctx, route, navigate }: PageProps) {
  const campaigns = useLoad(() => api.get<{ id: string; name?: string }[]>("/api/campaigns"), []);
  const campaign = route.query.get("campaign") ?? campaigns.data?.[0]?.id ?? "";
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [last, setLast] = useState<Import | null>(null);
  const c = encodeURIComponent(campaign);
  const imports = useLoad(() => (campaign ? api.get<Import[]>(`/api/campaigns/${c}/lists`) : Promise.resolve([])), [campaign, last]);
  const records = useLoad(() => (campaign ? api.get<RecordPage>(`/api/campaigns/${c}/records?limit=200`) : Promise.resolve(null)), [campaign, last]);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError("");
    try {
      const form = new FormData();
      form.append("file", file, file.name);
      setLast(await api.upload<Import>(`/api/campaigns/${c}/lists`, form));
    } catch (err) {
      setLast(null);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const importCols: Column<Import>[] = [
    { key: "at", label: t("lists.at"), sort: (i) => i.at, cell: (i) => formatWhen(lang, i.at, ctx.timezone) },
    { key: "source", label: t("lists.source"), header: true, sort: (i) => i.source },
    ...(["total", "accepted", "rejected", "duplicates"] as const).map((k) => ({
      key: k, label: t(`lists.count.${k}`), numeric: true, sort: (i: Import) => i[k], cell: (i: Import) => formatNumber(lang, i[k]),
    })),
  ];
  const recordCols: Column<DialRecord>[] = [
    { key: "id", label: t("lists.rec.id"), header: true, sort: (r) => r.external_id ?? r.record_id },
    { key: "phone", label: t("lists.rec.phone"), sort: (r) => r.phone, cell: (r) => <span dir="ltr">{r.phone}</span> },
    { key: "tz", label: t("lists.rec.tz"), sort: (r) => r.tz },
    { key: "state", label: t("lists.rec.state"), sort: (r) => r.state },
    { key: "attempts", label: t("lists.rec.attempts"), numeric: true, sort: (r) => r.attempts, cell: (r) => formatNumber(lang, r.attempts) },
    { key: "fields", label: t("lists.rec.fields"), cell: (r) => <code class="wrap">{Object.entries(r.fields).map(([k, v]) => `${k}=${v}`).join(", ")}</code> },
  ];
  return (
    <section aria-labelledby="ls-h" class="lists">
      <h1 id="ls-h">{t("nav.lists")}</h1>
      <Notice error={campaigns.error} loading={campaigns.loading && !campaigns.data} t={t} />
      {campaigns.data && !campaigns.data.length && <p class="muted">{t("lists.no_campaigns")}</p>}
      {campaign && (
        <form class="filters" onSubmit={upload}>
          <label class="field"><span>{t("lists.campaign")}</span>
            <select value={campaign} onChange={(e) => { setLast(null); navigate(route.path, { campaign: (e.currentTarget as HTMLSelectElement).value }); }}>
              {(campaigns.data ?? []).map((x) => <option key={x.id} value={x.id}>{x.name || x.id}</option>)}
            </select></label>
          <label class="field"><span>{t("lists.file")}</span>
            <input type="file" accept=".csv,.txt,text/csv" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} /></label>
          <button type="submit" class="btn primary" disabled={busy || !file}>{busy ? t("lists.busy") : t("lists.upload")}</button>
        </form>
      )}
      <p class="muted">{t("lists.hint")}</p>
      <Notice error={error} t={t} />
      {last && <ImportReport t={t} lang={lang} caption={t("lists.err.caption", { file: last.source })} errors={last.errors}
                             counts={[["total", last.total], ["accepted", last.accepted], ["rejected", last.rejected], ["duplicates", last.duplicates]]} />}
      {campaign && (
        <>
          <h2>{t("lists.imports_h")}</h2>
          <Notice error={imports.error} t={t} />
          {imports.data && <Table caption={t("lists.imports_caption")} rows={imports.data} columns={importCols} t={t} lang={lang}
                                  rowKey={(i) => i.import_id} initialSort="at" initialDir="desc" />}
          <h2>{t("lists.records_h")}</h2>
          <Notice error={records.error} t={t} />
          {records.data && (
            <>
              <p>{Object.entries(records.data.counts).map(([k, v]) => t("lists.rec.count", { state: k, n: formatNumber(lang, v) })).join(" · ")}</p>
              <p><button type="button" class="btn small" onClick={() => void download(api, `/api/campaigns/${c}/records.csv`, `${campaign}-records.csv`).catch((err) => setError(errorText(err)))}>
                {t("lists.export")}</button></p>
              <Table caption={t("lists.records_caption")} rows={records.data.records} columns={recordCols} t={t} lang={lang} rowKey={(r) => r.record_id} />
            </>
          )}
        </>
      )}
    </section>
  );
}

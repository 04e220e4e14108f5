// Do-not-call lists (admin): the global list or a campaign's; add one number, upload a file, remove a number.
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import { ImportReport, type LineError } from "./ImportReport";
import "../wfm/wfm.css";

interface Entry { scope: string; phone: string; reason: string; added_at: number }
interface DncImport { added: number; already_listed: number; duplicates_in_file: number; rejected: number; errors: LineError[] }

export function DncPage({ api, t, lang, ctx, route, navigate }: PageProps) {
  const campaigns = useLoad(() => api.get<{ id: string }[]>("/api/campaigns"), []);
  const scope = route.query.get("scope") ?? "global";
  const s = encodeURIComponent(scope);
  const [add, setAdd] = useState({ phone: "", reason: "" });
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [report, setReport] = useState<DncImport | null>(null);
  const [serial, setSerial] = useState(0);
  const entries = useLoad(() => api.get<Entry[]>(`/api/dnc/${s}?limit=1000`), [scope, serial]);
  const act = async (work: () => Promise<string>) => {
    setError("");
    setDone("");
    try {
      setDone(await work());
      setSerial(serial + 1);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const cols: Column<Entry>[] = [
    { key: "phone", label: t("lists.rec.phone"), header: true, sort: (e) => e.phone, cell: (e) => <span dir="ltr">{e.phone}</span> },
    { key: "reason", label: t("lists.dnc.reason"), sort: (e) => e.reason },
    { key: "added", label: t("lists.dnc.added_at"), sort: (e) => e.added_at, cell: (e) => formatWhen(lang, e.added_at, ctx.timezone) },
    { key: "remove", label: t("lists.actions"), cell: (e) => (
      <button type="button" class="btn small" aria-label={t("lists.dnc.remove_n", { phone: e.phone })}
              onClick={() => void act(async () => { await api.del(`/api/dnc/${s}/numbers/${encodeURIComponent(e.phone)}`); return t("lists.dnc.removed", { phone: e.phone }); })}>
        {t("lists.dnc.remove")}</button>
    ) },
  ];
  return (
    <section aria-labelledby="dnc-h" class="lists">
      <h1 id="dnc-h">{t("nav.dnc")}</h1>
      <div class="filters">
        <label class="field"><span>{t("lists.dnc.scope")}</span>
          <select value={scope} onChange={(e) => { setReport(null); navigate(route.path, { scope: (e.currentTarget as HTMLSelectElement).value }); }}>
            <option value="global">{t("lists.dnc.global")}</option>
            {(campaigns.data ?? []).map((c) => <option key={c.id} value={c.id}>{t("lists.dnc.campaign", { id: c.id })}</option>)}
          </select></label>
      </div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => {
        const r = await api.post<Entry>(`/api/dnc/${s}/numbers`, { phone: add.phone, reason: add.reason });
        setAdd({ phone: "", reason: "" });
        return t("lists.dnc.added", { phone: r.phone });
      }); }}>
        <label class="field"><span>{t("lists.rec.phone")}</span>
          <input type="tel" dir="ltr" required value={add.phone} onInput={(e) => setAdd({ ...add, phone: (e.currentTarget as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t("lists.dnc.reason")}</span>
          <input value={add.reason} onInput={(e) => setAdd({ ...add, reason: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn primary">{t("lists.dnc.add")}</button>
      </form>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); if (file) void act(async () => {
        const form = new FormData();
        form.append("file", file, file.name);
        const r = await api.upload<DncImport>(`/api/dnc/${s}`, form);
        setReport(r);
        return t("lists.dnc.uploaded", { file: file.name });
      }); }}>
        <label class="field"><span>{t("lists.dnc.file")}</span>
          <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} /></label>
        <button type="submit" class="btn" disabled={!file}>{t("lists.upload")}</button>
      </form>
      <Notice error={error || campaigns.error} t={t} />
      {done && <p role="status" class="banner ok">{done}</p>}
      {report && <ImportReport t={t} lang={lang} caption={t("lists.err.caption", { file: file?.name ?? "" })} errors={report.errors}
                               counts={[["added", report.added], ["already_listed", report.already_listed], ["duplicates", report.duplicates_in_file], ["rejected", report.rejected]]} />}
      <Notice error={entries.error} loading={entries.loading && !entries.data} t={t} retry={entries.reload} />
      {entries.data && <Table caption={t("lists.dnc.caption", { scope: scope === "global" ? t("lists.dnc.global") : scope })} rows={entries.data}
                              columns={cols} t={t} lang={lang} rowKey={(e) => e.phone} initialSort="added" initialDir="desc" />}
    </section>
  );
}

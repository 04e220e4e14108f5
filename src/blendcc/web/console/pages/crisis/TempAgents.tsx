// Temporary agents (a section of the Crisis page): upload a CSV roster with a name and an expiry, see the initial
// passwords once, list the batches with their expiry and state, and remove a batch in one step after confirming.
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table } from "../../ui/Table";
import { formatWhen } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";

interface Batch {
  id: string; name: string; expires_at: number; created_by: string; created_at: number; crisis_id: string | null;
  removed_at: number | null; state: "active" | "expired" | "removed"; count: number;
}
interface Credential { username: string; agent_id: string; password: string }

/** "YYYY-MM-DDTHH:MM" in the browser's time zone, `hours` from now (the datetime-local field's format). */
function localIn(hours: number): string {
  const d = new Date(Date.now() + hours * 3600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function TempAgents({ api, t, lang, ctx }: Pick<PageProps, "api" | "t" | "lang" | "ctx">) {
  const batches = useLoad(() => api.get<Batch[]>("/api/temp-agents/batches"), [api]);
  const [name, setName] = useState("");
  const [expires, setExpires] = useState(localIn(8));
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<{ batch: Batch; credentials: Credential[] } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState("");

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(""); setNotice(""); setMade(null);
    const at = new Date(expires).getTime() / 1000;
    if (!file) { setError(t("temp.need_file")); return; }
    if (!Number.isFinite(at)) { setError(t("temp.need_expiry")); return; }
    setBusy(true);
    try {
      const csv = await file.text();
      const result = await api.post<{ batch: Batch; credentials: Credential[] }>("/api/temp-agents/batches",
        { name: name.trim() || file.name.replace(/\.csv$/i, ""), expires_at: at, csv });
      setMade(result);
      batches.reload();
    } catch (x) { setError(errorText(x)); } finally { setBusy(false); }
  };
  const remove = async (b: Batch) => {
    setBusy(true); setError(""); setNotice("");
    try {
      await api.del(`/api/temp-agents/batches/${encodeURIComponent(b.id)}`);
      setNotice(t("temp.removed", { name: b.name, count: b.count }));
      setConfirming(null);
      if (made?.batch.id === b.id) setMade(null);  // its passwords no longer work
      batches.reload();
    } catch (x) { setError(errorText(x)); } finally { setBusy(false); }
  };

  return (
    <section aria-labelledby="temp-h" class="temp-agents">
      <h2 id="temp-h">{t("temp.title")}</h2>
      <p class="muted">{t("temp.intro")}</p>
      <Notice error={error || batches.error} t={t} />
      {notice && <p role="status" class="ok-note">{notice}</p>}
      <form class="filters" onSubmit={(e) => void submit(e)}>
        <label class="field"><span>{t("temp.file")}</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} /></label>
        <label class="field grow"><span>{t("temp.name")}</span>
          <input value={name} maxLength={100} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <label class="field"><span>{t("temp.expires")}</span>
          <input type="datetime-local" value={expires} required onInput={(e) => setExpires((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" class="btn primary" disabled={busy}>{t("temp.import")}</button>
      </form>
      <p class="muted small">{t("temp.columns")}</p>
      {made && (
        <div class="temp-credentials">
          <p><strong>{t("temp.created", { name: made.batch.name, count: made.batch.count })}</strong> {t("temp.once")}</p>
          <Table caption={t("temp.credentials")} t={t} lang={lang} rows={made.credentials} rowKey={(c) => c.username}
                 columns={[
                   { key: "username", label: t("temp.username"), sort: (c) => c.username, header: true },
                   { key: "agent", label: t("temp.agent"), sort: (c) => c.agent_id },
                   { key: "password", label: t("temp.password"), cell: (c) => <code dir="ltr">{c.password}</code> },
                 ]} />
        </div>
      )}
      <Table caption={t("temp.batches")} t={t} lang={lang} rows={batches.data ?? []} rowKey={(b) => b.id}
             empty={t("temp.none")} initialSort="created" initialDir="desc"
             rowClass={(b) => `temp-${b.state}`}
             columns={[
               { key: "name", label: t("temp.name"), sort: (b) => b.name, header: true },
               { key: "count", label: t("temp.count"), sort: (b) => b.count, numeric: true },
               { key: "expires", label: t("temp.expires"), sort: (b) => b.expires_at,
                 cell: (b) => formatWhen(lang, b.expires_at, ctx.timezone) },
               { key: "state", label: t("temp.state"), sort: (b) => b.state, cell: (b) => t(`temp.state.${b.state}`) },
               { key: "created", label: t("temp.created_by"), sort: (b) => b.created_at,
                 cell: (b) => `${b.created_by} · ${formatWhen(lang, b.created_at, ctx.timezone)}` },
               { key: "remove", label: t("temp.actions"), cell: (b) => b.state === "removed" ? "" : confirming === b.id ? (
                 <span role="group" aria-label={t("temp.confirm", { name: b.name, count: b.count })} class="temp-confirm">
                   <span>{t("temp.confirm", { name: b.name, count: b.count })}</span>
                   <button type="button" class="btn danger" disabled={busy} onClick={() => void remove(b)}>{t("temp.confirm_yes")}</button>
                   <button type="button" class="btn ghost" onClick={() => setConfirming(null)}>{t("temp.confirm_no")}</button>
                 </span>
               ) : <button type="button" class="btn" onClick={() => setConfirming(b.id)}>{t("temp.remove")}</button> },
             ]} />
    </section>
  );
}

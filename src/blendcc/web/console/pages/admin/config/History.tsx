// A document's versions: who saved each and when, a line-by-line diff of any two, and one-click rollback.
import { useState } from "preact/hooks";
import { errorText } from "../../../../shared/http";
import { Notice } from "../../../ui/Notice";
import { Table, type Column } from "../../../ui/Table";
import { formatWhen } from "../../../ui/format";
import { useLoad } from "../../../ui/useLoad";
import type { PageProps } from "../../../types";
import { diffLines, pretty } from "./diff";

interface Version { version: number; at: number; by: string | null; deleted: boolean; document: Record<string, unknown> }

export function History({ api, t, lang, ctx, kind, id, stamp, onRestored }: Pick<PageProps, "api" | "t" | "lang" | "ctx"> & {
  kind: string; id: string; stamp: number; onRestored(version: number): void;
}) {
  const loaded = useLoad(() => api.get<Version[]>(`/api/config/${kind}/${encodeURIComponent(id)}/history`), [kind, id, stamp]);
  const [pick, setPick] = useState<{ from?: number; to?: number }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const versions = loaded.data ?? [];
  const latest = versions[versions.length - 1]?.version;
  const from = pick.from ?? versions[versions.length - 2]?.version;
  const to = pick.to ?? latest;
  const doc = (v?: number) => versions.find((x) => x.version === v);
  const restore = async (v: number) => {
    setBusy(true);
    setError("");
    try {
      const r = await api.post<{ version: number }>(`/api/config/${kind}/${encodeURIComponent(id)}/rollback`, { version: v });
      setPick({});
      onRestored(r.version);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const columns: Column<Version>[] = [
    { key: "version", label: t("adm.version"), sort: (v) => v.version, numeric: true, header: true },
    { key: "at", label: t("adm.saved_at"), sort: (v) => v.at, cell: (v) => formatWhen(lang, v.at, ctx.timezone) },
    { key: "by", label: t("adm.saved_by"), sort: (v) => v.by ?? "" },
    { key: "state", label: t("adm.state"), cell: (v) => (v.deleted ? t("adm.deleted") : v.version === latest ? t("adm.current") : "") },
    { key: "do", label: t("adm.actions"), cell: (v) => (v.deleted || v.version === latest ? null : (
      <button type="button" class="btn small" disabled={busy} onClick={() => void restore(v.version)}>
        {t("adm.rollback_to", { version: v.version })}</button>)) },
  ];
  const choose = (which: "from" | "to", label: string, value?: number) => (
    <div class="field"><label for={`cmp-${which}`}>{label}</label>
      <select id={`cmp-${which}`} value={value ?? ""} onChange={(e) => setPick({ from, to, [which]: Number(e.currentTarget.value) })}>
        {versions.map((v) => <option key={v.version} value={v.version}>{t("adm.version_n", { version: v.version })}</option>)}
      </select></div>
  );
  const lines = from !== undefined && to !== undefined
    ? diffLines(pretty(doc(from)?.document ?? {}), pretty(doc(to)?.document ?? {})) : [];
  return (
    <section class="history" aria-labelledby="adm-history-h">
      <h2 id="adm-history-h">{t("adm.history")}</h2>
      <Notice error={loaded.error || error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {loaded.data && (
        <Table caption={t("adm.history_caption", { id })} rows={versions} columns={columns} t={t} lang={lang}
               rowKey={(v) => String(v.version)} initialSort="version" initialDir="desc" />
      )}
      {versions.length > 1 && (
        <div class="diff-box">
          <div class="filters">{choose("from", t("adm.compare_from"), from)}{choose("to", t("adm.compare_to"), to)}</div>
          <pre class="diff" aria-label={t("adm.diff_label", { from: from ?? "", to: to ?? "" })} tabIndex={0}>
            {lines.map((l, i) => (
              <div key={i} class={`d-${l.op}`}>
                <span class="sr-only">{l.op === "add" ? t("adm.added") : l.op === "del" ? t("adm.removed") : ""}</span>
                <span aria-hidden="true" class="d-mark">{l.op === "add" ? "+" : l.op === "del" ? "-" : " "}</span>{l.text}
              </div>
            ))}
          </pre>
        </div>
      )}
    </section>
  );
}

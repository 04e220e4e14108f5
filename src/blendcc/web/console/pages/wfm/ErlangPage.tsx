// Staffing calculator (supervisor): Erlang C, or Erlang A with a patience: the agents a service level needs,
// and the service level, ASA and occupancy for agent counts around it (the server's own calculator).
import { useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import { errorText } from "../../../shared/http";
import type { PageProps } from "../../types";
import "./wfm.css";

interface Metrics { agents: number; p_wait: number | null; p_abandon: number | null; asa_s: number | null; service_level: number | null; occupancy: number | null }
interface ErlangOut { model: string; erlangs: number; required: number | null; fte: number | null; metrics: Metrics | null; table: Metrics[] }

const FIELDS = ["calls", "interval_min", "aht_s", "sl_target", "sl_threshold_s", "patience_s", "shrinkage", "agents"] as const;
type Field = (typeof FIELDS)[number];

export function ErlangPage({ api, t, lang }: PageProps) {
  const [v, setV] = useState<Record<Field, string>>({
    calls: "100", interval_min: "30", aht_s: "180", sl_target: "80", sl_threshold_s: "20", patience_s: "", shrinkage: "0", agents: "",
  });
  const [out, setOut] = useState<ErlangOut | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const num = (f: Field) => (v[f].trim() === "" ? undefined : Number(v[f]));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const body = {
        calls: num("calls"), interval_min: num("interval_min"), aht_s: num("aht_s"), sl_threshold_s: num("sl_threshold_s"),
        sl_target: num("sl_target") === undefined ? undefined : Number(v.sl_target) / 100,
        patience_s: num("patience_s"), shrinkage: (num("shrinkage") ?? 0) / 100, agents: num("agents"),
      };
      setOut(await api.post<ErlangOut>("/api/wfm/erlang", body));
    } catch (err) {
      setOut(null);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const input = (f: Field, attrs: Record<string, number | string> = {}) => (
    <label class="field"><span>{t(`wfm.er.${f}`)}</span>
      <input type="number" step="any" min={0} value={v[f]} {...attrs}
             onInput={(e) => setV({ ...v, [f]: (e.currentTarget as HTMLInputElement).value })} /></label>
  );
  const asa = (s: number | null) => (s === null ? "–" : formatDuration(lang, Math.round(s)));
  const cols: Column<Metrics>[] = [
    { key: "agents", label: t("wfm.er.agents_col"), numeric: true, header: true, sort: (m) => m.agents, cell: (m) => formatNumber(lang, m.agents) },
    { key: "sl", label: t("wfm.sl"), numeric: true, sort: (m) => m.service_level, cell: (m) => percentOrDash(lang, m.service_level, 1) },
    { key: "asa", label: t("wfm.asa"), numeric: true, sort: (m) => m.asa_s, cell: (m) => asa(m.asa_s) },
    { key: "occ", label: t("wfm.occupancy"), numeric: true, sort: (m) => m.occupancy, cell: (m) => percentOrDash(lang, m.occupancy, 1) },
    { key: "pw", label: t("wfm.er.p_wait"), numeric: true, sort: (m) => m.p_wait, cell: (m) => percentOrDash(lang, m.p_wait, 1) },
    { key: "pa", label: t("wfm.er.p_abandon"), numeric: true, sort: (m) => m.p_abandon, cell: (m) => percentOrDash(lang, m.p_abandon, 1) },
  ];
  const m = out?.metrics;
  return (
    <section aria-labelledby="er-h" class="wfm">
      <h1 id="er-h">{t("nav.wfm_erlang")}</h1>
      <p class="muted">{t("wfm.er.intro")}</p>
      <form class="filters" onSubmit={submit}>
        {input("calls")}{input("interval_min", { min: 1 })}{input("aht_s")}{input("sl_target", { max: 99.9999 })}
        {input("sl_threshold_s")}{input("patience_s")}{input("shrinkage", { max: 99 })}{input("agents", { step: 1 })}
        <button type="submit" class="btn primary" disabled={busy}>{busy ? t("wfm.busy") : t("wfm.er.calculate")}</button>
      </form>
      <Notice error={error} t={t} />
      {out && (
        <>
          <dl class="figures" aria-live="polite">
            <div><dt>{t("wfm.er.model")}</dt><dd data-figure="model">{out.model}</dd></div>
            <div><dt>{t("wfm.er.erlangs")}</dt><dd>{formatNumber(lang, out.erlangs, 2)}</dd></div>
            <div><dt>{t("wfm.required")}</dt><dd data-figure="required" data-value={out.required ?? ""}>{out.required === null ? "–" : formatNumber(lang, out.required)}</dd></div>
            <div><dt>{t("wfm.er.fte")}</dt><dd>{out.fte === null ? "–" : formatNumber(lang, out.fte, 1)}</dd></div>
            {m && <div><dt>{t("wfm.sl")}</dt><dd data-figure="sl" data-value={m.service_level ?? ""}>{percentOrDash(lang, m.service_level, 1)}</dd></div>}
            {m && <div><dt>{t("wfm.asa")}</dt><dd>{asa(m.asa_s)}</dd></div>}
            {m && <div><dt>{t("wfm.occupancy")}</dt><dd>{percentOrDash(lang, m.occupancy, 1)}</dd></div>}
            {m?.p_abandon !== null && m?.p_abandon !== undefined && <div><dt>{t("wfm.er.p_abandon")}</dt><dd>{percentOrDash(lang, m.p_abandon, 1)}</dd></div>}
          </dl>
          <Table caption={t("wfm.er.table")} rows={out.table} columns={cols} t={t} lang={lang} rowKey={(r) => String(r.agents)}
                 rowClass={(r) => (r.agents === out.required ? "hit" : "")} />
        </>
      )}
    </section>
  );
}

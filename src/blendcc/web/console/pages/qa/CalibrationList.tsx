// Calibration sessions (#/qa/calibrations): the sessions opened in a period with who has scored and the spread of
// their scores as the server reports it, and a form to open one on a contact (several evaluators then score it).
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../../shared/http";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { addDays, midnight } from "../analytics/query";
import { today } from "../reports/query";
import type { CalibrationSummary, ScorecardOut } from "./types";

export function CalibrationList({ api, t, lang, ctx, route, navigate }: PageProps) {
  const to = route.query.get("to") || today(ctx.timezone);
  const from = route.query.get("from") || addDays(to, -29);
  const [draft, setDraft] = useState({ from, to });
  useEffect(() => setDraft({ from, to }), [from, to]);
  const start = midnight(from, ctx.timezone);
  const end = midnight(addDays(to, 1), ctx.timezone);
  const loaded = useLoad(() => Promise.all([
    api.get<CalibrationSummary[]>(`/api/qa/calibrations?start=${start}&end=${end}&limit=1000`),
    api.get<ScorecardOut[]>("/api/qa/scorecards")]), [start, end]);
  const [rows, cards] = loaded.data ?? [null, []];
  const [contact, setContact] = useState(route.query.get("contact") ?? "");
  const [card, setCard] = useState("");
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);
  const chosen = card || cards[0]?.document.id || "";
  const name = Object.fromEntries(cards.map((c) => [c.document.id, c.document.name]));
  const pct = (v: number | null) => percentOrDash(lang, v, 1);
  const open = async (e: Event) => {
    e.preventDefault();
    setFailure("");
    setBusy(true);
    try {
      const s = await api.post<{ id: string }>("/api/qa/calibrations", { contact_id: contact.trim(), scorecard_id: chosen });
      navigate(`qa/calibrations/${s.id}`);
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const columns: Column<CalibrationSummary>[] = [
    { key: "contact", label: t("qa.contact"), header: true, sort: (r) => r.session.contact_id,
      cell: (r) => (
        <>
          <a href={hrefOf(`qa/calibrations/${r.session.id}`)}>{r.session.contact_id}</a>
          <span class="muted qa-cal-card" dir="auto">{name[r.session.scorecard_id] ?? r.session.scorecard_id} · {t("qa.version_n", { v: formatNumber(lang, r.session.scorecard_version) })}</span>
        </>) },
    { key: "evaluators", label: t("qa.evaluators"), sort: (r) => r.evaluations,
      cell: (r) => (r.evaluations ? `${formatNumber(lang, r.evaluations)}: ${r.evaluators.join(", ")}` : t("qa.cal_none")) },
    { key: "min", label: t("qa.min"), numeric: true, sort: (r) => r.overall.min, cell: (r) => pct(r.overall.min) },
    { key: "max", label: t("qa.max"), numeric: true, sort: (r) => r.overall.max, cell: (r) => pct(r.overall.max) },
    { key: "stdev", label: t("qa.stdev"), numeric: true, sort: (r) => r.overall.stdev, cell: (r) => pct(r.overall.stdev) },
    { key: "opened", label: t("qa.opened"), sort: (r) => r.session.created_at,
      cell: (r) => <>{formatWhen(lang, r.session.created_at, ctx.timezone)} <span class="muted qa-cal-card">{t("qa.by", { who: r.session.created_by })}</span></> },
  ];
  return (
    <>
      <form class="filters an-filters qa-cal-new" aria-labelledby="qa-cal-new-h" onSubmit={open}>
        <h2 id="qa-cal-new-h">{t("qa.cal_new_h")}</h2>
        <label class="field"><span>{t("qa.cal_contact")}</span>
          <input type="text" required maxLength={64} pattern="[A-Za-z0-9_.\-]{1,64}" dir="ltr" value={contact}
                 onInput={(e) => setContact((e.currentTarget as HTMLInputElement).value)} /></label>
        <label class="field"><span>{t("qa.scorecard")}</span>
          <select required value={chosen} onChange={(e) => setCard((e.currentTarget as HTMLSelectElement).value)}>
            {cards.map((c) => <option key={c.document.id} value={c.document.id}>{c.document.name}</option>)}
          </select></label>
        <button type="submit" class="btn primary" disabled={busy || !chosen}>{t("qa.cal_open")}</button>
        <p class="muted qa-cal-hint">{t("qa.cal_hint")}</p>
      </form>
      {failure && <p class="banner error" role="alert">{failure}</p>}
      <form class="filters an-filters" aria-label={t("qa.filters")} onSubmit={(e) => { e.preventDefault(); navigate("qa/calibrations", draft); }}>
        <label class="field"><span>{t("an.from")}</span>
          <input type="date" required value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.currentTarget as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t("an.to")}</span>
          <input type="date" required value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.currentTarget as HTMLInputElement).value })} /></label>
        <button type="submit" class="btn primary">{t("an.apply")}</button>
      </form>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {rows && (
        <Table caption={t("qa.cal_caption")} rows={rows} columns={columns} t={t} lang={lang} rowKey={(r) => r.session.id}
               initialSort="opened" initialDir="desc" empty={t("qa.cal_empty")} />
      )}
    </>
  );
}

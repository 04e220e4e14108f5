// Evaluations (current revisions) filtered by agent, queue, period and status; the disputes view is the same
// list with status=disputed, each row opening the re-score form (the dispute's reason shown above it).
import { useEffect, useState } from "preact/hooks";
import { Notice } from "../../ui/Notice";
import { Table, type Column } from "../../ui/Table";
import { formatNumber, formatWhen, percentOrDash } from "../../ui/format";
import { useLoad } from "../../ui/useLoad";
import { hrefOf } from "../../router";
import type { PageProps } from "../../types";
import { addDays, midnight } from "../analytics/query";
import { today } from "../reports/query";
import type { Evaluation } from "./types";

const KEYS = ["from", "to", "agent_id", "queue_id", "status"] as const;

export function EvaluationList({ api, t, lang, ctx, route, navigate, disputes }: PageProps & { disputes?: boolean }) {
  const q = route.query;
  const to = q.get("to") || today(ctx.timezone);
  const f: Record<(typeof KEYS)[number], string> = { from: q.get("from") || addDays(to, -29), to, agent_id: q.get("agent_id") ?? "",
    queue_id: q.get("queue_id") ?? "", status: disputes ? "disputed" : q.get("status") ?? "" };
  const [draft, setDraft] = useState(f);
  useEffect(() => setDraft(f), [JSON.stringify(f)]);
  const query = new URLSearchParams({ start: String(midnight(f.from, ctx.timezone)), end: String(midnight(addDays(f.to, 1), ctx.timezone)), limit: "1000" });
  if (f.agent_id) query.set("agent_id", f.agent_id);
  if (f.status) query.set("status", f.status);
  const loaded = useLoad(() => Promise.all([api.get<Evaluation[]>(`/api/qa/evaluations?${query}`),
                                            api.get<{ id: string }[]>("/api/config/queues").catch(() => [])]), [query.toString()]);
  const [rows, queues] = loaded.data ?? [null, []];
  const shown = (rows ?? []).filter((e) => !e.calibration_id && (!f.queue_id || e.queue_id === f.queue_id));
  const set = (k: string) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const here = disputes ? "qa/disputes" : "qa/evaluations";
  const columns: Column<Evaluation>[] = [
    { key: "contact_id", label: t("qa.contact"), header: true, sort: (e) => e.contact_id,
      cell: (e) => (e.status === "acknowledged" ? e.contact_id
        : <a href={hrefOf(`qa/evaluate/${encodeURIComponent(e.contact_id)}`, { evaluation: e.id })}>{e.contact_id}</a>) },
    { key: "agent_id", label: t("qa.agent"), sort: (e) => e.agent_id },
    { key: "queue_id", label: t("qa.queue"), sort: (e) => e.queue_id ?? "" },
    { key: "contact_at", label: t("qa.when"), sort: (e) => e.contact_at, cell: (e) => formatWhen(lang, e.contact_at, ctx.timezone) },
    { key: "score", label: t("qa.score"), numeric: true, sort: (e) => e.score,
      cell: (e) => `${percentOrDash(lang, e.score, 1)}${e.auto_failed ? ` · ${t("qa.auto_failed")}` : ""}` },
    { key: "status", label: t("qa.status"), sort: (e) => e.status, cell: (e) => t(`qa.st.${e.status}`) },
    { key: "revision", label: t("qa.revision"), numeric: true, sort: (e) => e.revision, cell: (e) => formatNumber(lang, e.revision) },
    { key: "evaluator", label: t("qa.evaluator"), sort: (e) => e.evaluator },
    ...(disputes ? [{ key: "response", label: t("qa.dispute_reason"), sort: (e: Evaluation) => e.response ?? "",
                      cell: (e: Evaluation) => <span dir="auto">{e.response}</span> }] : []),
  ];
  return (
    <>
      {q.get("saved") && <p class="banner ok" role="status">{t("qa.saved")}</p>}
      <form class="filters an-filters" aria-label={t("qa.filters")} onSubmit={(e) => { e.preventDefault(); navigate(here, draft); }}>
        <label class="field"><span>{t("an.from")}</span><input type="date" required value={draft.from} onInput={set("from")} /></label>
        <label class="field"><span>{t("an.to")}</span><input type="date" required value={draft.to} onInput={set("to")} /></label>
        <label class="field"><span>{t("qa.agent")}</span><input type="text" maxLength={64} value={draft.agent_id} onInput={set("agent_id")} /></label>
        <label class="field"><span>{t("qa.queue")}</span>
          <select value={draft.queue_id} onChange={set("queue_id")}>
            <option value="">{t("an.all_queues")}</option>
            {queues.map((x) => <option key={x.id} value={x.id}>{x.id}</option>)}
          </select></label>
        {!disputes && (
          <label class="field"><span>{t("qa.status")}</span>
            <select value={draft.status} onChange={set("status")}>
              <option value="">{t("qa.st.any")}</option>
              {["open", "disputed", "acknowledged"].map((s) => <option key={s} value={s}>{t(`qa.st.${s}`)}</option>)}
            </select></label>
        )}
        <button type="submit" class="btn primary">{t("an.apply")}</button>
      </form>
      <Notice error={loaded.error} loading={loaded.loading && !loaded.data} t={t} retry={loaded.reload} />
      {rows && (
        <Table caption={disputes ? t("qa.disputes_caption") : t("qa.list_caption")} rows={shown} columns={columns} t={t} lang={lang}
               rowKey={(e) => e.id} initialSort="contact_at" initialDir="desc"
               empty={disputes ? t("qa.no_disputes") : t("qa.no_evaluations")} />
      )}
    </>
  );
}

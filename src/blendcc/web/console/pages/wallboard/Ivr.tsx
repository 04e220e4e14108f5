// Today's calls that ended in the IVR, per flow and dialled number: abandoned there, contained (self-service).
import { Table, type Column } from "../../ui/Table";
import { formatDuration, formatNumber, percentOrDash } from "../../ui/format";
import type { T } from "../../types";
import type { Board, IvrRow } from "./model";

export function IvrTable({ board, t, lang }: { board: Board; t: T; lang: string }) {
  const rows = board.ivr?.flows ?? [];
  const secs = (s: number | null) => (s === null ? "–" : formatDuration(lang, s));
  const columns: Column<IvrRow>[] = [
    { key: "flow", label: t("wb.ivr.flow"), sort: (r) => `${r.flow_id} ${r.dialled}`, header: true,
      cell: (r) => <span>{r.flow_id} <span class="muted">· <bdi dir="ltr">{r.dialled}</bdi></span></span> },
    { key: "calls", label: t("wb.ivr.calls"), numeric: true, sort: (r) => r.ivr_calls, cell: (r) => formatNumber(lang, r.ivr_calls) },
    { key: "to_queue", label: t("wb.ivr.to_queue"), numeric: true, sort: (r) => r.to_queue, cell: (r) => formatNumber(lang, r.to_queue) },
    { key: "abandoned", label: t("wb.ivr.abandoned"), numeric: true, sort: (r) => r.ivr_abandon_rate,
      cell: (r) => `${formatNumber(lang, r.ivr_abandoned)} (${percentOrDash(lang, r.ivr_abandon_rate)})` },
    { key: "contained", label: t("wb.ivr.contained"), numeric: true, sort: (r) => r.ivr_containment,
      cell: (r) => `${formatNumber(lang, r.ivr_contained)} (${percentOrDash(lang, r.ivr_containment)})` },
    { key: "abandon_s", label: t("wb.ivr.abandon_s"), numeric: true, sort: (r) => r.avg_ivr_abandon_s,
      cell: (r) => secs(r.avg_ivr_abandon_s) },
  ];
  return (
    <Table caption={t("wb.ivr.caption")} rows={rows} columns={columns} t={t} lang={lang}
           rowKey={(r) => `${r.flow_id}|${r.dialled}`} initialSort="flow" empty={t("wb.ivr.none")} />
  );
}

// What one list or DNC upload did: counts, and the refused rows (line, column, message) in a table.
import { Table, type Column } from "../../ui/Table";
import { formatNumber } from "../../ui/format";
import type { T } from "../../types";

export interface LineError { line: number; column?: string | null; reason: string }

export function ImportReport({ counts, errors, t, lang, caption }: {
  counts: [string, number][]; errors: LineError[]; t: T; lang: string; caption: string;
}) {
  const cols: Column<LineError>[] = [
    { key: "line", label: t("lists.err.line"), numeric: true, header: true, sort: (e) => e.line, cell: (e) => formatNumber(lang, e.line) },
    { key: "column", label: t("lists.err.column"), sort: (e) => e.column ?? "", cell: (e) => (e.column ? <code>{e.column}</code> : t("lists.err.whole_row")) },
    { key: "reason", label: t("lists.err.message"), sort: (e) => e.reason, cell: (e) => <span dir="ltr">{e.reason}</span> },
  ];
  return (
    <div class="import-report" role="status">
      <dl class="figures">
        {counts.map(([k, v]) => <div key={k}><dt>{t(`lists.count.${k}`)}</dt><dd data-count={k}>{formatNumber(lang, v)}</dd></div>)}
      </dl>
      {errors.length > 0 && <Table caption={caption} rows={errors} columns={cols} t={t} lang={lang} rowKey={(e) => `${e.line}-${e.reason}`} initialSort="line" />}
    </div>
  );
}

// A data table: header cells with scope and aria-sort, natural sort (agent2 before agent10, in the UI
// language's collation), rows keyed by id so live updates change cells in place (selection and the
// screen reader's position survive), and a scroll box of its own so a narrow screen never overflows.
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { T } from "../types";

export interface Column<R> {
  key: string;
  label: string;
  /** the sort value (numbers sort as numbers, strings naturally); omitted: not sortable */
  sort?(row: R): string | number | null;
  /** the cell; defaults to the sort value */
  cell?(row: R): ComponentChildren;
  numeric?: boolean;
  /** a row header cell (th scope=row), e.g. the agent's or queue's name */
  header?: boolean;
}

export function Table<R>(props: {
  caption: string; rows: R[]; columns: Column<R>[]; rowKey(row: R): string; t: T; lang: string;
  initialSort?: string; initialDir?: "asc" | "desc"; rowClass?(row: R): string; empty?: string; captionHidden?: boolean;
  /** show this many rows (in the sort order), then a button for as many more: a live table of thousands stays fast */
  pageSize?: number;
  /** the button's text, e.g. "Show 100 more (900 not shown)"; required with pageSize */
  moreLabel?(more: number, hidden: number): string;
}) {
  const { columns, t } = props;
  const [sortKey, setSortKey] = useState(props.initialSort ?? columns.find((c) => c.sort)?.key ?? "");
  const [dir, setDir] = useState<"asc" | "desc">(props.initialDir ?? "asc");
  const [shown, setShown] = useState(props.pageSize ?? Infinity);
  const collator = useMemo(() => new Intl.Collator(props.lang, { numeric: true, sensitivity: "base" }), [props.lang]);
  const col = columns.find((c) => c.key === sortKey);
  const rows = useMemo(() => {
    if (!col?.sort) return props.rows;
    const get = col.sort;
    const sign = dir === "asc" ? 1 : -1;
    return [...props.rows].sort((a, b) => sign * compare(collator, get(a), get(b)));
  }, [props.rows, sortKey, dir, collator]); // by key: the columns are made anew each render

  const sortBy = (key: string) => {
    if (key === sortKey) setDir(dir === "asc" ? "desc" : "asc");
    else {
      setSortKey(key);
      setDir("asc");
    }
  };
  const visible = rows.length > shown ? rows.slice(0, shown) : rows;
  const hidden = rows.length - visible.length;
  const table = (
    <div class="table-wrap" role="region" aria-label={props.caption} tabIndex={0}>
      <table class="data">
        <caption class={props.captionHidden ? "sr-only" : undefined}>{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? "num" : undefined}
                  aria-sort={c.key === sortKey && c.sort ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                {c.sort ? (
                  <button type="button" class="sort" onClick={() => sortBy(c.key)}
                          title={t("table.sort_by", { column: c.label })}>
                    {c.label}<span aria-hidden="true" class="sort-mark">{c.key === sortKey ? (dir === "asc" ? "▲" : "▼") : ""}</span>
                  </button>
                ) : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr><td colSpan={columns.length} class="muted">{props.empty ?? t("table.empty")}</td></tr>
          )}
          {visible.map((r) => (
            <tr key={props.rowKey(r)} class={props.rowClass?.(r)}>
              {columns.map((c) => {
                const content = c.cell ? c.cell(r) : c.sort ? c.sort(r) : "";
                return c.header
                  ? <th key={c.key} scope="row" class={c.numeric ? "num" : undefined}>{content}</th>
                  : <td key={c.key} class={c.numeric ? "num" : undefined}>{content}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  if (!hidden || !props.pageSize || !props.moreLabel) return table;
  const step = props.pageSize;
  return (
    <>
      {table}
      <button type="button" class="btn table-more" onClick={() => setShown(shown + step)}>
        {props.moreLabel(Math.min(step, hidden), hidden)}
      </button>
    </>
  );
}

function compare(collator: Intl.Collator, a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;  // blanks last, whichever the direction of the rest
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

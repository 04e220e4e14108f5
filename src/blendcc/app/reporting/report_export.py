"""A report's rows as CSV and XLSX: numbers as numbers, one header row, the time zone and period stated."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

FIXED = ("period", "key", "name")


def _title(report: dict[str, Any]) -> str:
    q = report["query"]
    grain = f"{q['interval_minutes']}-minute intervals" if q["grain"] == "interval" else q["grain"]
    filters = ", ".join(f"{k}={v}" for k, v in q["filters"].items() if v is not None) or "none"
    return (f"blendcc report by {q['by']} per {grain}, {q['from']} to {q['to']} "
            f"(time zone {report['timezone']}); filters: {filters}; repeat window (FCR) {q.get('fcr_days', 7)} days")


def to_csv(report: dict[str, Any]) -> str:
    """Header row first; ``period`` is the period start as ISO 8601 with the centre's UTC offset, rates are
    fractions (0.8 = 80 %), times are seconds. The total is the last row (period ``total``)."""
    keys = [c["key"] for c in report["columns"]]
    tz = ZoneInfo(report["timezone"])
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([*FIXED, *keys])
    for r in report["rows"]:
        w.writerow([datetime.fromtimestamp(r["period_start"], tz).isoformat(), _text(r["key"]), _text(r["name"]),
                    *(_cell(r.get(k)) for k in keys)])
    w.writerow(["total", "", "", *(_cell(report["total"].get(k)) for k in keys)])
    return out.getvalue()


def _text(v: Any) -> str:
    """A name as text a spreadsheet will not run as a formula (=, +, -, @ first: quoted with ')."""
    s = str(v)
    return f"'{s}" if s[:1] in ("=", "+", "-", "@") else s


def _cell(v: Any) -> Any:
    return "" if v is None else v


def to_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet: the title line (dimension, grain, dates, time zone, filters), a frozen header row, then a row
    per period and value with the period start as a local date-time and every figure a number (rates with
    a percent format, times in seconds), and the total last."""
    columns = report["columns"]
    tz = ZoneInfo(report["timezone"])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Report")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    fmt = {"ratio": wb.add_format({"num_format": "0.0%"}), "seconds": wb.add_format({"num_format": "0.0"}),
           "number": wb.add_format({"num_format": "0.00"}), "count": wb.add_format({"num_format": "0"})}
    ws.write(0, 0, _title(report), bold)
    ws.write(1, 0, f"Time zone: {report['timezone']}; rates are fractions shown as percent; times in seconds")
    header = 3
    ws.write_row(header, 0, [f"period start ({report['timezone']})", "key", "name",
                             *(c["key"] for c in columns)], head)
    row = header + 1
    for r in report["rows"]:
        local = datetime.fromtimestamp(r["period_start"], tz).replace(tzinfo=None)
        ws.write_datetime(row, 0, local, when)
        ws.write_string(row, 1, str(r["key"]))
        ws.write_string(row, 2, str(r["name"]))
        _figures(ws, row, columns, r, fmt)
        row += 1
    ws.write_string(row, 0, "total", bold)
    _figures(ws, row, columns, report["total"], fmt)
    ws.freeze_panes(header + 1, 3)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 2 + len(columns), 12)
    ws.autofilter(header, 0, max(header, row - 1), 2 + len(columns))
    wb.close()
    return buf.getvalue()


def _figures(ws: Any, row: int, columns: list[dict[str, str]], values: dict[str, Any], fmt: dict[str, Any]) -> None:
    for i, c in enumerate(columns, start=3):
        v = values.get(c["key"])
        if isinstance(v, int | float) and not isinstance(v, bool):
            ws.write_number(row, i, v, fmt[c["kind"]])

"""Issue 16's KPI check on real data: the 1999 bank's January imported into SQLite and PostgreSQL gives, day by
day, the offered, handled, abandoned and short-abandoned counts, ASA and AHT that a straightforward computation
from the raw file gives (written here without the importer: tab-separated rows, KPIS.md's definitions)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blendcc.cli.base import app

SHORT_ABANDON_S = 5  # KPIS.md's default, the imported queue's
HALF_DAY_S = 43_200


def _clock(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def independent_days(path: Path) -> dict[date, dict[str, float]]:
    """Per day of queue entry: offered (entered the queue: served calls, and hang-ups after queueing; a call
    served straight from the VRU entered at VRU exit), handled, abandoned and short abandons (waited under 5 s),
    the waits of handled calls (q_time) and their service times (ser_time); PHANTOM rows are not calls."""
    days: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with path.open(newline="", encoding="latin-1") as f:
        for raw in csv.DictReader(f, delimiter="\t"):
            row = {k.strip(): (v or "").strip() for k, v in raw.items()}
            queued = row["q_start"] != "0:00:00"
            if row["outcome"] == "PHANTOM" or (row["outcome"] == "HANG" and not queued):
                continue
            yymmdd = row["date"]
            day = date(1900 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
            entered = _clock(row["q_start"] if queued else row["vru_exit"])
            if entered - _clock(row["vru_entry"]) < -HALF_DAY_S:  # the clock wrapped past midnight
                day += timedelta(days=1)
            k = days[day]
            k["offered"] += 1
            if row["outcome"] == "AGENT":
                k["handled"] += 1
                k["wait"] += int(row["q_time"])
                k["service"] += int(row["ser_time"])
            elif int(row["q_time"]) < SHORT_ABANDON_S:
                k["short_abandoned"] += 1
            else:
                k["abandoned"] += 1
    return days


def test_the_imported_month_reports_the_raw_files_daily_kpis(bank_1999: Any, database_url: str) -> None:
    path: Path = bank_1999("january.txt")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "bank1999", str(path), "--database-url", database_url])
    assert imported.exit_code == 0, imported.output
    report = runner.invoke(app, ["report", "queues", "--db", database_url, "--from", "1999-01-01", "--to",
                                 "1999-01-31", "--tz", "Asia/Jerusalem", "--format", "csv"])
    assert report.exit_code == 0, report.output
    table = list(csv.DictReader(io.StringIO(report.stdout)))
    rows = {date.fromisoformat(r["period"][:10]): r for r in table if r["period"] != "total"}
    want = independent_days(path)
    assert len(want) == 29  # January without the 11th and 12th, which the report shows empty
    assert sorted(d for d, r in rows.items() if int(r["offered"]) > 0) == sorted(want)
    assert {d for d, r in rows.items() if int(r["offered"]) == 0} == {date(1999, 1, 11), date(1999, 1, 12)}
    for day, k in want.items():
        got = rows[day]
        for name in ("offered", "handled", "abandoned", "short_abandoned"):
            assert int(got[name]) == k[name], (day, name)
        assert float(got["asa_s"]) == pytest.approx(k["wait"] / k["handled"], abs=1e-9), day
        assert float(got["aht_s"]) == pytest.approx(k["service"] / k["handled"], abs=1e-9), day
    (total,) = [r for r in table if r["period"] == "total"]
    assert int(total["offered"]) == sum(k["offered"] for k in want.values()) == 27_060 + 3_101  # served + abandoned

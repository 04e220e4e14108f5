"""``blendcc report queues|agents`` on a SQLite database built through the app, against hand-computed KPIs.

The script (seconds after T0 = Monday 2024-01-15 09:00 UTC; queue sales: T = 20 s, short abandon < 5 s):

    t=0     a1, a2 log in; c1 -> offered to a1          t=1    c2 -> offered to a2
    t=10    a1 answers c1 (wait 10, within SL)          t=31   c2 hangs up (waited 30 s: abandoned)
    t=70    a1 ends c1 (talk 60)                        t=80   a1 wraps c1 up (ACW 10)
    t=3600  c3 -> offered to a1                         t=3605 a1 answers c3 (wait 5)
    t=3665  a1 ends c3 (talk 60)                        t=3670 a1 wraps c3 up (ACW 5)
    t=3700  a1 logs out
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest import approx
from typer.testing import CliRunner

from blendcc.adapters.manual_clock import FakeClock
from blendcc.cli import app
from conftest import AGENT_USER, T0, pg_schema, seeded_api


def script(api: Any) -> None:
    """Drive the centre of the module docstring through the API."""
    t0 = api.T0

    def at(t: float) -> None:
        api.advance(t0 + t - api.clock.now())

    api.agent_login("a1")
    api.agent_login("a2")
    assert api.new_contact(contact_id="c1")["offered_to"] == "a1"
    at(1)
    assert api.new_contact(contact_id="c2")["offered_to"] == "a2"
    at(10)
    api.act("a1", "c1", "accept")
    at(31)
    api.post("/api/contacts/c2/hangup", "sup")
    at(70)
    api.act("a1", "c1", "end")
    at(80)
    api.act("a1", "c1", "wrapup", disposition="sale")
    at(3600)
    assert api.new_contact(contact_id="c3")["offered_to"] == "a1"
    at(3605)
    api.act("a1", "c3", "accept")
    at(3665)
    api.act("a1", "c3", "end")
    at(3670)
    api.act("a1", "c3", "wrapup", disposition="resolved")
    at(3700)
    api.post("/api/agent/logout", AGENT_USER["a1"])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    path = tmp_path_factory.mktemp("report") / "blendcc.db"
    shutil.copyfile(sqlite_template, path)
    with seeded_api(f"sqlite:///{path}", FakeClock(T0)) as api:
        script(api)
    yield str(path)


def report(*args: str) -> Any:
    return CliRunner().invoke(app, ["report", *args], env={"COLUMNS": "250"})


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {f"{r['period']}|{r['key']}": r for r in csv.DictReader(io.StringIO(text))}


def test_queue_kpis_per_day_and_interval_as_csv(db: str) -> None:
    day = report("queues", "--from", "2024-01-15", "--db", db, "--tz", "UTC", "--format", "csv")
    assert day.exit_code == 0, day.output
    rows = csv_rows(day.output)
    row = rows["2024-01-15T00:00:00+00:00|sales"]
    assert (row["offered"], row["handled"], row["abandoned"], row["short_abandoned"]) == ("3", "2", "1", "0")
    assert float(row["service_level"]) == approx(2 / 3)  # c1 (10 s) and c3 (5 s) within 20 s, of 3 offered
    assert float(row["abandon_rate"]) == approx(1 / 3)
    assert float(row["asa_s"]) == approx(7.5) and float(row["aht_s"]) == approx(67.5)  # (70 + 65) / 2
    assert float(row["avg_abandon_wait_s"]) == approx(30)
    assert rows["total|"]["offered"] == "3"
    # the centre's time zone moves the intervals: 09:00 UTC is 11:00 in Jerusalem (UTC+2 in January)
    hourly = report("queues", "--from", "2024-01-15", "--to", "2024-01-16", "--db", f"sqlite:///{db}", "--tz",
                    "Asia/Jerusalem", "--grain", "interval", "--interval", "60", "--queue", "sales",
                    "--format", "csv")
    assert hourly.exit_code == 0, hourly.output
    rows = csv_rows(hourly.output)
    first, second = rows["2024-01-15T11:00:00+02:00|sales"], rows["2024-01-15T12:00:00+02:00|sales"]
    assert (first["offered"], first["handled"], first["abandoned"]) == ("2", "1", "1")
    assert float(first["service_level"]) == approx(1 / 2) and float(first["asa_s"]) == approx(10)
    assert (second["offered"], second["handled"], float(second["asa_s"])) == ("1", "1", approx(5))
    assert len(rows) == 3  # two intervals and the total


def test_agent_kpis_as_a_table_and_to_a_file(db: str, tmp_path: Path) -> None:
    table = report("agents", "--from", "2024-01-15", "--db", db, "--tz", "UTC", "--agent", "a1")
    assert table.exit_code == 0, table.output
    line = next(x for x in table.output.splitlines() if "2024-01-15" in x and "Ann" in x)
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    # period, agent, handled, aht_s, logged_in_s, available_s, handling_s, aux_s, occupancy, ...
    assert cells[2:5] == ["2", "67.5", "3700.0"]
    assert cells[6] == "135.0"  # talk 60 + 60, wrap-up 10 + 5
    out = tmp_path / "agents.csv"
    written = report("agents", "--from", "2024-01-15", "--db", db, "--tz", "UTC", "--format", "csv",
                     "--out", str(out))
    assert written.exit_code == 0, written.output
    a1 = csv_rows(out.read_text())["2024-01-15T00:00:00+00:00|a1"]
    assert float(a1["logged_in_s"]) == 3700 and float(a1["occupancy"]) == approx(135 / 3700)
    assert float(a1["contacts_per_hour"]) == approx(2 / (3700 / 3600))


@pytest.mark.parametrize(("args", "message"), [
    (["queues", "--from", "2024-13-01"], "is not a date"),
    (["queues", "--from", "2024-01-16", "--to", "2024-01-15"], "is after"),
    (["queues", "--from", "2024-01-15", "--queue", "nope"], "unknown queue 'nope'"),
    (["agents", "--from", "2024-01-15", "--agent", "zed"], "unknown agent 'zed'"),
    (["queues", "--from", "2024-01-15", "--grain", "hour"], "--grain must be"),
    (["queues", "--from", "2024-01-15", "--interval", "20"], "--interval must be"),
    (["queues", "--from", "2024-01-15", "--format", "xml"], "--format must be"),
    (["queues", "--from", "2024-01-15", "--tz", "Mars/Olympus"], "unknown time zone"),
    (["queues", "--from", "2024-01-01", "--to", "2024-03-01", "--grain", "interval"], "at most 31 days"),
])
def test_bad_input_exits_2_with_a_message(db: str, args: list[str], message: str) -> None:
    result = report(*args, "--db", db)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_missing_or_foreign_database_exits_2(tmp_path: Path) -> None:
    missing = report("queues", "--from", "2024-01-15", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 2 and "no database file" in missing.output
    assert not (tmp_path / "none.db").exists()  # never created
    foreign = tmp_path / "empty.db"
    foreign.write_bytes(b"")
    empty = report("queues", "--from", "2024-01-15", "--db", str(foreign))
    assert empty.exit_code == 2 and "no blendcc schema" in empty.output


def test_queue_kpis_from_a_postgresql_url() -> None:
    with pg_schema("test_report") as url:
        with seeded_api(url, FakeClock(T0)) as api:
            script(api)
        result = report("queues", "--from", "2024-01-15", "--db", url, "--tz", "UTC", "--format", "csv")
    assert result.exit_code == 0, result.output
    row = csv_rows(result.output)["2024-01-15T00:00:00+00:00|sales"]
    assert (row["offered"], row["handled"], row["abandoned"]) == ("3", "2", "1")
    assert float(row["service_level"]) == approx(2 / 3) and float(row["asa_s"]) == approx(7.5)


def test_help_lists_the_report_commands() -> None:
    result = CliRunner().invoke(app, ["report", "--help"])
    assert result.exit_code == 0 and "queues" in result.output and "agents" in result.output

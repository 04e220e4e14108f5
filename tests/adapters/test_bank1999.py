"""The Anonymous Bank 1999 importer: quirks of the log, bad lines reported with reasons, the real file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from blendcc.adapters.importers.bank1999 import (
    FIELDS,
    Outcome,
    default_path,
    parse_bank1999,
    read_bank1999,
    unwrap,
    wall_s,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anonymous_bank_1999" / "january.txt"
HEADER = "\t".join(FIELDS)


@pytest.fixture
def real_file(bank_1999: Any) -> Path:
    path: Path = bank_1999(DATA.name)
    return path


def row(**over: str) -> str:
    base = {"vru+line": "AA0101", "call_id": "1", "customer_id": "0", "priority": "0", "type": "PS",
            "date": "990104", "vru_entry": "10:00:00", "vru_exit": "10:00:10", "vru_time": "10",
            "q_start": "0:00:00", "q_exit": "0:00:00", "q_time": "0", "outcome": "HANG",
            "ser_start": "0:00:00", "ser_exit": "0:00:00", "ser_time": "0", "server": "NO_SERVER"}
    base.update(over)
    return "\t".join(base[f] for f in FIELDS)


def test_outcomes_queue_entry_and_waits() -> None:
    lines = [HEADER + "\r\n",
             row(call_id="1") + "\r\n",  # hung up in the VRU
             row(call_id="2", outcome="AGENT", ser_start="10:00:09", ser_exit="10:03:09", ser_time="180",
                 server="MICHAL", customer_id="123", priority="2") + "\r\n",  # served with no wait
             row(call_id="3", q_start="10:00:10", q_exit="10:01:00", q_time="50", outcome="AGENT",
                 ser_start="10:00:59", ser_exit="10:02:59", ser_time="120", server="TOVA") + "\r\n",
             row(call_id="4", q_start="10:00:10", q_exit="10:00:40", q_time="30") + "\r\n",  # abandoned
             row(call_id="5", q_start="10:00:10", q_exit="10:00:40", q_time="30", outcome="PHANTOM") + "\r\n"]
    result = parse_bank1999(lines)
    assert result.problems == []
    vru, direct, waited, abandoned, phantom = result.records
    t0 = wall_s(date(1999, 1, 4), 36000)
    assert vru.outcome is Outcome.VRU_ONLY and vru.queued_at is None and not vru.offered
    assert direct.outcome is Outcome.SERVED and direct.queued_at == t0 + 10 and direct.wait_s == 0
    assert direct.service_s == 180 and direct.server == "MICHAL" and direct.priority == 2
    assert direct.customer_id == "123" and vru.customer_id is None
    assert waited.queued_at == t0 + 10 and waited.wait_s == 50 and waited.service_start_at == t0 + 60
    assert abandoned.outcome is Outcome.ABANDONED and abandoned.wait_s == 30 and abandoned.offered
    assert abandoned.service_s == 0 and abandoned.server is None
    assert phantom.outcome is Outcome.PHANTOM and not phantom.offered
    assert result.notes["ser_start_before_queue_exit"] == 2
    assert len({r.contact_id for r in result.records}) == 5


def test_midnight_wrap_and_negative_vru_time() -> None:
    lines = [HEADER,
             row(vru_entry="23:59:50", vru_exit="0:00:05", vru_time="15", q_start="0:00:05", q_exit="0:01:05",
                 q_time="60", outcome="AGENT", ser_start="0:01:05", ser_exit="0:02:05", ser_time="60",
                 server="ANAT"),
             row(call_id="9", vru_entry="15:46:01", vru_exit="15:45:24", vru_time="-37", q_start="15:45:24",
                 q_exit="15:46:41", q_time="77")]
    result = parse_bank1999(lines)
    assert result.problems == []
    wrapped, negative = result.records
    midnight = wall_s(date(1999, 1, 5))
    assert wrapped.day == date(1999, 1, 4)
    assert wrapped.queued_at == midnight + 5 and wrapped.service_start_at == midnight + 65
    assert negative.wait_s == 77 and negative.outcome is Outcome.ABANDONED
    assert result.notes["midnight_wrap"] == 1 and result.notes["negative_vru_time"] == 1


def test_served_without_server_or_service_time() -> None:
    result = parse_bank1999([HEADER, row(outcome="AGENT", ser_start="10:00:10", ser_exit="10:00:16",
                                         ser_time="6"),
                             row(call_id="2", outcome="AGENT", server="GILI")])
    a, b = result.records
    assert a.server is None and a.service_s == 6 and result.notes["served_no_server"] == 1
    assert b.service_s == 0 and result.notes["served_zero_service"] == 1
    assert result.notes["served_no_service_times"] == 1


@pytest.mark.parametrize(("over", "reason"), [
    ({"priority": "7"}, "priority 7"),
    ({"date": "991332"}, "not a calendar date"),
    ({"vru_entry": "25:00:00"}, "out of range"),
    ({"vru_exit": "ten"}, "not H:MM:SS"),
    ({"outcome": "BUSY"}, "outcome"),
    ({"q_start": "10:00:10", "q_exit": "10:00:40", "q_time": "99"}, "q_time 99"),
    ({"vru_time": "x"}, "not an integer"),
])
def test_bad_lines_are_reported_with_line_numbers(over: dict[str, str], reason: str) -> None:
    result = parse_bank1999([HEADER, row(call_id="ok"), row(**over), row(call_id="ok2")])
    assert [r.call_id for r in result.records] == ["ok", "ok2"]
    assert len(result.problems) == 1
    assert result.problems[0].line_no == 3 and reason in result.problems[0].reason


def test_wrong_field_count_missing_header_and_empty_input() -> None:
    result = parse_bank1999([HEADER, "AA0101\t1\t2", "", row()])
    assert len(result.records) == 1 and result.problems[0].line_no == 2
    assert "3 fields" in result.problems[0].reason
    no_header = parse_bank1999([row()])
    assert no_header.records == [] and "header lacks" in no_header.problems[0].reason
    assert "empty" in parse_bank1999([]).problems[0].reason


def test_unwrap_picks_the_closest_occurrence() -> None:
    ref = wall_s(date(1999, 1, 4), 86390)
    assert unwrap(5, ref) == wall_s(date(1999, 1, 5), 5)
    assert unwrap(86389, ref) == ref - 1
    assert unwrap(10, wall_s(date(1999, 1, 4), 12)) == wall_s(date(1999, 1, 4), 10)


def test_real_january_log(real_file: Path) -> None:
    path = real_file
    assert default_path(Path(__file__).parent) == path
    result = read_bank1999(path)
    assert result.problems == []
    assert len(result.records) == 31_599  # README: 31,599 records
    days = result.days()
    assert len(days) == 29 and date(1999, 1, 11) not in days and date(1999, 1, 12) not in days
    by = {o: sum(1 for r in result.records if r.outcome is o) for o in Outcome}
    assert by[Outcome.PHANTOM] == 240
    assert by[Outcome.SERVED] == 27_060
    assert by[Outcome.ABANDONED] + by[Outcome.VRU_ONLY] == 4_299  # every HANG row
    assert by[Outcome.ABANDONED] == 3_101
    assert result.notes["served_without_queue"] == 13_475
    assert sum(r.offered for r in result.records) == 27_060 + 3_101


def test_import_writes_the_calls_into_the_event_store(database_url: str, real_file: Path) -> None:
    from typer.testing import CliRunner

    from blendcc.adapters.importers.bank1999 import day_events
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.sql_store import SqlStore
    from blendcc.analytics import queue_stats as qs
    from blendcc.cli.base import app

    path = real_file
    url = database_url
    args = ["import", "bank1999", str(path), "--database-url", url, "--days", "29"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "imported 1 day(s)" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "imported 0 day(s)" in again.output and "1 day(s) already" in again.output

    db = make_engine(url)
    store = SqlStore(db)
    day = [r for r in read_bank1999(path).records if r.day == date(1999, 1, 29)]
    start = wall_s(date(1999, 1, 29)) - 7200  # Israel is UTC+2 in January
    stored = qs.QueueCounters()
    for c in store.queue_counters(start - 86400, start + 2 * 86400).values():
        stored.merge(c)
    expected = qs.QueueCounters()
    for c in qs.fold(day_events(day, 7200.0), lambda _q, _c: (20.0, 5.0)).values():
        expected.merge(c)
    assert stored == expected and stored.offered == sum(r.offered for r in day)
    served = next(r for r in day if r.outcome is Outcome.SERVED and r.server and r.wait_s > 0)
    types = [s.event.type for s in store.contact_events(served.contact_id)]
    assert types == ["ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered", "ContactConnected",
                     "ContactEnded", "WrapUpCompleted", "ContactClosed"]
    vru = next(r for r in day if r.outcome is Outcome.VRU_ONLY)
    assert [s.event.type for s in store.contact_events(vru.contact_id)] == ["ContactCreated", "ContactAbandoned",
                                                                      "ContactClosed"]
    db.dispose()
    assert CliRunner().invoke(app, ["import", "bank1999", str(path), "--tz", "Nowhere/City"]).exit_code == 2

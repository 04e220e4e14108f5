"""Breaks seen in the log's gaps, session gaps and patience per day type, on hand-made and real records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome, read_bank1999
from blendcc.sim.calibration import DEFAULT_GAP_S, patience_curve
from blendcc.sim.unavailability import (
    AgentBreak,
    agent_breaks,
    day_type,
    patience_curves,
    session_gaps,
    waiting_stretches,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anonymous_bank_1999" / "january.txt"
MONDAY = date(1999, 1, 4)
T0 = datetime(1999, 1, 4, tzinfo=UTC).timestamp()
_line = iter(range(1, 10_000))


def call(queued: float, wait: float, service: float = 0.0, server: str | None = None) -> CallRecord:
    """A call queued ``queued`` s after Monday's midnight; served by ``server`` or abandoned."""
    outcome = Outcome.SERVED if server is not None else Outcome.ABANDONED
    n = next(_line)
    return CallRecord(line_no=n, vru_line="AA0101", call_id=str(n), customer_id=None, priority=0, call_type="PS",
                      day=MONDAY, outcome=outcome, vru_entry_at=T0 + queued, vru_exit_at=T0 + queued,
                      queued_at=T0 + queued, wait_s=wait, service_s=service, server=server, queued_in_log=wait > 0)


def test_breaks_are_the_waiting_inside_an_agents_gaps() -> None:
    records = [
        call(0, 0, 100, "ann"),     # ann busy 0-100
        call(200, 200, 100, "ann"),  # a caller waits 200-400 while ann idles: ann was away 200-400
        call(0, 0, 50, "bob"),      # bob busy 0-50
        call(40, 20, 240, "bob"),   # waited 40-60, bob back at 60: waiting all through bob's gap = after-call work
        call(0, 0, 10, "cy"),       # cy busy 0-10 ...
        call(1500, 500, 100, "cy"),  # ... and back 1,990 s later: a new session, not a break
        call(3000, 2),              # 2 s of waiting: timing noise, and nobody's gap
    ]
    assert waiting_stretches(records) == [(T0 + 40, T0 + 60), (T0 + 200, T0 + 400), (T0 + 1500, T0 + 2000),
                                          (T0 + 3000, T0 + 3002)]
    assert agent_breaks(records) == [AgentBreak("ann", T0 + 200, T0 + 400)]
    # a longer session gap keeps cy in one session: away wherever callers waited during the gap
    assert agent_breaks(records, gap_s=2500) == [
        AgentBreak("cy", T0 + 40, T0 + 60), AgentBreak("ann", T0 + 200, T0 + 400),
        AgentBreak("cy", T0 + 200, T0 + 400), AgentBreak("cy", T0 + 1500, T0 + 2000)]
    assert agent_breaks(records, gap_s=2500, min_break_s=300) == [AgentBreak("cy", T0 + 1500, T0 + 2000)]


def test_day_types_follow_the_banks_week() -> None:
    assert [day_type(date(1999, 1, d)) for d in range(1, 8)] == [
        "fri", "sat", "sun-thu", "sun-thu", "sun-thu", "sun-thu", "sun-thu"]


@pytest.fixture(scope="module")
def records(bank_1999: Any) -> list[CallRecord]:
    return read_bank1999(bank_1999(DATA.name)).records


def test_quiet_days_get_a_longer_session_gap_and_their_own_patience(records: list[CallRecord]) -> None:
    gaps = session_gaps(records)
    assert gaps["sat"] > gaps["sun-thu"] and gaps["fri"] > gaps["sun-thu"]  # agents idle longer on quiet days
    assert 600 < gaps["sun-thu"] < DEFAULT_GAP_S < 1000 < gaps["sat"] < 1800
    monday = [r for r in records if r.day == MONDAY]
    only_monday = session_gaps(monday)
    assert only_monday["sat"] == only_monday["fri"] == DEFAULT_GAP_S  # no Saturday in the records: the default
    curves = patience_curves(records)
    assert curves["sat"].n == sum(r.offered for r in records if r.day.weekday() == 5)
    assert curves["sat"].at(30) > curves["sun-thu"].at(30)  # Saturday callers rarely hang up in the first 30 s
    month = patience_curve(records)
    assert patience_curves(monday)["sat"].n == patience_curve(monday).n != month.n  # too few: pooled

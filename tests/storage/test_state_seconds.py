"""Agent state seconds kept per 15-minute interval (``agent_state_seconds``) give the agent report's state figures
of the stored intervals clipped per period, on SQLite and PostgreSQL: intervals across 15-minute, hour and day
edges, closed in a later append than the one that opened them, aux with and without a reason, and an agent still
in a state at report time (clipped to "now"); the table rebuilt from the intervals equals the projector's."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, select

from blendcc.adapters.storage import interval_projection, state_seconds
from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.interval_counters import STATE_COLUMNS, fold_state_seconds, quarter_pieces
from blendcc.app.reporting.report_query import ReportQuery
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.domain.events import AgentStateChanged
from blendcc.testing import MemoryStore


def at(day: int, hh: int, mm: int, ss: float = 0.0) -> float:
    return datetime(2026, 1, day, hh, mm, tzinfo=UTC).timestamp() + ss


def change(when: float, agent: str, state: str, reason: str | None = None) -> AgentStateChanged:
    return AgentStateChanged(at=when, agent_id=agent, state=state, reason=reason)


#: appended in this order, one list per append (an interval opened in one append is closed in a later one)
BATCHES = [
    [change(at(5, 9, 7, 30), "a1", "available"), change(at(5, 9, 10), "a1", "busy"),
     change(at(5, 8, 0), "a2", "available"), change(at(4, 23, 50), "a3", "available")],
    [change(at(5, 9, 55, 10.25), "a1", "wrap_up"), change(at(5, 10, 0), "a1", "aux", "lunch"),
     change(at(5, 10, 20, 0.5), "a1", "aux"), change(at(5, 10, 21), "a1", "available"),
     change(at(5, 11, 11, 11.125), "a2", "aux", "break")],
    [change(at(5, 23, 50), "a1", "busy"), change(at(6, 0, 40, 15), "a1", "offline"),
     change(at(5, 0, 20), "a3", "reserved"), change(at(5, 0, 20, 7), "a3", "busy")],
    [change(at(6, 17, 3), "a3", "wrap_up"), change(at(6, 17, 5), "a3", "offline"),
     change(at(6, 9, 0), "a1", "available"), change(at(6, 9, 14, 59.75), "a1", "aux", "training")],
]
NOW = at(6, 12, 34, 56.5)  # a1 in aux (training) and a2 in aux (break) since the morning: open at report time


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


@pytest.fixture
def store(sql_engine: Engine) -> SqlStore:
    s = SqlStore(sql_engine)
    for batch in BATCHES:
        s.append(batch)
    return s


def _config() -> Any:
    agents = {a: SimpleNamespace(id=a, name=a.upper(), team_id="t1" if a != "a3" else "t2")
              for a in ("a1", "a2", "a3")}
    return SimpleNamespace(docs={"agents": agents, "queues": {}, "teams": {}})


def test_quarter_pieces_cut_at_the_edges() -> None:
    assert list(quarter_pieces(at(5, 9, 7, 30), at(5, 9, 55, 10))) == [
        (at(5, 9, 0), 450.0), (at(5, 9, 15), 900.0), (at(5, 9, 30), 900.0), (at(5, 9, 45), 610.0)]
    assert list(quarter_pieces(at(5, 9, 15), at(5, 9, 30))) == [(at(5, 9, 15), 900.0)]
    assert list(quarter_pieces(at(5, 9, 20), at(5, 9, 20))) == []
    folded = fold_state_seconds([StateInterval("a", "aux", None, at(5, 9, 10), at(5, 9, 20)),
                                 StateInterval("a", "aux", "lunch", at(5, 9, 25), at(5, 9, 35)),
                                 StateInterval("a", "busy", None, at(5, 9, 14), at(5, 9, 16)),
                                 StateInterval("a", "available", "ignored", at(5, 9, 16), at(5, 9, 17)),
                                 StateInterval("a", "busy", None, at(5, 9, 0), None),
                                 StateInterval("a", "offline", None, at(5, 9, 0), at(5, 9, 30))])
    assert STATE_COLUMNS == ("available", "reserved", "busy", "wrap_up", "aux")
    assert folded == {(at(5, 9, 0), "a", ""): [0.0, 0.0, 60.0, 0.0, 300.0],
                      (at(5, 9, 15), "a", ""): [60.0, 0.0, 60.0, 0.0, 300.0],
                      (at(5, 9, 15), "a", "lunch"): [0.0, 0.0, 0.0, 0.0, 300.0],
                      (at(5, 9, 30), "a", "lunch"): [0.0, 0.0, 0.0, 0.0, 300.0]}


QUERIES: list[dict[str, Any]] = [
    {"grain": "day", "by": "agent", "from": "2026-01-05", "to": "2026-01-06"},
    {"grain": "day", "by": "team", "from": "2026-01-04", "to": "2026-01-07"},
    {"grain": "week", "by": "agent", "from": "2026-01-04", "to": "2026-01-07"},
    {"grain": "interval", "interval_minutes": 60, "by": "agent", "from": "2026-01-05", "to": "2026-01-06"},
    {"grain": "interval", "interval_minutes": 15, "by": "agent", "from": "2026-01-06", "to": "2026-01-06"},
    {"grain": "day", "by": "agent", "from": "2026-01-05", "to": "2026-01-06", "filters": {"agent_id": "a1"}},
]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/New_York"])
def test_the_report_sums_the_stored_seconds_as_the_intervals_clip(store: SqlStore, tz: str) -> None:
    summed = ReportRunner(store, tz, _config(), now=lambda: NOW)
    folded = ReportRunner(store, tz, _config(), now=lambda: NOW, aggregates=False)
    for raw in QUERIES:
        q = ReportQuery.model_validate({**raw, "log_kpis": False})
        p = summed.periods(q)
        assert summed.summed(p), raw
        a, b = summed.run(q), folded.run(q)
        assert a["rows"], raw
        assert same(a, b), raw
    day = summed.run(ReportQuery.model_validate({**QUERIES[0], "log_kpis": False}))
    if tz == "UTC":  # the figures themselves, by hand
        rows = {(r["period"], r["key"]): r for r in day["rows"]}
        a1 = rows[("2026-01-05", "a1")]
        assert math.isclose(a1["aux_s"], 1200.5 + 59.5)
        assert math.isclose(a1["handling_s"], (at(5, 10, 0) - at(5, 9, 10)) + (at(6, 0, 0) - at(5, 23, 50)))
        a2 = rows[("2026-01-06", "a2")]  # in aux since yesterday 11:11:11.125, open: runs to now
        assert math.isclose(a2["aux_s"], NOW - at(6, 0, 0)) and math.isclose(a2["logged_in_s"], a2["aux_s"])


def test_store_state_seconds_equal_the_clipped_intervals(store: SqlStore) -> None:
    mem = MemoryStore()
    for batch in BATCHES:
        mem.append(batch)
    for starts, ends, until in (
            ([at(5, 0, 0), at(6, 0, 0)], [at(6, 0, 0), at(7, 0, 0)], NOW),
            ([at(5, 9, 0), at(5, 9, 15), at(5, 9, 30)], [at(5, 9, 15), at(5, 9, 30), at(5, 9, 45)], NOW),
            ([at(4, 0, 0) + h * 3600.0 for h in range(72)], [at(4, 1, 0) + h * 3600.0 for h in range(72)], NOW),
            ([at(6, 0, 0)], [at(7, 0, 0)], at(6, 8, 0))):  # "now" before some closed ones end: not cut
        assert state_seconds.on_edges(starts, ends)
        got = store.state_seconds(starts, ends, until)
        with store.engine.connect() as conn:
            clipped = interval_projection.state_seconds(conn, starts, ends, until)
        ref = mem.state_seconds(starts, ends, until)
        assert got and got.keys() == clipped.keys() == ref.keys()
        for k in got:
            assert same(got[k].seconds, clipped[k].seconds) and same(got[k].seconds, ref[k].seconds), k
            assert same(got[k].aux_by_reason, ref[k].aux_by_reason), k


def test_periods_off_the_edges_clip_the_intervals(store: SqlStore) -> None:
    starts, ends = [at(5, 9, 7)], [at(5, 10, 7)]
    assert not state_seconds.on_edges(starts, ends)
    assert not state_seconds.on_edges([at(5, 9, 0), at(5, 11, 0)], [at(5, 10, 0), at(5, 12, 0)])  # a gap
    got = store.state_seconds(starts, ends, NOW)
    assert math.isclose(got[(starts[0], "a1")].seconds["busy"], at(5, 9, 55, 10.25) - at(5, 9, 10))


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(t.agent_state_seconds)))


def test_rebuild_from_the_intervals_equals_the_projection(store: SqlStore) -> None:
    kept = _rows(store.engine)
    assert kept and {r[2] for r in kept} == {"", "lunch"}  # "training" and "break" are still open
    with store.engine.begin() as conn:
        state_seconds.backfill(conn, chunk=3)
    rebuilt = _rows(store.engine)
    assert [r[:3] for r in rebuilt] == [r[:3] for r in kept]
    assert all(math.isclose(a, b, rel_tol=1e-12) for x, y in zip(rebuilt, kept, strict=True)
               for a, b in zip(x[3:], y[3:], strict=True))

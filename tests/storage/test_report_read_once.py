"""The historical report reading the event log once per run gives the very figures of each part reading it
itself (the path before), on SQLite and PostgreSQL, for every dimension and grain, on a generated month."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine

from blendcc.adapters.storage.bulk_load import bulk_append
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.reporting.report_log import ReportLog
from blendcc.app.reporting.report_query import ReportQuery
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.sim.report_load import events, month_scenario
from blendcc.testing import MemoryStore

DAYS = 3


def _config() -> Any:
    sc = month_scenario(900, DAYS)
    return SimpleNamespace(docs={"queues": {q.id: q for q in sc.centre.queues},
                                 "agents": {a.id: a for a in sc.agent_configs()},
                                 "teams": {t.id: t for t in sc.centre.teams}})


@pytest.fixture
def loaded(sql_engine: Engine) -> SqlStore:
    store = SqlStore(sql_engine)
    events(900, DAYS, 11, lambda b: bulk_append(store, b), batch=2000)
    return store


QUERIES = [{"grain": g, "by": by, "from": "2026-01-05", "to": "2026-01-07"}
           for g in ("day", "interval") for by in ("queue", "channel", "agent", "team", "disposition")]
QUERIES += [{"grain": "week", "by": "queue", "from": "2026-01-06", "to": "2026-01-06", "fcr_days": 1,
             "filters": {"queue_id": "support"}},
            {"grain": "day", "by": "agent", "from": "2026-01-05", "to": "2026-01-06",
             "filters": {"team_id": "team-tech"}}]


def test_read_once_gives_the_same_report(loaded: SqlStore) -> None:
    config = _config()
    now = month_scenario(900, DAYS).start.timestamp() + (DAYS + 1) * 86400.0
    once = ReportRunner(loaded, "UTC", config, now=lambda: now)
    parts = ReportRunner(loaded, "UTC", config, now=lambda: now, read_once=False)
    for raw in QUERIES:
        q = ReportQuery.model_validate(raw)
        a, b = once.run(q), parts.run(q)
        assert a == b, raw
        assert a["rows"], raw  # something to compare
    q = ReportQuery.model_validate(QUERIES[0])
    total = once.run(q)["total"]
    assert total["offered"] > 500 and total["abandoned"] > 0 and total["transferred"] > 0
    assert 0 < total["fcr_rate"] < 1 and 0 < total["resolved_disposition_rate"] < 1


def test_report_log_answers_only_what_it_read() -> None:
    store = MemoryStore()
    events(60, 1, 5, store.append, batch=50)
    start = month_scenario(60, 1).start.timestamp()
    log = ReportLog(store, [(["ContactCreated", "WrapUpCompleted"], start, start + 43200),
                            (["WrapUpCompleted"], start + 36000, start + 86400)])
    for types, lo, hi in ((["WrapUpCompleted"], start, start + 86400),
                          (["ContactCreated"], start + 3600, start + 40000),
                          (["ContactCreated", "WrapUpCompleted"], start + 30000, start + 43200)):
        want = [s.event for s in store.events_of_type(types, lo, hi)]
        assert log.of(types, lo, hi) == want
    assert log.of(["WrapUpCompleted"], start, start + 86400)
    with pytest.raises(ValueError, match="ContactCreated"):
        log.of(["ContactCreated"], start, start + 50000)
    with pytest.raises(ValueError, match="ContactClosed"):
        log.of(["ContactClosed"], start, start + 10)

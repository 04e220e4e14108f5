"""bulk_append writes exactly what append writes (every table), on SQLite and PostgreSQL; the generated month is
realistic (queues, channels, abandons, overflows, holds, transfers, dispositions, customers who call again)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from blendcc.adapters.storage.bulk_load import bulk_append
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.adapters.storage.tables import metadata
from blendcc.domain.events import AgentStatusChanged, Event
from blendcc.sim.report_load import events
from blendcc.testing.postgres import temporary_schema


def _fail(message: str) -> Any:
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="module")
def month() -> list[list[Event]]:
    """Two days of the generated centre, about 600 contacts, in the batches the generator hands out."""
    batches: list[list[Event]] = []
    events(600, 2, 3, lambda b: batches.append(list(b)), batch=700)
    return batches


@pytest.fixture
def two_engines(sql_engine: Engine, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """The storage tests' empty database (SQLite or PostgreSQL) and a second one of the same kind."""
    if sql_engine.dialect.name == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "bulk.db")
        other = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
        yield sql_engine, other
        other.dispose()
        return
    with temporary_schema("bulk", _fail) as (_schema, url):
        other = make_engine(url)
        migrate(other)
        yield sql_engine, other
        other.dispose()


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_generated_month_is_realistic(month: list[list[Event]]) -> None:
    log = [e for b in month for e in b]
    kinds = Counter(e.type for e in log)
    for name in ("ContactCreated", "ContactQueued", "ContactConnected", "ContactAbandoned", "ContactOverflowed",
                 "ContactHeld", "ContactResumed", "ContactTransferred", "WrapUpCompleted", "AgentStateChanged",
                 "AgentLoggedIn", "AgentLoggedOut"):
        assert kinds[name] > 0, name
    created = [e for e in log if e.type == "ContactCreated"]
    assert {e.channel for e in created} == {"voice", "chat", "email"}  # type: ignore[attr-defined]
    assert len({e.queue_id for e in log if e.type == "ContactQueued"}) >= 5  # type: ignore[attr-defined]
    codes = Counter(e.disposition for e in log if e.type == "WrapUpCompleted")  # type: ignore[attr-defined]
    assert codes["resolved"] > 0 and len(codes) >= 4
    customers = Counter(e.customer_id for e in created if e.customer_id)  # type: ignore[attr-defined]
    assert any(n > 1 for n in customers.values())  # repeat contacts (FCR has something to find)
    assert [e.at for e in log] == sorted(e.at for e in log)  # log order is time order


def test_bulk_append_writes_what_append_writes(month: list[list[Event]], two_engines: tuple[Engine, Engine]) -> None:
    real, bulk = SqlStore(two_engines[0]), SqlStore(two_engines[1])
    for batch in month:
        real.append(batch)
        bulk_append(bulk, batch)
    # the sequence goes on after a bulk load: a later ordinary append follows the loaded log
    later = [AgentStatusChanged(agent_id="late-1", status="aux", reason="break", at=month[-1][-1].at + 60)]
    assert bulk.append(later) == real.append(later) == [sum(len(b) for b in month) + 1]
    a, b = _rows(two_engines[0]), _rows(two_engines[1])
    assert sum(len(v) for v in a.values()) > 5000
    for name in a:
        assert a[name] == b[name], name

"""Snapshots in the database (ADR 0052), SQLite and PostgreSQL: a restart from the newest snapshot plus the events
after it rebuilds the state a replay of the whole log gives; damaged or other-format snapshots are skipped."""

from __future__ import annotations

import contextlib
import logging
import random

import pytest
from sqlalchemy import Engine as SqlEngine

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.snapshot_repo import SqlSnapshotStore
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.acd.runtime import Runtime
from blendcc.app.acd.snapshots import Snapshotter, encode
from blendcc.domain.errors import DomainError
from blendcc.routing.engine import Engine
from blendcc.routing.snapshot import FORMAT_VERSION, fingerprint
from blendcc.testing.snapshot_traffic import centre, random_command

T0 = 1_700_000_000.0


def runtime(db: SqlEngine, clock: FakeClock, every: int = 0) -> Runtime:
    snapshots = Snapshotter(SqlSnapshotStore(db), every_events=every, every_s=0)
    return Runtime(centre(), SqlStore(db), MemoryBus(), clock, group_commit=False, snapshots=snapshots)


def traffic(rt: Runtime, clock: FakeClock, rng: random.Random, steps: int, start: int = 0) -> None:
    for n in range(start, start + steps):
        clock.advance(rng.choice((0.0, 0.5, 2.0, 7.0, 30.0)))
        command = rt.query(lambda engine, _now, n=n: random_command(rng, engine, n))
        with contextlib.suppress(DomainError):
            rt.execute(command)
    assert rt.snapshots is not None
    rt.snapshots.flush()


def full_replay(db: SqlEngine, now: float) -> Engine:
    engine = Engine(centre(), now)
    engine.replay([s.event for s in SqlStore(db).read(0)])
    return engine


@pytest.mark.parametrize("seed", range(4))
def test_restart_from_a_snapshot_equals_a_full_replay(sql_engine: SqlEngine, seed: int) -> None:
    rng = random.Random(seed)
    clock = FakeClock(T0)
    rt = runtime(sql_engine, clock, every=rng.choice((5, 17, 60)))
    traffic(rt, clock, rng, 150)
    snaps = SqlSnapshotStore(sql_engine).latest_snapshots()
    assert snaps, "no snapshot was taken"
    assert len(snaps) <= 3  # older ones are pruned
    last = SqlStore(sql_engine).last_seq()
    loaded = Snapshotter(SqlSnapshotStore(sql_engine)).load(centre(), clock.now())
    assert loaded is not None
    engine, seq = loaded
    assert 0 < seq <= last
    engine.replay([s.event for s in SqlStore(sql_engine).read(seq)])
    assert fingerprint(engine) == fingerprint(full_replay(sql_engine, clock.now()))
    # a real restart: snapshot + tail, then the overdue timers it fires are stored like any other events
    restarted = runtime(sql_engine, clock)
    assert restarted.applied_seq == SqlStore(sql_engine).last_seq()
    assert restarted.query(lambda e, _n: fingerprint(e)) == fingerprint(full_replay(sql_engine, clock.now()))
    # ... and it goes on deciding on that state
    traffic(restarted, clock, rng, 40, start=5000)
    assert restarted.query(lambda e, _n: fingerprint(e)) == fingerprint(full_replay(sql_engine, clock.now()))


def test_snapshot_at_shutdown_and_nothing_new_nothing_written(sql_engine: SqlEngine) -> None:
    clock = FakeClock(T0)
    rt = runtime(sql_engine, clock)  # no periodic snapshots
    traffic(rt, clock, random.Random(9), 60)
    store = SqlSnapshotStore(sql_engine)
    assert store.latest_snapshots() == []
    assert rt.snapshot() is True
    assert [s for s, _v, _b in store.latest_snapshots()] == [rt.applied_seq]
    assert rt.snapshot() is False  # nothing happened since


def test_a_damaged_or_other_format_snapshot_is_ignored(sql_engine: SqlEngine, caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    clock = FakeClock(T0)
    rt = runtime(sql_engine, clock)
    traffic(rt, clock, random.Random(4), 80)
    assert rt.snapshot()
    good = rt.applied_seq
    traffic(rt, clock, random.Random(5), 40, start=1000)
    store = SqlSnapshotStore(sql_engine)
    top = rt.applied_seq
    store.save_snapshot(top, FORMAT_VERSION, b"not zlib at all", clock.now())
    store.save_snapshot(top - 1, FORMAT_VERSION + 1, encode({"version": FORMAT_VERSION + 1, "seq": top - 1}),
                        clock.now())
    with caplog.at_level(logging.WARNING, logger="blendcc.app.acd.snapshots"):
        restarted = runtime(sql_engine, clock)
    assert restarted.snapshots is not None and restarted.snapshots.last_seq == good  # the older, good one
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"seq {top}" in w and "decode" in w for w in warnings)
    assert any(f"seq {top - 1}" in w and "format" in w for w in warnings)
    assert restarted.query(lambda e, _n: fingerprint(e)) == fingerprint(full_replay(sql_engine, clock.now()))


def test_with_no_usable_snapshot_the_log_is_replayed(sql_engine: SqlEngine, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(T0)
    rt = runtime(sql_engine, clock)
    traffic(rt, clock, random.Random(6), 80)
    before = rt.query(lambda e, _n: fingerprint(e))
    SqlSnapshotStore(sql_engine).save_snapshot(rt.applied_seq, FORMAT_VERSION, encode({"version": 1}), clock.now())
    with caplog.at_level(logging.WARNING, logger="blendcc.app.acd.snapshots"):
        restarted = runtime(sql_engine, clock)
    assert restarted.snapshots is not None and restarted.snapshots.last_seq == 0
    assert "does not match its sequence number" in caplog.text
    assert restarted.applied_seq == SqlStore(sql_engine).last_seq()
    assert restarted.query(lambda e, _n: fingerprint(e))["contacts"] == before["contacts"]

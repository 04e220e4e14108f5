"""Today's statistics in the snapshot (ADR 0059), SQLite and PostgreSQL: a restart restores them with the live state at
the snapshot's seq and folds the events after it; the result equals folding the whole log, across midnight, for
queue counters, agent time, digital conversations and IVR figures. A snapshot without them (or with another format of
them) leaves them to the warm-up from the log."""

from __future__ import annotations

import contextlib
import json
import logging
import random
from typing import Any

import pytest
from sqlalchemy import Engine as SqlEngine

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.snapshot_repo import SqlSnapshotStore
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.acd.runtime import Runtime
from blendcc.app.acd.snapshots import Snapshotter, decode
from blendcc.app.reporting.live_stats import LiveStats, day_start
from blendcc.domain import conversation_events as cv
from blendcc.domain.errors import DomainError
from blendcc.domain.events import Event
from blendcc.domain.ivr_events import IvrCallEnded
from blendcc.routing.engine import Engine
from blendcc.testing.snapshot_traffic import centre, random_command

T0 = day_start(1_700_000_000.0, "UTC") + 86400 - 1500  # 23:35: the traffic crosses midnight
PART = "live_stats"


def thresholds(_queue: str, _channel: str) -> tuple[float, float]:
    return (20.0, 5.0)


def runtime(db: SqlEngine, clock: FakeClock, stats: LiveStats, every: int = 0) -> Runtime:
    snapshots = Snapshotter(SqlSnapshotStore(db), every_events=every, every_s=0, parts={PART: stats})
    return Runtime(centre(), SqlStore(db), MemoryBus(), clock, stats, group_commit=False, snapshots=snapshots)


def _messages(rng: random.Random, engine: Engine, now: float, n: int) -> list[Event]:
    """A customer message or an agent's reply on an open digital contact, or a call that ended in the IVR."""
    digital = sorted(cid for cid, c in engine.contacts.items() if c.channel.value != "voice")
    if not digital or rng.random() < 0.2:
        return [IvrCallEnded(at=now, contact_id=f"ivr{n}", channel="voice", reason=rng.choice(
            ("ivr_abandoned", "ivr_contained")), flow_id="main", caller_id=None, dialled="+100", ivr_s=12.0 + n % 7)]
    cid = rng.choice(digital)
    c = engine.contacts[cid]
    if rng.random() < 0.5:
        return [cv.MessageReceived(at=now, contact_id=cid, message_id=f"m{n}", channel=c.channel.value,
                                   channel_instance="main", body="hello")]
    return [cv.MessageSent(at=now, contact_id=cid, message_id=f"m{n}", channel=c.channel.value,
                           channel_instance="main", author_kind="agent", author_id=c.agent_id or "a1", body="hi")]


def traffic(rt: Runtime, clock: FakeClock, rng: random.Random, steps: int, start: int = 0) -> None:
    for n in range(start, start + steps):
        clock.advance(rng.choice((0.0, 5.0, 20.0, 45.0)))
        if rng.random() < 0.3:
            rt.execute(lambda engine, now, n=n: _messages(rng, engine, now, n))
            continue
        command = rt.query(lambda engine, _now, n=n: random_command(rng, engine, n))
        with contextlib.suppress(DomainError):
            rt.execute(command)
    assert rt.snapshots is not None
    rt.snapshots.flush()


def figures(stats: LiveStats, now: float) -> dict[str, Any]:
    """What the wallboard and the desktop read, and every fold's state."""
    return {"queues": stats.queues_today(), "digital": stats.digital_today(now), "ivr": stats.ivr_today(now),
            "agents": {a: stats.agent_today(a, now) for a in ("a0", "a1", "a2", "a3")}, "state": stats.capture()}


def folded_log(db: SqlEngine) -> LiveStats:
    """Today's statistics from folding the whole event log, batch by batch, as a server that never stopped."""
    stats = LiveStats(thresholds)
    log = SqlStore(db).read(0)
    for i in range(0, len(log), 7):
        stats.committed(log[i:i + 7])
    return stats


@pytest.mark.parametrize("seed", range(3))
def test_a_restart_restores_todays_statistics_equal_to_folding_the_whole_log(sql_engine: SqlEngine,
                                                                              seed: int) -> None:
    rng = random.Random(seed)
    clock = FakeClock(T0)
    live = LiveStats(thresholds)
    rt = runtime(sql_engine, clock, live, every=rng.choice((11, 29, 70)))
    traffic(rt, clock, rng, 260)
    snaps = SqlSnapshotStore(sql_engine).latest_snapshots()
    assert snaps and PART in decode(snaps[0][2])["parts"]
    assert clock.now() > T0 + 1500, "the traffic should cross midnight"
    # the server that never stopped folded the same as the whole log
    assert figures(live, clock.now()) == figures(folded_log(sql_engine), clock.now())
    # a restart (after a kill: the newest snapshot is older than the log's end) restores and folds the tail
    restarted = LiveStats(thresholds)
    rt2 = runtime(sql_engine, clock, restarted)
    assert rt2.snapshots is not None and rt2.snapshots.restored == {PART}
    assert 0 < int(rt2.rebuilt["snapshot_seq"]) <= rt2.applied_seq
    assert figures(restarted, clock.now()) == figures(folded_log(sql_engine), clock.now())
    # ... and goes on folding the same
    traffic(rt2, clock, rng, 60, start=5000)
    assert figures(restarted, clock.now()) == figures(folded_log(sql_engine), clock.now())


def test_capture_survives_json_and_restore_refuses_another_format() -> None:
    stats = LiveStats(thresholds)
    e = [cv.MessageReceived(at=T0, contact_id="c1", message_id="m1", channel="chat", channel_instance="main",
                            body="hi")]
    stats.apply(e)
    data = json.loads(json.dumps(stats.capture()))
    copy = LiveStats(thresholds)
    copy.restore(data, 5)
    assert copy.capture() == stats.capture() and copy.seq == 5
    for bad in ({**data, "version": 99}, {**data, "names": {"queue": ["x"]}}, {**data, "counters": [[1]]}, [1, 2]):
        fresh = LiveStats(thresholds)
        with pytest.raises(ValueError):
            fresh.restore(bad, 5)
        assert fresh.seq == 0 and fresh.capture() == LiveStats(thresholds).capture()  # left as it was


def test_a_snapshot_without_statistics_leaves_them_to_the_log_and_the_next_one_holds_them(
        sql_engine: SqlEngine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock = FakeClock(T0)
    snapshots = Snapshotter(SqlSnapshotStore(sql_engine), every_events=0, every_s=0)  # before ADR 0059: no parts
    rt = Runtime(centre(), SqlStore(sql_engine), MemoryBus(), clock, group_commit=False, snapshots=snapshots)
    traffic(rt, clock, random.Random(7), 80)
    assert rt.snapshot()
    seq = SqlSnapshotStore(sql_engine).latest_snapshots()[0][0]
    restarted = LiveStats(thresholds)
    rt2 = runtime(sql_engine, clock, restarted)
    assert rt2.snapshots is not None and rt2.snapshots.restored == set()
    assert "holds no 'live_stats'" in caplog.text
    # nothing new in the log, but the shutdown snapshot is written again, with the statistics (same seq)
    assert rt2.snapshot()
    rows = SqlSnapshotStore(sql_engine).latest_snapshots()
    assert rows[0][0] == seq and PART in decode(rows[0][2])["parts"]
    assert not rt2.snapshot()  # now complete: nothing to write

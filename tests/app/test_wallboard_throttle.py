"""The wallboard feed under steady traffic (ADR 0060): with ``max_per_s`` a publication is armed no sooner than
``1 / max_per_s`` after the previous one began, so a commit every few milliseconds does not rebuild the board ten
times a second; a quiet board still follows its first event after ``coalesce_s``."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.app.reporting.wallboard_feed import WallboardFeed
from blendcc.domain.events import AgentStateChanged
from blendcc.ports import StoredEvent
from blendcc.testing.scheduler import StepScheduler

BATCH = [StoredEvent(1, AgentStateChanged(at=0.0, agent_id="a1", state="available", reason=None))]


def _feed(max_per_s: float | None) -> tuple[WallboardFeed, StepScheduler, list[float], list[dict[str, Any]]]:
    now = [100.0]
    scheduler = StepScheduler()
    bus = MemoryBus()
    frames: list[dict[str, Any]] = []
    bus.subscribe("stats", lambda _t, m: frames.append(dict(m)))
    feed = WallboardFeed(lambda: {"at": now[0]}, bus, scheduler, coalesce_s=0.1, heartbeat_s=1.0,
                         max_per_s=max_per_s, monotonic=lambda: now[0])
    feed.start(heartbeat=False)
    return feed, scheduler, now, frames


def test_steady_commits_get_at_most_max_per_s_frames() -> None:
    feed, scheduler, now, frames = _feed(2.0)
    feed.committed(BATCH)
    assert scheduler.run() == 0.1  # a quiet board: the first event's frame after coalesce_s
    assert len(frames) == 1
    now[0] += 0.1
    feed.committed(BATCH)  # 0.1 s after that frame began: the next one 0.5 s after it, not 0.1 s after the event
    delay = scheduler.run()
    assert abs(delay - 0.4) < 1e-9
    now[0] += delay
    assert len(frames) == 2
    now[0] += 2.0  # quiet for a while: coalesce_s again
    feed.committed(BATCH)
    assert scheduler.run() == 0.1


def test_without_a_limit_every_burst_is_coalesce_s_behind() -> None:
    feed, scheduler, now, frames = _feed(None)
    for _ in range(3):
        feed.committed(BATCH)
        feed.committed(BATCH)  # rides on the armed publication
        assert len(scheduler.jobs) == 1 and scheduler.run() == 0.1
        now[0] += 0.1
    assert len(frames) == 3

"""Today's queue counters per queue, as the wallboard counts them: the day starts at local midnight, a contact
counts on the day it entered the queue, and each event adds ``queue_stats.deltas`` (one definition)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from blendcc.analytics.queue_stats import COUNTED_TYPES, QueueCounters, Thresholds, deltas
from blendcc.domain import events as ev


def day_start(at: float, tz: str) -> float:
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(at, zone)
    return datetime.combine(local.date(), time(0), zone).timestamp()


def next_day_start(at: float, tz: str) -> float:
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(at, zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), zone).timestamp()


class TodayQueues:
    """Per queue, today's counters (every channel together): ``fold`` events, ``roll(now)`` at a new day."""

    __slots__ = ("_next", "by_queue", "day", "thresholds", "tz")

    def __init__(self, thresholds: Thresholds, tz: str, now: float) -> None:
        self.thresholds = thresholds
        self.tz = tz
        self.day = day_start(now, tz)
        self._next = next_day_start(now, tz)
        self.by_queue: dict[str, QueueCounters] = {}

    def roll(self, now: float) -> None:
        """A new day drops yesterday's counters (contacts queued before midnight count on their own day)."""
        if now >= self._next:
            self.day, self._next = day_start(now, self.tz), next_day_start(now, self.tz)
            self.by_queue = {}

    def fold(self, events: Iterable[ev.Event]) -> None:
        counted = COUNTED_TYPES
        for e in events:
            if type(e) not in counted:
                continue
            if e.at >= self._next:
                self.roll(e.at)
            for (start, q, _ch), delta in deltas(e, self.thresholds):
                if start < self.day:
                    continue
                c = self.by_queue.get(q)
                if c is None:
                    c = self.by_queue[q] = QueueCounters()
                c.add(delta)

"""Pushes the wallboard on the bus's "stats" topic shortly after events, coalesced, and as a heartbeat when idle."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from blendcc.ports import EventBus, Scheduler, StoredEvent

log = logging.getLogger(__name__)


class WallboardFeed:
    """A commit subscriber of the Runtime: a stored batch marks the board dirty and arms ONE publication
    ``coalesce_s`` later (every batch in between rides on it), so a burst of events costs one frame, not one
    per event, and a frame follows an event within ``coalesce_s`` plus the time to build it. With nothing
    happening the board is still published every ``heartbeat_s`` (times in state and waits move on).

    ``max_per_s`` (ADR 0060): under steady traffic every commit would arm a frame ``coalesce_s`` later, i.e. ten
    frames a second, each walking every agent of the centre; with it, a publication is armed no sooner than
    ``1 / max_per_s`` after the previous one began (None: no limit).

    ``build()`` returns the frame (``LiveViews.wallboard``); it is published as ``{"type": "Stats", ...}``."""

    def __init__(self, build: Callable[[], dict[str, Any]], bus: EventBus, scheduler: Scheduler,
                 coalesce_s: float = 0.1, heartbeat_s: float = 1.0, max_per_s: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.build = build
        self.bus = bus
        self.scheduler = scheduler
        self.coalesce_s = coalesce_s
        self.heartbeat_s = heartbeat_s
        self.min_gap_s = 1.0 / max_per_s if max_per_s else 0.0
        self.monotonic = monotonic
        self.published = 0
        #: False on a standby node (several nodes, ADR 0053): only the routing leader's live state is the board
        self.active: Callable[[], bool] = lambda: True
        self._lock = threading.Lock()
        self._pending: object | None = None  # the armed event-driven publication
        self._beat: object | None = None
        self._last = 0.0  # monotonic time of the last publication
        self._stopped = True

    def start(self, heartbeat: bool = True) -> WallboardFeed:
        """Publish after commits from now on, and (``heartbeat``) every ``heartbeat_s`` when idle."""
        with self._lock:
            self._stopped = False
            if heartbeat:
                self._beat = self.scheduler.call_later(self.heartbeat_s, self._heartbeat)
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for handle in (self._pending, self._beat):
                if handle is not None:
                    self.scheduler.cancel(handle)
            self._pending = self._beat = None

    def committed(self, batch: Sequence[StoredEvent]) -> None:
        """Called under the writer's lock after each stored batch: only arms the publication (cheap)."""
        if not batch:
            return
        with self._lock:
            if self._stopped or self._pending is not None:
                return
            delay = self.coalesce_s
            if self.min_gap_s:
                delay = max(delay, self._last + self.min_gap_s - self.monotonic())
            self._pending = self.scheduler.call_later(delay, self._on_events)

    def _on_events(self) -> None:
        with self._lock:
            self._pending = None  # a batch stored from now on arms the next publication
            if self._stopped:
                return
        self.publish()

    def _heartbeat(self) -> None:
        with self._lock:
            if self._stopped:
                return
            due = self.monotonic() - self._last >= self.heartbeat_s * 0.9
        try:
            if due:
                self.publish()
        finally:
            with self._lock:
                if not self._stopped:
                    self._beat = self.scheduler.call_later(self.heartbeat_s, self._heartbeat)

    def publish(self) -> None:
        """Build the board now and publish it (a failure is logged; the next event or beat tries again)."""
        if not self.active():
            return
        self._last = self.monotonic()  # when the build began: the next one no sooner than min_gap_s after it
        try:
            frame = self.build()
        except Exception:
            log.exception("building the wallboard failed")
            return
        self.published += 1
        self.bus.publish("stats", {"type": "Stats", **frame})

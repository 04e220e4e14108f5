"""FakeClock: a Clock whose time only moves when a test or the simulator says so."""

from __future__ import annotations

import threading


class FakeClock:
    """Epoch-seconds clock for tests: ``now()`` returns the set time; ``advance`` moves it forward."""

    def __init__(self, start: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._now = float(start)

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by {seconds} s")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, t: float) -> None:
        """Jump to ``t`` (either direction: tests may rewind on purpose)."""
        with self._lock:
            self._now = float(t)

"""Admission control for new calls: refuse (503 with Retry-After) while the event loop lags, keep calls up clean.

The media of every call runs on one event loop; once that loop wakes up late, every call's packets and
recordings are late with it. ``LoopLag`` samples how late a 50 ms timer fires; ``Admission`` refuses new
calls while the lag of the last second (its third worst sample) is over ``max_lag_s`` (setting
``sip_admission_max_lag_ms``, default 200 ms: about what a phone's jitter buffer absorbs), so the calls
already up keep their quality instead of all degrading together.
"""

from __future__ import annotations

import asyncio
from collections import deque

INTERVAL_S = 0.05
WINDOW = 20  # samples: the last second
SUSTAINED = 3  # this many late samples in the window make a lag


class LoopLag:
    """How late the loop runs a timer, over the last second (the lag every packet and pacer tick sees)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.samples: deque[float] = deque(maxlen=WINDOW)
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._due = self.loop.time() + INTERVAL_S
        self._handle = self.loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        now = self.loop.time()
        self.samples.append(max(0.0, now - self._due))
        self._due = now + INTERVAL_S
        self._handle = self.loop.call_at(self._due, self._tick)

    @property
    def recent(self) -> float:
        """The lag of the last second, its third worst sample: a sustained lag, not one pause (a garbage
        collection, one slow callback) that the phones' jitter buffers absorb."""
        worst = sorted(self.samples, reverse=True)
        return worst[SUSTAINED - 1] if len(worst) >= SUSTAINED else 0.0

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class Admission:
    """``admit()`` False while the loop lags over ``max_lag_s``; counts what it refused."""

    def __init__(self, lag: LoopLag | None, max_lag_s: float = 0.1, retry_after_s: int = 5):
        self.lag = lag
        self.max_lag_s = max_lag_s
        self.retry_after_s = retry_after_s
        self.refused = 0

    def admit(self) -> bool:
        if self.lag is None or self.max_lag_s <= 0 or self.lag.recent <= self.max_lag_s:
            return True
        self.refused += 1
        return False

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [("Retry-After", str(self.retry_after_s))]

"""The forecast so far today per queue, for the ``offered_vs_forecast`` trigger: today's forecast is fitted in
the background once a day per queue (the intraday board's ``day_forecast``) and None until it is ready."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from blendcc.crisis.figures import so_far

__all__ = ["ForecastSoFar", "so_far"]

Fit = Callable[[str], Sequence[float] | None]  # queue -> today's forecast volume per slot (None: no history)


class ForecastSoFar:
    """``(queue or '*', now) -> contacts forecast from today's start to now`` (the current slot pro rata).

    ``fit`` runs through ``run`` (a thread pool live), never on the caller's thread: the stats publisher must
    not wait for a model fit. ``today``/``day_start`` come from the centre's clock and zone."""

    def __init__(self, fit: Fit, today: Callable[[], date], day_start: Callable[[date], float],
                 queues: Callable[[], Iterable[str]], run: Callable[[Callable[[], None]], object],
                 interval_min: int = 30) -> None:
        self.fit = fit
        self.today = today
        self.day_start = day_start
        self.queues = queues
        self.run = run
        self.interval_s = interval_min * 60.0
        self._lock = threading.Lock()
        self._day: date | None = None
        self._fitted: dict[str, Sequence[float] | None] = {}
        self._pending: set[str] = set()

    def __call__(self, queue: str, now: float) -> float | None:
        day = self.today()
        with self._lock:
            if day != self._day:
                self._day, self._fitted, self._pending = day, {}, set()
        ids = sorted(self.queues()) if queue == "*" else [queue]
        start = self.day_start(day)
        with self._lock:
            missing = [q for q in ids if q not in self._fitted]
            fitted = [self._fitted.get(q) for q in ids]
            start_now = [q for q in missing if q not in self._pending]
            self._pending.update(start_now)
        for q in start_now:
            self.run(self._fitter(q, day))
        if missing:
            return None  # not every queue is fitted yet: no figure rather than a wrong one
        known = [v for v in fitted if v is not None]
        return sum(so_far(v, now - start, self.interval_s) for v in known) if known else None

    def _fitter(self, queue: str, day: date) -> Callable[[], None]:
        def go() -> None:
            try:
                volume = self.fit(queue)
            except Exception:  # a failing fit counts as no forecast (the trigger stays quiet)
                volume = None
            with self._lock:
                if self._day == day:
                    self._fitted[queue] = volume
                    self._pending.discard(queue)
        return go


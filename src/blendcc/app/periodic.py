"""Periodic jobs on the ``Scheduler`` port (the dialing loop's tick, the live-stats publisher)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from blendcc.ports import Scheduler

log = logging.getLogger(__name__)


class Periodic:
    """Runs ``fn`` every ``interval_s`` on ``scheduler``. The next run is scheduled when one ends, so a
    slow run delays the next and runs never overlap; a failing run is logged and the job goes on.
    ``stop`` cancels the next run and waits for one in progress (unless called from inside it)."""

    def __init__(self, scheduler: Scheduler, interval_s: float, fn: Callable[[], object], name: str) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.scheduler = scheduler
        self.interval_s = interval_s
        self.fn = fn
        self.name = name
        self.runs = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._handle: object | None = None
        self._stopped = True
        self._running_in: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return not self._stopped

    def start(self) -> Periodic:
        with self._lock:
            if self._stopped:
                self._stopped = False
                self._handle = self.scheduler.call_later(self.interval_s, self._run)
        return self

    def _run(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._handle = None
            self._running_in = threading.current_thread()
        try:
            self.fn()
        except Exception:
            log.exception("%s failed", self.name)
        finally:
            with self._lock:
                self.runs += 1
                self._running_in = None
                self._idle.notify_all()
                if not self._stopped:
                    self._handle = self.scheduler.call_later(self.interval_s, self._run)

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._lock:
            self._stopped = True
            handle, self._handle = self._handle, None
            if handle is not None:
                self.scheduler.cancel(handle)
            running = self._running_in
            if running is not None and running is not threading.current_thread():
                self._idle.wait_for(lambda: self._running_in is None, timeout_s)

"""The live ``Scheduler``: asyncio timers on the server's event loop, jobs run on worker threads.

``call_at``/``call_later``/``cancel`` may be called from any thread (engine commands run on request
and SIP worker threads): the timer is created on the loop with ``call_soon_threadsafe``. A due job
runs on a small thread pool, never on the loop (the writer blocks on the store), and its exceptions
are logged. ``call_at`` times are the injected Clock's (UTC epoch seconds), turned into a delay when
armed; ``call_later`` delays are the loop's own seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable

from blendcc.ports import Clock

log = logging.getLogger(__name__)


class Job:
    """A handle: cancel it through the scheduler (or ``cancel()``) before it runs and it never runs."""

    __slots__ = ("_lock", "_loop", "_timer", "cancelled", "delay", "fn", "when")

    def __init__(self, when: float, fn: Callable[[], object], loop: asyncio.AbstractEventLoop,
                 delay: float | None = None) -> None:
        self.when = when
        self.delay = delay  # call_later: a relative delay (independent of the clock)
        self.fn = fn
        self.cancelled = False
        self._loop = loop
        self._timer: asyncio.TimerHandle | None = None
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            timer, self._timer = self._timer, None
        if timer is not None:  # drop the loop's timer too (on the loop: asyncio is not thread-safe)
            with contextlib.suppress(RuntimeError):  # a closed loop runs nothing anyway
                self._loop.call_soon_threadsafe(timer.cancel)

    def __repr__(self) -> str:
        return f"Job(when={self.when!r}, cancelled={self.cancelled})"


class AsyncioScheduler:
    """``ports.Scheduler`` on a running event loop; ``close()`` cancels what is pending and waits for
    running jobs to finish."""

    def __init__(self, loop: asyncio.AbstractEventLoop, clock: Clock, workers: int = 2) -> None:
        self.loop = loop
        self.clock = clock
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scheduler")
        self._jobs: set[Job] = set()
        self._lock = threading.Lock()
        self._closed = False

    def call_at(self, when: float, fn: Callable[[], object]) -> Job:
        return self._add(Job(when, fn, self.loop))

    def call_later(self, delay: float, fn: Callable[[], object]) -> Job:
        delay = max(0.0, delay)
        return self._add(Job(self.clock.now() + delay, fn, self.loop, delay))

    def _add(self, job: Job) -> Job:
        with self._lock:
            if self._closed:
                job.cancelled = True
                return job
            self._jobs.add(job)
        try:
            self.loop.call_soon_threadsafe(self._arm, job)
        except RuntimeError:  # the loop is closed (shutting down): the job never runs
            self.cancel(job)
        return job

    def cancel(self, handle: object) -> None:
        if isinstance(handle, Job):
            handle.cancel()
            with self._lock:
                self._jobs.discard(handle)

    def pending(self) -> int:
        """Jobs armed or running that were not cancelled."""
        with self._lock:
            return sum(1 for j in self._jobs if not j.cancelled)

    def _arm(self, job: Job) -> None:  # on the loop
        with job._lock:
            if job.cancelled:
                return
            delay = job.delay if job.delay is not None else max(0.0, job.when - self.clock.now())
            job._timer = self.loop.call_later(delay, self._due, job)

    def _due(self, job: Job) -> None:  # on the loop
        with job._lock:
            job._timer = None
            if job.cancelled:
                return
        with contextlib.suppress(RuntimeError):  # the pool was shut down (closing)
            self._pool.submit(self._run, job)

    def _run(self, job: Job) -> None:  # on a worker thread
        with self._lock:
            self._jobs.discard(job)
        if job.cancelled:
            return
        try:
            job.fn()
        except Exception:
            log.exception("scheduled job %r failed", job.fn)

    def close(self, wait: bool = True) -> None:
        """Cancel pending jobs; with ``wait``, let running ones finish."""
        with self._lock:
            self._closed = True
            jobs, self._jobs = list(self._jobs), set()
        for job in jobs:
            job.cancel()
        self._pool.shutdown(wait=wait, cancel_futures=True)

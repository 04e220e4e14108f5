"""The Scheduler port's contract, run against the live asyncio scheduler and the simulator's kernel."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from blendcc.adapters.clock import SystemClock
from blendcc.adapters.scheduler import AsyncioScheduler
from blendcc.app.periodic import Periodic
from blendcc.domain.events import Event
from blendcc.ports import Scheduler
from blendcc.sim.kernel import Kernel, SimClock

T0 = 1_700_000_000.0
#: time unit of a test: virtual seconds for the kernel; for asyncio small enough to keep tests quick
#: and large enough that thread hand-offs cannot reorder jobs due at different times
UNIT = 0.05


class Driver:
    """A scheduler under test, with its clock and a way to let scheduled work happen."""

    scheduler: Scheduler
    unit: float

    def now(self) -> float:
        raise NotImplementedError

    def settle(self, done: Callable[[], bool]) -> None:
        """Let scheduled jobs run until ``done()`` (and a little longer, to catch jobs that should not run)."""
        raise NotImplementedError


class _NoTimers:
    def next_due(self) -> float | None:
        return None

    def tick(self, now: float) -> list[Event]:
        return []


class KernelDriver(Driver):
    def __init__(self) -> None:
        self.clock = SimClock(T0)
        self.kernel = Kernel(_NoTimers(), lambda _e: None, self.clock)
        self.scheduler = self.kernel
        self.unit = 1.0

    def now(self) -> float:
        return self.clock.t

    def settle(self, done: Callable[[], bool]) -> None:
        self.kernel.run(self.clock.t + 1000 * self.unit)


class AsyncioDriver(Driver):
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)
        self.thread.start()
        self.clock = SystemClock()
        self.scheduler = self.sched = AsyncioScheduler(self.loop, self.clock)
        self.unit = UNIT

    def now(self) -> float:
        return self.clock.now()

    def settle(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not done() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(4 * self.unit)  # anything that should not run would have run by now

    def close(self) -> None:
        self.sched.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(params=["asyncio", "kernel"])
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    if request.param == "kernel":
        yield KernelDriver()
        return
    d = AsyncioDriver()
    try:
        yield d
    finally:
        d.close()


def _recorder() -> tuple[list[Any], Callable[[Any], Callable[[], None]]]:
    ran: list[Any] = []
    lock = threading.Lock()

    def job(name: Any) -> Callable[[], None]:
        def fn() -> None:
            with lock:
                ran.append(name)
        return fn

    return ran, job


def test_jobs_run_in_due_time_order(driver: Driver) -> None:
    ran, job = _recorder()
    u, t = driver.unit, driver.now()
    driver.scheduler.call_at(t + 6 * u, job("c"))
    driver.scheduler.call_at(t + 2 * u, job("a"))
    driver.scheduler.call_later(4 * u, job("b"))
    driver.settle(lambda: len(ran) == 3)
    assert ran == ["a", "b", "c"]


def test_a_cancelled_job_never_runs_and_cancelling_again_or_late_does_nothing(driver: Driver) -> None:
    ran, job = _recorder()
    u, t = driver.unit, driver.now()
    keep = driver.scheduler.call_at(t + 2 * u, job("keep"))
    drop = driver.scheduler.call_at(t + 2 * u, job("drop"))
    later = driver.scheduler.call_later(3 * u, job("later"))
    driver.scheduler.cancel(drop)
    driver.scheduler.cancel(drop)
    driver.scheduler.cancel(later)
    driver.settle(lambda: len(ran) >= 1)
    assert ran == ["keep"]
    driver.scheduler.cancel(keep)  # after it ran
    assert ran == ["keep"]


def test_a_time_in_the_past_runs_at_once(driver: Driver) -> None:
    ran, job = _recorder()
    driver.scheduler.call_at(driver.now() - 100 * driver.unit, job("late"))
    driver.scheduler.call_later(-5, job("negative"))
    driver.settle(lambda: len(ran) == 2)
    assert sorted(ran) == ["late", "negative"]


def test_a_job_may_schedule_the_next_one(driver: Driver) -> None:
    ran, job = _recorder()
    u = driver.unit

    def chain(n: int) -> Callable[[], None]:
        def fn() -> None:
            job(n)()
            if n < 3:
                driver.scheduler.call_later(u, chain(n + 1))
        return fn

    driver.scheduler.call_later(u, chain(1))
    driver.settle(lambda: len(ran) == 3)
    assert ran == [1, 2, 3]


def test_a_periodic_job_repeats_until_stopped(driver: Driver) -> None:
    runs: list[float] = []
    job = Periodic(driver.scheduler, driver.unit, lambda: runs.append(driver.now()), "test").start()
    if isinstance(driver, KernelDriver):
        driver.kernel.run(driver.now() + 3.5 * driver.unit)
        assert len(runs) == 3
    else:
        driver.settle(lambda: len(runs) >= 3)
    job.stop()
    seen = len(runs)
    driver.settle(lambda: True)
    assert len(runs) == seen and seen >= 3 and not job.active
    assert runs == sorted(runs)


def test_a_failing_periodic_run_is_logged_and_the_job_goes_on(driver: Driver) -> None:
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")

    job = Periodic(driver.scheduler, driver.unit, flaky, "flaky").start()
    if isinstance(driver, KernelDriver):
        driver.kernel.run(driver.now() + 2.5 * driver.unit)
    else:
        driver.settle(lambda: len(calls) >= 2)
    job.stop()
    assert len(calls) >= 2


# ---------------------------------------------------------------------- live only: other threads


def test_asyncio_accepts_calls_and_cancels_from_other_threads() -> None:
    d = AsyncioDriver()
    try:
        ran, job = _recorder()
        handles: dict[str, object] = {}

        def worker(name: str, delay: float) -> None:
            handles[name] = d.scheduler.call_later(delay, job(name))

        threads = [threading.Thread(target=worker, args=(n, k * UNIT)) for n, k in (("x", 2), ("y", 4), ("z", 6))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        canceller = threading.Thread(target=d.scheduler.cancel, args=(handles["y"],))
        canceller.start()
        canceller.join()
        d.settle(lambda: len(ran) == 2)
        assert ran == ["x", "z"]
        assert d.sched.pending() == 0
    finally:
        d.close()


def test_asyncio_runs_jobs_off_the_event_loop_and_close_drops_pending_ones() -> None:
    d = AsyncioDriver()
    try:
        where: list[threading.Thread] = []
        d.scheduler.call_later(UNIT, lambda: where.append(threading.current_thread()))
        never = d.scheduler.call_later(100, lambda: where.append(threading.current_thread()))
        d.settle(lambda: len(where) == 1)
        assert where and where[0] is not d.thread  # a blocking job would otherwise stall the server
        d.sched.close()
        assert getattr(never, "cancelled", False)
        late = d.scheduler.call_later(0, lambda: where.append(threading.current_thread()))
        d.settle(lambda: True)
        assert len(where) == 1 and getattr(late, "cancelled", False)
    finally:
        d.close()

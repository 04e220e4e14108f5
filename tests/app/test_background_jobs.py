"""Background jobs: owner only, expiry, caps, failures without internals, cancel before start."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

import pytest

from blendcc.adapters.manual_clock import FakeClock
from blendcc.app.planning.background_jobs import BackgroundJobs, JobsFull
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed


class Later(Executor):
    """Holds submitted work until ``run_all`` (a queue of one worker, run by the test)."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.waiting.append(lambda: fn(*args, **kwargs))
        return Future()

    def run_all(self) -> None:
        while self.waiting:
            self.waiting.pop(0)()


def counting(steps: int) -> Callable[[Callable[[str, int, int], None]], dict[str, Any]]:
    def work(progress: Callable[[str, int, int], None]) -> dict[str, Any]:
        for k in range(1, steps + 1):
            progress("q/voice", k, steps)
        return {"steps": steps}
    return work


def test_a_job_runs_reports_progress_and_expires() -> None:
    clock, pool = FakeClock(1000.0), Later()
    jobs = BackgroundJobs(clock, pool, ttl_s=60)
    job = jobs.submit("sup", "the forecast", counting(3))
    assert jobs.get(job.id, "sup").view()["state"] == "queued"
    with pytest.raises(NotFound):
        jobs.get(job.id, "other")
    pool.run_all()
    view = jobs.get(job.id, "sup").view()
    assert view["state"] == "done" and view["result"] == {"steps": 3}
    assert view["progress"] == {"done": 3, "total": 3, "series": [{"name": "q/voice", "done": 3, "total": 3}]}
    with pytest.raises(InvalidState):
        jobs.cancel(job.id, "sup")
    clock.advance(61)
    with pytest.raises(NotFound):
        jobs.get(job.id, "sup")
    assert jobs.list("sup") == []


def test_failures_carry_a_message_not_internals() -> None:
    pool = Later()
    jobs = BackgroundJobs(FakeClock(0.0), pool)

    def refused(progress: Any) -> dict[str, Any]:
        raise ValidationFailed("a forecast needs at least 7 days of history")

    def broken(progress: Any) -> dict[str, Any]:
        raise KeyError("internal detail")

    a, b = jobs.submit("u", "the forecast", refused), jobs.submit("u", "the forecast", broken)
    pool.run_all()
    assert a.view()["error"] == {"error": "invalid", "detail": "a forecast needs at least 7 days of history"}
    assert b.view()["state"] == "failed" and "internal detail" not in str(b.view())


def test_caps_per_owner_and_in_all_and_cancel_before_start() -> None:
    pool = Later()
    jobs = BackgroundJobs(FakeClock(0.0), pool, cap=3, per_owner=2)
    first = jobs.submit("a", "x", counting(1))
    jobs.submit("a", "x", counting(1))
    with pytest.raises(JobsFull):
        jobs.submit("a", "x", counting(1))
    jobs.submit("b", "x", counting(1))
    with pytest.raises(JobsFull):
        jobs.submit("c", "x", counting(1))
    jobs.cancel(first.id, "a")
    pool.run_all()
    assert first.view()["state"] == "cancelled" and first.started_at is None
    fourth = jobs.submit("c", "x", counting(1))  # the oldest ended job is forgotten to make room
    assert len(jobs.list("a")) + len(jobs.list("b")) + len(jobs.list("c")) == 3
    with pytest.raises(NotFound):
        jobs.get(first.id, "a")
    assert jobs.get(fourth.id, "c").state == "queued"

"""Background computations (forecasts) with progress and cancellation at step boundaries, kept in memory."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from blendcc.domain.errors import DomainError, InvalidState, NotFound
from blendcc.ports import Clock

log = logging.getLogger(__name__)

#: ``progress(series name, steps done, steps in all)``: the callback the CLI's progress bar takes
Progress = Callable[[str, int, int], None]
#: a job's work: called in a worker with the progress callback; returns the JSON result
Work = Callable[[Progress], dict[str, Any]]

ACTIVE = ("queued", "running")


class Cancelled(Exception):
    """Raised in the worker at the next step boundary after a cancel."""


class JobsFull(DomainError):
    """Too many jobs queued or running (HTTP 503)."""

    code = "unavailable"


@dataclass
class Job:
    id: str
    owner: str
    what: str
    created_at: float
    state: str = "queued"  # queued, running, done, failed, cancelled
    started_at: float | None = None
    finished_at: float | None = None
    series: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (done, total)
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def view(self, with_result: bool = True) -> dict[str, Any]:
        """The job as JSON: state, progress (summed over series as each series' backtest reports it)."""
        series = [{"name": k, "done": d, "total": t} for k, (d, t) in list(self.series.items())]
        return {"id": self.id, "what": self.what, "state": self.state, "created_at": self.created_at,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "cancel_requested": self.cancel.is_set() and self.state in ACTIVE,
                "progress": {"done": sum(s["done"] for s in series), "total": sum(s["total"] for s in series),
                             "series": series},
                "result": self.result if with_result else None, "error": self.error}


class BackgroundJobs:
    """Runs jobs on ``executor`` (bounded workers; more jobs wait queued). Jobs live in memory: at most
    ``cap`` are kept, finished ones are forgotten ``ttl_s`` seconds after they end (and on restart).
    Cancelling sets a flag the job's progress callback checks between steps (fits)."""

    def __init__(self, clock: Clock, executor: Executor, *, cap: int = 100, ttl_s: float = 3600.0,
                 per_owner: int = 10):
        self.clock = clock
        self.executor = executor
        self.cap, self.ttl_s, self.per_owner = cap, ttl_s, per_owner
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        #: test hook, called with the job at every step boundary before the cancel check
        self.between_steps: Callable[[Job], None] | None = None

    def submit(self, owner: str, what: str, work: Work) -> Job:
        with self._lock:
            self._expire()
            active = [j for j in self._jobs.values() if j.state in ACTIVE]
            if sum(j.owner == owner for j in active) >= self.per_owner:
                raise JobsFull(f"you have {self.per_owner} jobs queued or running; wait or cancel one")
            if len(active) >= self.cap:
                raise JobsFull("the server has too many jobs queued or running; try again shortly")
            while len(self._jobs) >= self.cap:  # forget the oldest finished job
                oldest = min((j for j in self._jobs.values() if j.state not in ACTIVE), key=lambda j: j.created_at)
                del self._jobs[oldest.id]
            job = Job(uuid.uuid4().hex[:16], owner, what, self.clock.now())
            self._jobs[job.id] = job
        self.executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str, owner: str) -> Job:
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"no job {job_id} (jobs are kept {self.ttl_s:g} s after they end, not across restarts)")
        return job

    def list(self, owner: str) -> list[Job]:
        with self._lock:
            self._expire()
            return sorted((j for j in self._jobs.values() if j.owner == owner), key=lambda j: -j.created_at)

    def cancel(self, job_id: str, owner: str) -> Job:
        """Ask a queued or running job to stop: a queued job never starts, a running one stops at its next
        step boundary and ends ``cancelled``."""
        job = self.get(job_id, owner)
        if job.state in ("done", "failed"):
            raise InvalidState(f"job {job_id} has already ended ({job.state})")
        job.cancel.set()
        return job

    def cancel_all(self) -> None:
        """Ask every job to stop (the server is shutting down)."""
        with self._lock:
            for job in self._jobs.values():
                job.cancel.set()

    def _expire(self) -> None:
        now = self.clock.now()
        for job in [j for j in self._jobs.values() if j.finished_at is not None and now - j.finished_at > self.ttl_s]:
            del self._jobs[job.id]

    def _step(self, job: Job, name: str, done: int, total: int) -> None:
        job.series[name] = (done, total)
        if self.between_steps is not None:
            self.between_steps(job)
        if job.cancel.is_set():
            raise Cancelled

    def _run(self, job: Job, work: Work) -> None:
        if job.cancel.is_set():
            return self._end(job, "cancelled")
        job.state, job.started_at = "running", self.clock.now()
        try:
            result = work(lambda name, done, total: self._step(job, name, done, total))
        except Cancelled:
            return self._end(job, "cancelled")
        except DomainError as exc:
            job.error = {"error": exc.code, "detail": exc.message}
        except (ValueError, ArithmeticError) as exc:  # the numeric core's own checks (as run_bounded)
            job.error = {"error": "invalid", "detail": str(exc)}
        except Exception as exc:
            log.exception("background job %s (%s) failed", job.id, job.what)
            job.error = {"error": "internal", "detail": f"{job.what} failed ({type(exc).__name__}); it has been logged"}
        if job.error is not None:
            return self._end(job, "failed")
        if job.cancel.is_set():
            return self._end(job, "cancelled")
        job.result = result
        return self._end(job, "done")

    def _end(self, job: Job, state: str) -> None:
        job.finished_at = self.clock.now()
        job.state = state

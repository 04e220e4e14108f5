"""StepScheduler: a `Scheduler` for tests whose jobs run only when the test says so."""

from __future__ import annotations

from collections.abc import Callable


class StepScheduler:
    """Keeps (delay, fn) jobs in the order they were asked for; ``run`` runs the first, ``run_due`` every job
    asked with one delay."""

    def __init__(self) -> None:
        self.jobs: list[tuple[float, Callable[[], object]]] = []

    def call_later(self, delay: float, fn: Callable[[], object]) -> object:
        job = (delay, fn)
        self.jobs.append(job)
        return job

    def call_at(self, when: float, fn: Callable[[], object]) -> object:
        return self.call_later(0.0, fn)

    def cancel(self, handle: object) -> None:
        if handle in self.jobs:
            self.jobs.remove(handle)

    def run(self) -> float:
        """Run the first job; its delay."""
        delay, fn = self.jobs.pop(0)
        fn()
        return delay

    def run_due(self, delay: float) -> int:
        """Run every job asked with ``delay``; how many ran."""
        due = [j for j in self.jobs if j[0] == delay]
        for job in due:
            self.jobs.remove(job)
            job[1]()
        return len(due)

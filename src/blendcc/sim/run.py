"""Run a scenario's replications (in parallel on all cores) and aggregate them into a ``SimReport``.

    report = simulate(load_scenario("centre.yaml"), replications=10, seed=1)
    report.total("*")["service_level"]      # Estimate(mean, low, high, n)

Replication ``i`` of seed ``s`` draws every random number from generators seeded with ``"s:i:<purpose>"``
(arrivals, handle times and patience per stream, agent behaviour), so a report depends only on the
scenario, the seed and the number of replications -- not on the number of workers or their order.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

from blendcc.sim.centre import ReplicationResult, SimCentre, check_scenario
from blendcc.sim.report import SimReport
from blendcc.sim.scenario import Scenario

Progress = Callable[[float, int], None]  # (replications done, fractional while some run; total)


def run_replication(scenario: Scenario, seed: int | str, replication: int,
                    updates: Any = None) -> ReplicationResult:
    """One replication; ``updates`` (a queue) receives (replication, fraction done) along the way."""
    report = None if updates is None else (lambda f: updates.put((replication, f)))
    return SimCentre(scenario, seed=seed, replication=replication).run(progress=report)


def simulate(scenario: Scenario, replications: int = 10, seed: int | str = 1, *, workers: int | None = None,
             progress: Progress | None = None) -> SimReport:
    """Run ``replications`` independent replications; ``workers`` processes (default: one per core)."""
    if replications < 1:
        raise ValueError("replications must be >= 1")
    check_scenario(scenario)
    n_workers = min(workers or os.cpu_count() or 1, replications)
    results: dict[int, ReplicationResult] = {}
    if n_workers <= 1:
        for i in range(replications):
            inner = None if progress is None else (lambda f, i=i: progress(i + f, replications))
            results[i] = SimCentre(scenario, seed=seed, replication=i).run(progress=inner)
            if progress is not None:
                progress(i + 1, replications)
    else:
        # fork is cheap but unsafe in a threaded process (the API server): spawn there
        context = get_context("fork" if threading.active_count() == 1 else "spawn")
        with contextlib.ExitStack() as stack:
            updates = None
            if progress is not None:
                updates = stack.enter_context(context.Manager()).Queue()
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=n_workers, mp_context=context))
            futures = {pool.submit(run_replication, scenario, seed, i, updates): i for i in range(replications)}
            share: dict[int, float] = {}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    results[futures[fut]] = fut.result()
                if progress is not None and updates is not None:
                    while not updates.empty():
                        rep, fraction = updates.get()
                        share[rep] = max(share.get(rep, 0.0), fraction)
                    for rep in results:
                        share[rep] = 1.0
                    progress(sum(share.values()), replications)
    ordered = [results[i] for i in range(replications)]
    return SimReport(scenario.name, seed, scenario.report_interval_s, scenario.t0, ordered)

"""Run a scenario's replications (in parallel on all cores) and aggregate them into a ``SimReport``.

    report = simulate(load_scenario("centre.yaml"), replications=10, seed=1)
    report.total("*")["service_level"]      # Estimate(mean, low, high, n)

Replication ``i`` of seed ``s`` draws every random number from generators seeded with ``"s:i:<purpose>"``
(arrivals, handle times and patience per stream, agent behaviour), so a report depends only on the
scenario, the seed and the number of replications -- not on the number of workers or their order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from blendcc.sim.centre import ReplicationResult, SimCentre, check_scenario
from blendcc.sim.report import SimReport
from blendcc.sim.scenario import Scenario

Progress = Callable[[int, int], None]  # (replications done, total)


def run_replication(scenario: Scenario, seed: int | str, replication: int) -> ReplicationResult:
    return SimCentre(scenario, seed=seed, replication=replication).run()


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
            results[i] = run_replication(scenario, seed, i)
            if progress is not None:
                progress(i + 1, replications)
    else:
        # fork is cheap but unsafe in a threaded process (the API server): spawn there
        method = "fork" if threading.active_count() == 1 else "spawn"
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=get_context(method)) as pool:
            futures = {pool.submit(run_replication, scenario, seed, i): i for i in range(replications)}
            for done, fut in enumerate(as_completed(futures), start=1):
                results[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done, replications)
    ordered = [results[i] for i in range(replications)]
    return SimReport(scenario.name, seed, scenario.report_interval_s, scenario.t0, ordered)

"""Simulator benchmark: the Erlang-A queue (M/M/N+M) in blendcc's simulator, SimPy and Ciw, in the same run.

Model: N agents (100), Poisson arrivals (0.5/s), exponential handle time (AHT 180 s) and patience (mean
300 s), first come first served, no wrap-up, no ring delay; 200,000 arrivals from an empty centre.

- blendcc: a scenario document run by ``SimCentre`` -- the real routing ``Engine`` (workflow, queue,
  matcher, offers, timers, every event) on the kernel's virtual clock, KPIs folded from the events by
  the live projections (``queue_stats`` and agent time).
- SimPy: the idiomatic reneging model (``Resource``; each customer waits for ``request | timeout``).
- Ciw: ``create_network`` with ``reneging_time_distributions``, ``simulate_until_max_customers``.

Each prints arrivals/s, P(wait), P(abandon) and ASA beside the exact Erlang-A values
(``blendcc.wfm.erlang.erlang_a``). Arrivals/s is per CPU second of the run itself (``process_time``:
all three are single-threaded, and on a shared machine other jobs would otherwise skew the ratio);
wall seconds are printed beside. The ratio is blendcc's arrivals/s over the peer's.

Then blendcc's accuracy over replications (``blendcc.sim.run.simulate``, the planner's path): R
independent replications of the same model, run once on one process and once on all cores; the 95 %
confidence intervals of P(wait) and P(abandon) are printed beside the exact Erlang-A values, with the
wall-clock speed-up of the parallel run (per core).

    python bench/sim.py [--arrivals 200000] [--ciw-arrivals N] [--seed 1] [--quick]
                        [--replications 10] [--rep-arrivals 20000]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import time
from dataclasses import dataclass
from typing import Any

import ciw
import simpy
from rich.console import Console
from rich.table import Table

from blendcc import native
from blendcc.sim.centre import SimCentre
from blendcc.sim.collect import ALL_QUEUES
from blendcc.sim.report import Estimate
from blendcc.sim.run import simulate
from blendcc.sim.scenario import parse_scenario
from blendcc.wfm.erlang import erlang_a

AGENTS, RATE, AHT, PATIENCE, SL_T = 100, 0.5, 180.0, 300.0, 20.0


@dataclass
class Outcome:
    name: str
    arrivals: int
    seconds: float  # CPU seconds
    wall_s: float
    p_wait: float
    p_abandon: float
    asa_s: float
    note: str = ""

    @property
    def per_s(self) -> float:
        return self.arrivals / self.seconds


def erlang_doc(n: int) -> dict[str, Any]:
    return {
        "name": "erlang-a-bench",
        "duration_s": 10 * n / RATE,  # the arrival count stops the stream, not the window
        "report_interval_s": 86400,
        "centre": {"queues": [{"id": "q", "wrap_up_s": 0, "short_abandon_s": 0, "sl_threshold_s": SL_T}],
                   "workflows": [{"id": "w", "default": [{"queue": "q"}]}]},
        "agents": [{"name": "a", "count": AGENTS, "queues": ["q"]}],
        "arrivals": [{"name": "c", "process": {"kind": "poisson", "rate_per_s": RATE, "max_arrivals": n},
                      "handle": {"dist": "exponential", "mean_s": AHT},
                      "patience": {"dist": "exponential", "mean_s": PATIENCE}}],
    }


def run_blendcc(n: int, seed: int) -> Outcome:
    scenario = parse_scenario(erlang_doc(n))
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    result = SimCentre(scenario, seed=seed).run()
    seconds, wall = time.process_time() - start, time.perf_counter() - wall
    total = result.rows[(None, ALL_QUEUES)]
    assert result.arrivals == n and result.open_at_end == 0, (result.arrivals, result.open_at_end)
    return Outcome("blendcc (real engine)", n, seconds, wall, total["p_wait"], total["abandon_rate"], total["asa_s"],
                   f"{result.events / n:.1f} events per arrival")


def run_simpy(n: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    counts = {"waited": 0, "abandoned": 0, "served": 0, "wait_served": 0.0}

    def customer(env: simpy.Environment) -> Any:
        arrived = env.now
        with agents.request() as req:
            got = yield req | env.timeout(rng.expovariate(1.0 / PATIENCE))
            if req in got:
                wait = env.now - arrived
                counts["served"] += 1
                counts["wait_served"] += wait
                if wait > 0:
                    counts["waited"] += 1
                yield env.timeout(rng.expovariate(1.0 / AHT))
            else:
                counts["abandoned"] += 1
                counts["waited"] += 1

    def source(env: simpy.Environment) -> Any:
        for _ in range(n):
            yield env.timeout(rng.expovariate(RATE))
            env.process(customer(env))

    env.process(source(env))
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    env.run()
    seconds, wall = time.process_time() - start, time.perf_counter() - wall
    return Outcome("SimPy", n, seconds, wall, counts["waited"] / n, counts["abandoned"] / n,
                   counts["wait_served"] / counts["served"])


def run_ciw(n: int, seed: int) -> Outcome:
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(RATE)],
        service_distributions=[ciw.dists.Exponential(1.0 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(1.0 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    sim.simulate_until_max_customers(n, method="Arrive")
    seconds, wall = time.process_time() - start, time.perf_counter() - wall
    records = sim.get_all_records()
    done = len(records)
    served = [r for r in records if r.record_type == "service"]
    abandoned = done - len(served)
    waited = sum(1 for r in records if r.waiting_time > 0)
    note = f"metrics over the {done:,} customers finished when the {n:,}th arrived"
    return Outcome("Ciw", n, seconds, wall, waited / done, abandoned / done,
                   sum(r.waiting_time for r in served) / len(served), note)


@dataclass
class Replicated:
    replications: int
    arrivals: int
    workers: int
    serial_wall_s: float
    parallel_wall_s: float
    p_wait: Estimate
    p_abandon: Estimate

    @property
    def speedup(self) -> float:
        return self.serial_wall_s / self.parallel_wall_s


def run_replications(replications: int, n: int, seed: int) -> Replicated:
    """``simulate`` on one process, then on every core: the same replications, the same report."""
    scenario = parse_scenario(erlang_doc(n))
    workers = min(os.cpu_count() or 1, replications)
    t = time.perf_counter()
    serial = simulate(scenario, replications, seed, workers=1)
    serial_s = time.perf_counter() - t
    t = time.perf_counter()
    parallel = simulate(scenario, replications, seed, workers=workers)
    parallel_s = time.perf_counter() - t
    total = parallel.total(ALL_QUEUES)
    assert serial.total(ALL_QUEUES) == total, "parallel replications must give the serial report"
    return Replicated(replications, n, workers, serial_s, parallel_s, total["p_wait"], total["abandon_rate"])


def ci(e: Estimate) -> list[float | None]:
    return [None if e.low is None else round(e.low, 6), None if e.high is None else round(e.high, 6)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arrivals", type=int, default=200_000)
    parser.add_argument("--ciw-arrivals", type=int, default=None, help="default: --arrivals")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="20,000 arrivals (a smoke run)")
    parser.add_argument("--replications", type=int, default=10, help="replications for the CIs (0: none)")
    parser.add_argument("--rep-arrivals", type=int, default=20_000, help="arrivals per replication")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.arrivals
    if args.quick:
        args.replications, args.rep_arrivals = min(args.replications, 4), min(args.rep_arrivals, 5_000)
    n_ciw = args.ciw_arrivals or n
    console = Console(width=160)
    exact = erlang_a(AGENTS, RATE, AHT, PATIENCE, SL_T)
    console.print(f"Erlang A: {AGENTS} agents, {RATE}/s, AHT {AHT:.0f} s, patience {PATIENCE:.0f} s; "
                  f"{n:,} arrivals (Ciw {n_ciw:,})")
    runs = [run_blendcc(n, args.seed), run_simpy(n, args.seed), run_ciw(n_ciw, args.seed)]
    blend, simpy_run, ciw_run = runs
    table = Table(title="M/M/N+M: arrivals per second and accuracy (exact = Erlang A)")
    columns = ("engine", "arrivals", "CPU s", "wall s", "arrivals/s", "blendcc ratio", "P(wait)", "P(abandon)",
               "ASA s", "note")
    for col in columns:
        table.add_column(col, justify="left" if col in ("engine", "note") else "right")
    for r in runs:
        ratio = "1.00" if r is blend else f"{blend.per_s / r.per_s:.2f}"
        table.add_row(r.name, f"{r.arrivals:,}", f"{r.seconds:.2f}", f"{r.wall_s:.2f}", f"{r.per_s:,.0f}", ratio,
                      f"{r.p_wait:.4f}", f"{r.p_abandon:.5f}", f"{r.asa_s:.3f}", r.note)
    table.add_row("exact (Erlang A)", "", "", "", "", "", f"{exact.p_wait:.4f}", f"{exact.p_abandon:.5f}",
                  f"{exact.asa_s:.3f}", "blendcc.wfm.erlang.erlang_a")
    console.print(table)
    console.print(f"blendcc / SimPy = {blend.per_s / simpy_run.per_s:.2f}x, blendcc / Ciw = "
                  f"{blend.per_s / ciw_run.per_s:.2f}x (arrivals per CPU second; target >= 1.0 vs SimPy)")
    reps = run_replications(args.replications, args.rep_arrivals, args.seed) if args.replications > 0 else None
    if reps is not None:
        rt = Table(title=f"blendcc over {reps.replications} replications of {reps.arrivals:,} arrivals "
                         "(95 % confidence intervals, Student t)")
        for col in ("KPI", "mean", "95 % CI", "exact (Erlang A)", "exact inside"):
            rt.add_column(col, justify="left" if col == "KPI" else "right")
        for name, est, want in (("P(wait)", reps.p_wait, exact.p_wait),
                                ("P(abandon)", reps.p_abandon, exact.p_abandon)):
            rt.add_row(name, f"{est.mean:.5f}", f"[{est.low or 0:.5f}, {est.high or 0:.5f}]", f"{want:.5f}",
                       "yes" if est.contains(want) else "NO")
        console.print(rt)
        console.print(f"replications: {reps.serial_wall_s:.2f} s wall on 1 process, {reps.parallel_wall_s:.2f} s on "
                      f"{reps.workers} = {reps.speedup:.2f}x ({reps.speedup / reps.workers:.2f} per core; "
                      "wall clock, other jobs on the machine lower it)")
    print(json.dumps({
        "compiled": native.status()["compiled"],  # the mypyc core (ADR 0061); BLENDCC_PURE=1 for pure Python
        "blendcc_arrivals_per_s": round(blend.per_s, 1),
        "simpy_arrivals_per_s": round(simpy_run.per_s, 1),
        "ciw_arrivals_per_s": round(ciw_run.per_s, 1),
        "ratio_vs_simpy": round(blend.per_s / simpy_run.per_s, 3),
        "ratio_vs_ciw": round(blend.per_s / ciw_run.per_s, 3),
        "arrivals": n,
        "ciw_arrivals": n_ciw,
        "p_wait": round(blend.p_wait, 5),
        "p_wait_exact": round(exact.p_wait, 5),
        "p_abandon": round(blend.p_abandon, 6),
        "p_abandon_exact": round(exact.p_abandon, 6),
        "asa_s": round(blend.asa_s, 4),
        "asa_exact_s": round(exact.asa_s, 4),
        "simpy": {"p_wait": round(simpy_run.p_wait, 5), "p_abandon": round(simpy_run.p_abandon, 6),
                  "asa_s": round(simpy_run.asa_s, 4)},
        "ciw": {"p_wait": round(ciw_run.p_wait, 5), "p_abandon": round(ciw_run.p_abandon, 6),
                "asa_s": round(ciw_run.asa_s, 4)},
        "replications": None if reps is None else {
            "n": reps.replications, "arrivals": reps.arrivals, "workers": reps.workers,
            "p_wait": round(reps.p_wait.mean, 6), "p_wait_ci95": ci(reps.p_wait),
            "p_wait_exact_inside": reps.p_wait.contains(exact.p_wait),
            "p_abandon": round(reps.p_abandon.mean, 6), "p_abandon_ci95": ci(reps.p_abandon),
            "p_abandon_exact_inside": reps.p_abandon.contains(exact.p_abandon),
            "serial_wall_s": round(reps.serial_wall_s, 3), "parallel_wall_s": round(reps.parallel_wall_s, 3),
            "speedup_per_core": round(reps.speedup / reps.workers, 3)},
    }))


if __name__ == "__main__":
    main()

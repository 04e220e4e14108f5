"""Dialer benchmark: every pacing mode side by side in the simulator, driving the real engine and dialing loop.

Centre: 50 agents in one outbound pool, AHT 180 s (talk gamma-distributed with mean 150 s, then a
timed 30 s wrap-up), an 8-hour shift starting 09:00 callee local time. Called numbers: a person
answers with probability 25 %, 30 % or 35 % after a gamma ring time (mean 9 s), machines 10 % (AMD
hangs up), busy 8 %, network failures 2 %, the rest ring out after the 25 s ring timeout. Modes:
preview (simulated agent think time 5-25 s per record before dialling), progressive, power 2:1 and
3:1, predictive (abandon target 2 %, hard governor at 3 % over the US 30-day window). Five seeds
each, run on both cores. Figures: talk minutes per agent hour (talk time / logged-in hours) and
abandonment (abandoned / live answers) per mode and seed; the peer figure for predictive is
progressive in the same run (the ratio of talk per agent hour).

    python bench/dialer.py [--seeds 5] [--hours 8] [--agents 50] [--rates 0.25,0.30,0.35] [--quick]

The last line printed is one JSON object with predictive_talk_min_per_hour, predictive_abandon_max,
predictive_abandon_mean and progressive_talk_min_per_hour (all at 30 % live answers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from rich.console import Console
from rich.table import Table

from blendcc.sim.dialer_sim import Result, run_campaign, summary

#: (label, mode, lines per agent)
MODES: list[tuple[str, str, float]] = [
    ("preview", "preview", 1.0),
    ("progressive", "progressive", 1.0),
    ("power 2:1", "power", 2.0),
    ("power 3:1", "power", 3.0),
    ("predictive", "predictive", 2.0),
]


def _one(job: tuple[str, str, float, float, int, float, int]) -> tuple[str, Result]:
    label, mode, lines, p, seed, hours, agents = job
    return label, run_campaign(mode=mode, p_live=p, seed=seed, hours=hours, agents=agents, lines_per_agent=lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--rates", default="0.25,0.30,0.35")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--quick", action="store_true", help="2 seeds, 2 hours (a smoke run, not the figures)")
    args = ap.parse_args(argv)
    if args.quick:
        args.seeds, args.hours = 2, 2.0
    rates = [float(x) for x in args.rates.split(",")]
    if 0.30 not in rates:
        rates.append(0.30)
    jobs = [(label, mode, lines, p, seed, args.hours, args.agents)
            for p in rates for label, mode, lines in MODES for seed in range(1, args.seeds + 1)]
    # the longest runs first, so the two workers finish together
    jobs.sort(key=lambda j: (j[1] != "predictive", j[1] != "power"))
    started = time.perf_counter()
    results: dict[tuple[str, float], list[Result]] = {}
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for label, result in pool.map(_one, jobs):
            results.setdefault((label, result.p_live), []).append(result)
    elapsed = time.perf_counter() - started
    console = Console(width=150)
    for p in rates:
        table = Table(title=f"live answers {p:.0%}: talk min per agent hour / abandonment, per seed")
        table.add_column("mode")
        for seed in range(1, args.seeds + 1):
            table.add_column(f"seed {seed}", justify="right")
        table.add_column("mean talk", justify="right")
        table.add_column("mean / max abandon", justify="right")
        table.add_column("calls placed", justify="right")
        for label, _mode, _lines in MODES:
            rs = sorted(results[(label, p)], key=lambda r: r.seed)
            s = summary(rs)
            table.add_row(label, *[f"{r.talk_min_per_agent_hour:.1f} / {r.abandon_rate:.2%}" for r in rs],
                          f"{s['talk_min_per_hour']:.1f}", f"{s['abandon_mean']:.2%} / {s['abandon_max']:.2%}",
                          f"{sum(r.placed for r in rs) / len(rs):.0f}")
        console.print(table)
    pred = summary(results[("predictive", 0.30)])
    prog = summary(results[("progressive", 0.30)])
    console.print(f"at 30 %: predictive {pred['talk_min_per_hour']:.1f} vs progressive (peer) "
                  f"{prog['talk_min_per_hour']:.1f} talk min per agent hour: ratio "
                  f"{pred['talk_min_per_hour'] / prog['talk_min_per_hour']:.2f}, +"
                  f"{pred['talk_min_per_hour'] - prog['talk_min_per_hour']:.1f} min/h; predictive abandonment "
                  f"mean {pred['abandon_mean']:.2%}, max {pred['abandon_max']:.2%} (cap 3 %)")
    console.print(f"{len(jobs)} shifts of {args.hours:g} h x {args.agents} agents in {elapsed:.0f} s "
                  f"on {args.workers} workers")
    figures: dict[str, Any] = {
        "predictive_talk_min_per_hour": round(pred["talk_min_per_hour"], 2),
        "predictive_abandon_max": round(pred["abandon_max"], 4),
        "predictive_abandon_mean": round(pred["abandon_mean"], 4),
        "progressive_talk_min_per_hour": round(prog["talk_min_per_hour"], 2),
        "predictive_vs_progressive_ratio": round(pred["talk_min_per_hour"] / prog["talk_min_per_hour"], 3),
        "seeds": args.seeds, "hours": args.hours, "agents": args.agents, "elapsed_s": round(elapsed, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

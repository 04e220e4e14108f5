"""Erlang C staffing benchmark: blendcc's required_agents beside pyworkforce's ErlangC, in the same run.

Cases: 10, 1,000, 20,000 and 200,000 calls per 30 minutes, AHT 180 s, target 80 % answered within 20 s
(1, 100, 2,000 and 20,000 Erlangs), plus, with ``--big``, 2,000,000 calls (200,000 Erlangs). Each answer is
checked against the exact answer computed with mpmath (Erlang C from the Poisson distribution with the
incomplete gamma function, 40 digits): every case where blendcc or pyworkforce differs from it, or from
each other, is listed. pyworkforce runs in a child process with a time limit per case (``--timeout``),
so a slow peer is reported as timed out instead of stalling the run.

    python bench/erlang.py [--timeout 120] [--min-time 0.3] [--big]

The last line printed is one JSON object: ratio_vs_pyworkforce (total pyworkforce time / total blendcc
time over the cases both finished), mismatches (list), per-case figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time

import mpmath as mp
from rich.console import Console
from rich.table import Table

from blendcc.wfm.erlang import required_agents

AHT_S, THRESHOLD_S, TARGET, INTERVAL_MIN = 180.0, 20.0, 0.8, 30
CASES = (10, 1_000, 20_000, 200_000)

PEER = textwrap.dedent("""
    import json, sys, time
    from pyworkforce.queuing import ErlangC
    calls, aht_s, threshold_s, target, interval_min, min_time = (float(a) for a in sys.argv[1:7])
    def once():
        e = ErlangC(transactions=calls, aht=aht_s / 60, asa=threshold_s / 60, interval=interval_min)
        return e.required_positions(service_level=target)["raw_positions"]
    t0 = time.perf_counter(); answer = once(); runs = 1
    while time.perf_counter() - t0 < min_time:
        once(); runs += 1
    print(json.dumps({"answer": int(answer), "s_per_call": (time.perf_counter() - t0) / runs}))
""")


def timed(fn: object, min_time: float) -> tuple[int, float]:
    """(answer, seconds per call): repeat until ``min_time`` has passed (at least one call)."""
    t0 = time.perf_counter()
    answer = fn()  # type: ignore[operator]
    runs = 1
    while time.perf_counter() - t0 < min_time:
        fn()  # type: ignore[operator]
        runs += 1
    return int(answer), (time.perf_counter() - t0) / runs


def exact_service_level(n: int, load: mp.mpf) -> mp.mpf:
    if n <= load:
        return mp.mpf(0)
    tail = mp.exp(n * mp.log(load) - mp.loggamma(n + 1)) * n / (n - load)  # a^n/n! * n/(n-a)
    below = mp.exp(load) * mp.gammainc(n, load, regularized=True)  # sum_{k<n} a^k/k!
    c = tail / (below + tail)
    return 1 - c * mp.exp(-(n - load) * THRESHOLD_S / AHT_S)


def exact_required(calls: int, guesses: list[int]) -> int:
    """Smallest N with exact SL >= target, searched from just below the candidates' answers."""
    mp.mp.dps = 40
    load = mp.mpf(calls) / (INTERVAL_MIN * 60) * AHT_S
    n = max(1, min(guesses) - 2)
    while exact_service_level(n, load) >= TARGET and n > 1:
        n -= 1
    while exact_service_level(n, load) < TARGET:
        n += 1
    return n


def run_peer(calls: int, timeout: float, min_time: float) -> dict[str, object]:
    args = [sys.executable, "-c", PEER, str(calls), str(AHT_S), str(THRESHOLD_S), str(TARGET), str(INTERVAL_MIN),
            str(min_time)]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed: {last}"}
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    out["status"] = "ok"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed to pyworkforce per case")
    parser.add_argument("--min-time", type=float, default=0.3, help="seconds of repeated calls per timing")
    parser.add_argument("--big", action="store_true", help="add 2,000,000 calls per 30 min (200,000 Erlangs)")
    args = parser.parse_args()
    console = Console(width=max(120, Console().width))
    cases = (*CASES, 2_000_000) if args.big else CASES

    rows, mismatches = [], []
    ours_total = peer_total = 0.0
    for calls in cases:
        rate = calls / (INTERVAL_MIN * 60)
        ours, ours_s = timed(lambda r=rate: required_agents(r, AHT_S, sl_target=TARGET, sl_threshold_s=THRESHOLD_S),
                             args.min_time)
        peer = run_peer(calls, args.timeout, args.min_time)
        peer_answer = peer.get("answer")
        exact = exact_required(calls, [ours] + ([int(peer_answer)] if isinstance(peer_answer, int) else []))
        peer_s = peer.get("s_per_call")
        if isinstance(peer_s, float):
            ours_total += ours_s
            peer_total += peer_s
        row = {"calls_per_30min": calls, "erlangs": rate * AHT_S, "blendcc": ours, "blendcc_s": ours_s,
               "pyworkforce": peer_answer, "pyworkforce_s": peer_s, "pyworkforce_status": peer["status"],
               "exact": exact}
        rows.append(row)
        if ours != exact or peer_answer != exact:
            mismatches.append({"calls_per_30min": calls, "blendcc": ours, "pyworkforce": peer_answer,
                               "pyworkforce_status": peer["status"], "exact": exact})

    table = Table(title=f"Required agents, AHT {AHT_S:.0f} s, {TARGET:.0%} in {THRESHOLD_S:.0f} s ({INTERVAL_MIN} min)")
    for col in ("calls", "Erlangs", "blendcc", "time", "pyworkforce", "time", "ratio", "exact (mpmath)"):
        table.add_column(col, justify="right")
    for r in rows:
        ps = r["pyworkforce_s"]
        ratio = f"{ps / r['blendcc_s']:,.1f}x" if isinstance(ps, float) else "-"
        peer_cell = str(r["pyworkforce"]) if r["pyworkforce"] is not None else str(r["pyworkforce_status"])
        table.add_row(f"{r['calls_per_30min']:,}", f"{r['erlangs']:,.0f}", str(r["blendcc"]),
                      f"{r['blendcc_s'] * 1e3:.3f} ms", peer_cell,
                      f"{ps * 1e3:.3f} ms" if isinstance(ps, float) else "-", ratio, str(r["exact"]))
    console.print(table)
    ratio = peer_total / ours_total if ours_total > 0 and peer_total > 0 else None
    console.print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall clock)")
    console.print(f"pyworkforce time / blendcc time (cases both finished): "
                  f"[bold]{ratio:,.1f}x[/bold]" if ratio else "no common case finished")
    console.print(f"mismatches with the exact answer: {mismatches or 'none'}")
    sys.stdout.flush()
    print(json.dumps({"ratio_vs_pyworkforce": None if ratio is None else round(ratio, 2), "mismatches": mismatches,
                      "cases": [{k: (round(v, 9) if isinstance(v, float) else v) for k, v in r.items()}
                                for r in rows]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

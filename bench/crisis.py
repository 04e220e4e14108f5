"""Crisis playbook evaluation benchmark: the cost of one evaluation tick (every playbook's triggers on the live
figures, what the service does on each wallboard frame) on a generated centre, with the pure evaluation only.

``--playbooks`` playbooks (default 50), each with 4 triggers (two KPI triggers on a queue, one on the centre,
a channel trigger), against figures of ``--queues`` queues (default 100) that change every tick (a random
walk, seeded), for ``--ticks`` ticks (default 2,000, one per virtual second).

    python bench/crisis.py [--playbooks 50] [--queues 100] [--ticks 2000]

The last line is one JSON object: ``playbooks``, ``queues``, ``ticks``, ``tick_p50_us``, ``tick_p99_us`` (the
evaluation of every playbook once), ``starts`` and ``ends`` (crises started and ended over the run).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from blendcc.crisis.evaluate import Figures, PlaybookState, evaluate
from blendcc.crisis.playbook import Playbook


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--playbooks", type=int, default=50)
    ap.add_argument("--queues", type=int, default=100)
    ap.add_argument("--ticks", type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(17)
    queues = [f"q{i}" for i in range(args.queues)]
    books = [Playbook.model_validate({"id": f"p{i}", "triggers": [
        {"kind": "kpi", "metric": "service_level", "queue": queues[i % len(queues)], "threshold": 0.6,
         "clear_at": 0.7, "for_s": 60, "clear_for_s": 120},
        {"kind": "kpi", "metric": "waiting", "queue": queues[(i * 7) % len(queues)], "threshold": 20,
         "clear_at": 10, "for_s": 30, "clear_for_s": 60},
        {"kind": "kpi", "metric": "abandon_rate", "threshold": 0.15, "for_s": 120, "clear_for_s": 300},
        {"kind": "channel", "channel": f"sip:trunk{i % 3}", "for_s": 30, "clear_for_s": 60}]})
        for i in range(args.playbooks)]
    states = {b.id: PlaybookState.initial(b) for b in books}
    sl = {q: 0.8 for q in queues}
    waiting = {q: 5.0 for q in queues}
    t0, starts, ends, costs = 1_705_309_200.0, 0, 0, []
    for tick in range(args.ticks):
        for q in queues:
            sl[q] = min(1.0, max(0.0, sl[q] + rng.uniform(-0.03, 0.03)))
            waiting[q] = max(0.0, waiting[q] + rng.uniform(-2, 2))
        figures = Figures({**{q: {"service_level": sl[q], "waiting": waiting[q]} for q in queues},
                           "*": {"abandon_rate": rng.uniform(0.05, 0.2)}},
                          frozenset({"sip:trunk1"}) if (tick // 200) % 2 else frozenset())
        now = t0 + tick
        began = time.perf_counter()
        for b in books:
            states[b.id], change = evaluate(b, states[b.id], figures, now)
            if change is not None:
                starts += change.kind == "start"
                ends += change.kind == "end"
        costs.append((time.perf_counter() - began) * 1e6)
    costs.sort()
    p50, p99 = statistics.median(costs), costs[int(len(costs) * 0.99) - 1]
    print(f"{args.playbooks} playbooks x 4 triggers, {args.queues} queues, {args.ticks} ticks: "
          f"one tick p50 {p50:.0f} us, p99 {p99:.0f} us; {starts} starts, {ends} ends")
    print(json.dumps({"playbooks": args.playbooks, "queues": args.queues, "ticks": args.ticks,
                      "tick_p50_us": round(p50, 1), "tick_p99_us": round(p99, 1), "starts": starts, "ends": ends}))


if __name__ == "__main__":
    main()

"""The simulator's today-counters (``analytics.today.TodayQueues``, what ``sim.playbooks`` evaluates on) equal the
live wallboard's (``LiveStats.queues_today``) at every moment of a simulated two days, across midnight."""

from __future__ import annotations

from blendcc.analytics.queue_stats import queue_kpis
from blendcc.analytics.today import TodayQueues
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain import events as ev
from blendcc.sim.scenario import parse_scenario

from .helpers import run_recorded, scenario_doc


def test_today_counters_match_the_live_stats_across_midnight() -> None:
    doc = scenario_doc(duration_s=2 * 86400.0, agents=2, queue={"short_abandon_s": 5},
                       arrivals=[{"name": "c", "process": {"kind": "poisson", "rate_per_s": 0.012},
                                  "handle": {"dist": "exponential", "mean_s": 150},
                                  "patience": {"dist": "exponential", "mean_s": 90}}],
                       start="2026-01-05T20:00:00Z")
    _result, log = run_recorded(doc)
    queue = parse_scenario(doc).centre.queues[0]

    def thresholds(_q: str, _ch: str) -> tuple[float, float]:
        return queue.sl_threshold_s or 20.0, queue.short_abandon_s

    t0 = log[0].at
    live = LiveStats(thresholds, tz="UTC")
    today = TodayQueues(thresholds, "UTC", t0)
    checked = 0
    i = 0
    for k in range(1, 2 * 48 + 1):
        at = t0 + k * 1800.0
        batch: list[ev.Event] = []
        while i < len(log) and log[i].at <= at:
            batch.append(log[i])
            i += 1
        live.apply(batch)
        today.fold(batch)
        live.tick(at)
        today.roll(at)
        expected = live.queues_today()
        got = {q: queue_kpis(c) for q, c in today.by_queue.items()}
        assert got == expected, f"at +{k * 0.5:g} h"
        checked += bool(expected)
    assert checked > 80 and any(e.at > t0 + 86400 for e in log)

"""The simulator's collector (with its inlined hot-path folds) gives exactly what the reference folds
give over the same events: ``queue_stats.fold`` for queue counters, ``AgentStateFold`` + ``AgentTime.add``
for agent time per report interval and per agent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from blendcc.analytics.agent_stats import AgentStateFold, AgentTime
from blendcc.analytics.queue_stats import fold, interval_start
from blendcc.domain import events as ev
from blendcc.sim.centre import SimCentre
from blendcc.sim.scenario import parse_scenario

from .helpers import scenario_doc

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "blendcc" / "sim" / "examples"


def reference_agent_time(log: list[ev.Event], step: int, end: float) -> tuple[dict[float, AgentTime],
                                                                              dict[str, AgentTime]]:
    per: dict[float, AgentTime] = {}
    total: dict[str, AgentTime] = {}

    def add(aid: str, state: str, reason: str | None, since: float, until: float) -> None:
        if until <= since or state == "offline":
            return
        total.setdefault(aid, AgentTime()).add(state, reason, until - since)
        s = since
        while s < until:
            start = interval_start(s, step)
            e = min(until, start + step)
            per.setdefault(start, AgentTime()).add(state, reason, e - s)
            s = e

    states = AgentStateFold()
    for e in log:
        if isinstance(e, ev.AgentStateChanged):
            prev = states.change(e.agent_id, e.state, e.reason, e.at)
            if prev is not None:
                add(e.agent_id, prev[0], prev[1], prev[2], e.at)
    for aid, (state, reason, since) in states.open.items():
        add(aid, state, reason, since, end)
    return per, total


def run(doc: dict[str, Any]) -> tuple[SimCentre, list[ev.Event], float]:
    centre = SimCentre(parse_scenario(doc), seed=7)
    log: list[ev.Event] = []
    centre.observers.append(log.extend)
    result = centre.run()
    return centre, log, centre.t0 + result.sim_end


def check(doc: dict[str, Any]) -> None:
    centre, log, end = run(doc)
    c = centre.collector
    assert c.counters == fold(log, c.thresholds)
    per, total = reference_agent_time(log, c.interval_s, end)
    assert c.agent_time.keys() == per.keys()
    for start, t in per.items():
        assert c.agent_time[start].seconds == t.seconds and c.agent_time[start].aux_by_reason == t.aux_by_reason
    assert {a: (t.seconds, t.aux_by_reason) for a, t in c.agent_total.items()} == {
        a: (t.seconds, t.aux_by_reason) for a, t in total.items()}


def test_multi_skill_example_with_timed_wrap_up_and_abandons() -> None:
    doc = yaml.safe_load((EXAMPLES / "multi_skill.yaml").read_text())
    check(doc)


def test_shifts_breaks_and_intervals_crossed() -> None:
    doc = yaml.safe_load((EXAMPLES / "two_queues.yaml").read_text())
    check(doc)


def test_erlang_queue_with_short_report_interval() -> None:
    check(scenario_doc(agents=3, duration_s=7200, report_interval_s=900, queue={"short_abandon_s": 5},
                       arrivals=[{"name": "c", "process": {"kind": "poisson", "rate_per_s": 0.03},
                                  "handle": {"dist": "exponential", "mean_s": 90},
                                  "patience": {"dist": "exponential", "mean_s": 60}}]))

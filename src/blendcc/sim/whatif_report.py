"""Surge what-if, part 3: the report -- per interval, the baseline and the surge simulated with the published
staffing (SL, ASA, abandonment, occupancy from the simulator's own KPI collection, mean and 95% CI over
replications), the agents needed to hold the SL target (``whatif_staffing``), and the surge simulated again
over the whole run with those agents in each interval of the window ("staffed": the backlog between
intervals included, which the per-interval steady state leaves out).

Replication ``i`` simulates ``baseline(i)`` (a history replay draws its own patience per replication)
and the same scenario surged with ``random.Random(f"{seed}:{i}:surge")``, both as ``SimCentre(seed, i)``:
the report depends only on the inputs, the seed and the number of replications.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from blendcc.domain.channels import Channel
from blendcc.domain.errors import ValidationFailed
from blendcc.sim.centre import ReplicationResult, SimCentre
from blendcc.sim.collect import AGENTS, ALL_QUEUES
from blendcc.sim.report import Estimate, SimReport
from blendcc.sim.scenario import Scenario, Staffing
from blendcc.sim.whatif import Surge, surge_scenario
from blendcc.sim.whatif_playbook import PlaybookOptions, run_with_playbooks, timeline, turned_away
from blendcc.sim.whatif_staffing import IntervalNeed, StaffingOptions, interval_case, need, published, single_pool

#: Per-interval figures of each side: (report key, row scope, KPI name).
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("offered", ALL_QUEUES, "offered"), ("service_level", ALL_QUEUES, "service_level"),
    ("asa_s", ALL_QUEUES, "asa_s"), ("abandon_rate", ALL_QUEUES, "abandon_rate"),
    ("occupancy", AGENTS, "occupancy"))

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class WhatIfOptions:
    sl_target: float = 0.8
    sl_threshold_s: float | None = None  # None: the queue's own
    staffing: StaffingOptions = field(default_factory=StaffingOptions)
    playbooks: PlaybookOptions = field(default_factory=PlaybookOptions)  # none: no "with playbooks" side

    def check(self) -> None:
        if not 0.0 < self.sl_target < 1.0:
            raise ValidationFailed(f"the SL target must be between 0 and 1 (exclusive), got {self.sl_target:g}")
        if self.sl_threshold_s is not None and not (math.isfinite(self.sl_threshold_s)
                                                   and 0 < self.sl_threshold_s <= 3600):
            raise ValidationFailed("the SL threshold must be > 0 and at most 3600 seconds")
        self.staffing.check()


@dataclass(frozen=True)
class IntervalRow:
    start: datetime
    in_surge: bool
    published: int
    baseline: dict[str, Estimate]
    surge: dict[str, Estimate]
    need: IntervalNeed | None  # None: outside the window or nothing arrives
    staffed: dict[str, Estimate]  # the surge again, with the simulated agents needed in each interval
    staffed_agents: int
    playbook: dict[str, Estimate] = field(default_factory=dict)  # the surge with the playbooks running

    @property
    def erlang_extra(self) -> int | None:
        return None if self.need is None else max(0, self.need.erlang - self.published)

    @property
    def simulated_extra(self) -> int | None:
        if self.need is None or self.need.simulated is None:
            return None
        return max(0, self.need.simulated - self.published)

    def to_dict(self, playbooks: bool = False) -> dict[str, Any]:
        def side(kpis: dict[str, Estimate]) -> dict[str, Any]:
            return {k: (kpis[k].to_dict() if k in kpis else None) for k, _s, _m in FIGURES}

        with_playbooks = {"surge_playbook": {**side(self.playbook), "turned_away": self.playbook[
            "turned_away"].to_dict() if "turned_away" in self.playbook else None}} if playbooks else {}
        return {"start": self.start.isoformat(), "in_surge": self.in_surge, "published_agents": self.published,
                "baseline": side(self.baseline), "surge": side(self.surge), **with_playbooks,
                "surge_staffed": side(self.staffed), "staffed_agents": self.staffed_agents,
                "needed": None if self.need is None else self.need.to_dict(),
                "erlang_extra": self.erlang_extra, "simulated_extra": self.simulated_extra}


@dataclass(frozen=True)
class WhatIfReport:
    name: str
    surge: Surge
    options: WhatIfOptions
    sl_threshold_s: float
    interval_s: int
    seed: int
    replications: int
    rows: list[IntervalRow]
    baseline_total: dict[str, Estimate]
    surge_total: dict[str, Estimate]
    staffed_total: dict[str, Estimate]
    playbook_total: dict[str, Estimate] = field(default_factory=dict)
    #: per replication, the crisis events' timeline (``whatif_playbook.timeline``); empty without playbooks
    crises: list[list[dict[str, Any]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def tot(kpis: dict[str, Estimate]) -> dict[str, Any]:
            out = {k: kpis[k].to_dict() if k in kpis else None for k, _s, _m in FIGURES}
            return out | ({"turned_away": kpis["turned_away"].to_dict()} if "turned_away" in kpis else {})

        hot = [r for r in self.rows if r.in_surge]
        return {"name": self.name, "surge": self.surge.to_dict(), "sl_target": self.options.sl_target,
                "sl_threshold_s": self.sl_threshold_s, "interval_s": self.interval_s, "seed": self.seed,
                "replications": self.replications,
                "staffing_search": {"replications": self.options.staffing.replications,
                                    "window_s": self.options.staffing.window_s,
                                    "warmup_s": self.options.staffing.warmup_s},
                "total": {"baseline": tot(self.baseline_total), "surge": tot(self.surge_total),
                          "surge_staffed": tot(self.staffed_total),
                          "extra_agent_hours_erlang": sum(r.erlang_extra or 0 for r in hot) * self.interval_s / 3600,
                          "extra_agent_hours_simulated": sum(r.simulated_extra or 0 for r in hot)
                          * self.interval_s / 3600,
                          "intervals_not_met_within_bound": sum(1 for r in hot if r.need is not None
                                                                and r.need.simulated is None)},
                **self._playbooks(tot),
                "intervals": [r.to_dict(bool(self.options.playbooks.playbooks)) for r in self.rows]}

    def _playbooks(self, tot: Callable[[dict[str, Estimate]], dict[str, Any]]) -> dict[str, Any]:
        pb = self.options.playbooks
        if not pb.playbooks:
            return {}
        started = [sum(1 for e in run if e["type"] == "CrisisStarted") for run in self.crises]
        return {"playbooks": [p.id for p in pb.playbooks], "playbook_tick_s": pb.tick_s,
                "surge_playbook_total": tot(self.playbook_total), "crises_started": started,
                "crisis_timeline": self.crises[0] if self.crises else []}


def with_threshold(scenario: Scenario, threshold_s: float | None) -> Scenario:
    if threshold_s is None:
        return scenario
    queues = [q.model_copy(update={"sl_threshold_s": threshold_s, "sl_thresholds_s": {}})
              for q in scenario.centre.queues]
    return scenario.model_copy(update={"centre": scenario.centre.model_copy(update={"queues": queues})})


def with_published(scenario: Scenario, counts: Sequence[int] | None) -> Scenario:
    """The scenario's one group following ``counts`` agents per report interval (None: unchanged)."""
    if counts is None:
        return scenario
    _q, group = single_pool(scenario)
    if not counts or any(n < 0 for n in counts):
        raise ValidationFailed("the published staffing needs one count >= 0 per interval")
    g = group.model_copy(update={"ids": None, "count": max(*counts, 1), "shifts": None,
                                 "staffing": Staffing(interval_s=scenario.report_interval_s, counts=list(counts))})
    return scenario.model_copy(update={"agents": [g]})


def _kpis(report: SimReport, start: float | None) -> dict[str, dict[str, Estimate]]:
    return {scope: report.rows.get((start, scope), {}) for scope in (ALL_QUEUES, AGENTS)}


def _pick(rows: dict[str, dict[str, Estimate]]) -> dict[str, Estimate]:
    return {key: rows[scope][metric] for key, scope, metric in FIGURES if metric in rows[scope]}


def run_whatif(baseline: Callable[[int], Scenario], surge: Surge, options: WhatIfOptions,
               published_counts: Sequence[int] | None = None, progress: Progress | None = None) -> WhatIfReport:
    """Simulate the baseline and the surge with the published staffing and find the agents needed per
    interval of the surge window (module docstring)."""
    options.check()
    st = options.staffing
    base_runs, surge_runs, playbook_runs, crises = [], [], [], []
    first: Scenario | None = None
    for i in range(st.replications):
        sc = _baseline(baseline, i, options, published_counts)
        if first is None:
            first = sc
            single_pool(sc)
        surged = surge_scenario(sc, surge, random.Random(f"{st.seed}:{i}:surge"))
        base_runs.append(SimCentre(sc, seed=st.seed, replication=i).run())
        surge_runs.append(SimCentre(surged, seed=st.seed, replication=i).run())
        if options.playbooks.playbooks:
            options.playbooks.check(surged)
            run, events = run_with_playbooks(surged, st.seed, i, options.playbooks, base_runs[-1])
            playbook_runs.append(run)
            crises.append(timeline(events))
        if progress is not None:
            progress("simulating baseline and surge", i + 1, st.replications)
    assert first is not None
    width = first.report_interval_s
    base = SimReport(first.name, st.seed, width, first.t0, base_runs)
    hot = SimReport(first.name, st.seed, width, first.t0, surge_runs)
    played = SimReport(first.name, st.seed, width, first.t0, playbook_runs) if playbook_runs else None
    _queue, group = single_pool(first)
    n_slots = math.ceil(max(first.duration_s, min(surge.end_s, first.duration_s)) / width - 1e-9)
    slots = [(k * width, (k + 1) * width) for k in range(n_slots)]
    todo = [(lo, hi) for lo, hi in slots if surge.start_s <= lo < surge.end_s]
    found: list[tuple[float, int, IntervalNeed | None]] = []
    searched = 0
    for lo, hi in slots:
        now = published(group, lo, hi)
        found.append((lo, now, None))
        if (lo, hi) in todo:
            case = interval_case(first, surge, lo, hi, st.window_s)
            if case is not None:
                found[-1] = (lo, now, need(case, options.sl_target, now, st))
            searched += 1
            if progress is not None:
                progress("searching the agents needed", searched, len(todo))
    # the surge again, each interval staffed with the agents found (published where none was searched)
    counts = [n.simulated if n is not None and n.simulated is not None else now for _lo, now, n in found]
    staffed_runs = []
    for i in range(st.replications):
        sc = with_published(_baseline(baseline, i, options, published_counts), counts)
        surged = surge_scenario(sc, surge, random.Random(f"{st.seed}:{i}:surge"))
        staffed_runs.append(SimCentre(surged, seed=st.seed, replication=i).run())
        if progress is not None:
            progress("simulating the surge with the agents needed", i + 1, st.replications)
    staffed = SimReport(first.name, st.seed, width, first.t0, staffed_runs)
    rows = [IntervalRow(datetime.fromtimestamp(first.t0 + lo, UTC), (lo, lo + width) in todo, now,
                        _pick(_kpis(base, first.t0 + lo)), _pick(_kpis(hot, first.t0 + lo)), n,
                        _pick(_kpis(staffed, first.t0 + lo)), k,
                        _played(played, playbook_runs, first.t0 + lo))
            for (lo, now, n), k in zip(found, counts, strict=True)]
    queue = first.centre.queues[0]
    channel = first.arrivals[0].channel if first.arrivals else Channel.VOICE
    return WhatIfReport(first.name, surge, options, queue.sl_threshold(channel), width, st.seed, st.replications,
                        rows, _pick(_kpis(base, None)), _pick(_kpis(hot, None)), _pick(_kpis(staffed, None)),
                        _played(played, playbook_runs, None), crises)


def _played(report: SimReport | None, runs: Sequence[ReplicationResult], start: float | None) -> dict[str, Estimate]:
    if report is None:
        return {}
    return {**_pick(_kpis(report, start)), "turned_away": turned_away(runs, start)}


def _baseline(baseline: Callable[[int], Scenario], i: int, options: WhatIfOptions,
              counts: Sequence[int] | None) -> Scenario:
    return with_published(with_threshold(baseline(i), options.sl_threshold_s), counts)

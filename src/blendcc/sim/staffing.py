"""Multi-skill staffing by simulation: the least-cost agents per group meeting every queue's targets.

    result = search_staffing(load_scenario("centre.yaml"), {"sales": QueueTarget(0.8)}, SearchOptions())
    result.best.counts      # {"sales": 7, "service": 6, "flex": 2}

The decision variables are the ``count`` of the scenario's agent groups (a group keeps its shifts and
breaks; groups with ``ids`` or ``staffing`` counts stay as they are): for a steady-state question the
agents work the whole run; ``staffing_intervals`` asks it once per interval of a profile. Every candidate
is simulated on the real routing engine (``sim.run.simulate``) with the same seed, so candidates are
compared on common random numbers and the search is deterministic for a given seed. A queue's target is
met when the 95% CI bound on the right side meets it (SL low bound >= target, ASA and abandon-rate high
bounds <= target), or its mean with ``criterion="mean"``.

The search starts from the Erlang answer split by group skill (``staffing_erlang.erlang_baseline``),
then (1) while a queue misses, simulates one more agent in each group able to serve the worst-missing
queue and keeps the one that most reduces the shortfall per unit of cost (or, if some of them meet
every target, the cheapest of those); (2) from the cheapest candidate meeting every target, tries the
moves that save cost, biggest saving and most slack first -- remove one agent from a group, swap one
agent for a cheaper one of another group, or replace one agent from each of two groups by one agent of
a group skilled for both -- and keeps the first that still meets every target. It stops when no move
is feasible (a local minimum: removing any single agent breaks a target) or after ``max_evaluations``
simulations.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.report import Estimate, SimReport, estimate
from blendcc.sim.run import simulate
from blendcc.sim.scenario import Scenario
from blendcc.sim.staffing_erlang import (
    ErlangBaseline,
    QueueTarget,
    eligible,
    erlang_baseline,
    pooled_required,
    queue_loads,
)

Counts = dict[str, int]
Progress = Callable[["Evaluation"], None]
KPIS = ("offered", "service_level", "asa_s", "abandon_rate", "p_wait")


@dataclass(frozen=True)
class SearchOptions:
    replications: int = 5
    seed: int | str = 1
    criterion: Literal["ci", "mean"] = "ci"
    max_evaluations: int = 40
    workers: int | None = None
    costs: Mapping[str, float] = field(default_factory=dict)  # per agent of a group (default 1)
    bounds: Mapping[str, tuple[int, int | None]] = field(default_factory=dict)  # (min, max) per group
    warmup_s: float = 0.0  # report intervals starting before this are left out of the KPIs

    def replace(self, **changes: Any) -> SearchOptions:
        return dataclasses.replace(self, **changes)

    def check(self) -> None:
        if self.replications < 1 or (self.criterion == "ci" and self.replications < 2):
            raise ValidationFailed("the CI criterion needs at least 2 replications (or use the mean criterion)")
        if self.criterion not in ("ci", "mean"):
            raise ValidationFailed(f"criterion must be ci or mean, got {self.criterion!r}")
        if self.max_evaluations < 1:
            raise ValidationFailed("max evaluations must be >= 1")
        if not (math.isfinite(self.warmup_s) and self.warmup_s >= 0):
            raise ValidationFailed(f"warm-up must be >= 0 seconds, got {self.warmup_s}")
        for g, c in self.costs.items():
            if not 0 < c <= 1e6:
                raise ValidationFailed(f"group {g}: cost must be > 0 and at most 1e6, got {c}")


@dataclass(frozen=True)
class Evaluation:
    """One simulated candidate: agents per searched group, its cost, each queue's KPIs and shortfall
    (relative: > 0 misses the worst target by that share of it, <= 0 is the margin left)."""

    index: int
    step: str
    counts: Counts
    cost: float
    kpis: dict[str, dict[str, Estimate]]
    shortfall: dict[str, float]

    @property
    def meets(self) -> bool:
        return all(s <= 1e-12 for s in self.shortfall.values())

    @property
    def agents(self) -> int:
        return sum(self.counts.values())

    def worst(self) -> str:
        return max(sorted(self.shortfall), key=lambda q: self.shortfall[q])

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "step": self.step, "counts": dict(self.counts), "agents": self.agents,
                "cost": self.cost, "meets": self.meets, "shortfall": dict(self.shortfall),
                "queues": {q: {m: e.to_dict() for m, e in k.items()} for q, k in self.kpis.items()}}


@dataclass
class StaffingResult:
    searched: list[str]
    fixed: dict[str, int]
    targets: dict[str, QueueTarget]
    options: SearchOptions
    erlang: ErlangBaseline
    evaluations: list[Evaluation]
    best: Evaluation | None        # the cheapest candidate meeting every target (None: none found)
    locally_minimal: bool          # every cost-saving move from ``best`` was simulated and misses
    stopped: str

    def to_dict(self) -> dict[str, Any]:
        return {"searched_groups": self.searched, "fixed_groups": self.fixed,
                "targets": {q: t.to_dict() for q, t in self.targets.items()},
                "replications": self.options.replications, "seed": self.options.seed,
                "warmup_s": self.options.warmup_s,
                "criterion": self.options.criterion, "evaluations_made": len(self.evaluations),
                "max_evaluations": self.options.max_evaluations, "stopped": self.stopped,
                "locally_minimal": self.locally_minimal,
                "best": None if self.best is None else self.best.to_dict(),
                "erlang": self.erlang.to_dict(),
                "evaluations": [{k: v for k, v in e.to_dict().items() if k != "queues"} for e in self.evaluations]}


def _value(est: Estimate | None, side: Literal["low", "high"], criterion: str) -> float | None:
    if est is None:
        return None
    if criterion == "mean" or est.low is None or est.high is None:
        return est.mean
    return est.low if side == "low" else est.high


def shortfall(kpis: Mapping[str, Estimate], target: QueueTarget, criterion: str) -> float:
    """The worst relative miss of the queue's targets (<= 0: all met, by that margin)."""
    misses: list[float] = []
    sl = _value(kpis.get("service_level"), "low", criterion)
    if target.sl_target is not None and sl is not None:
        misses.append((target.sl_target - sl) / target.sl_target)
    asa = _value(kpis.get("asa_s"), "high", criterion)
    if target.asa_target_s is not None and asa is not None:
        misses.append((asa - target.asa_target_s) / target.asa_target_s)
    ab = _value(kpis.get("abandon_rate"), "high", criterion)
    if target.max_abandon is not None and ab is not None:
        misses.append((ab - target.max_abandon) / target.max_abandon)
    return max(misses) if misses else -1.0  # a queue nobody reached misses nothing


def queue_estimates(report: SimReport, queue: str, warmup_s: float | None = None) -> dict[str, Estimate]:
    """The queue's KPIs (``KPIS``) over the run (``warmup_s`` None), or over the report intervals
    starting ``warmup_s`` or more after the start (summed from each replication's interval rows: the
    counts, and the rates weighted by their denominators), as mean and 95% CI over the replications."""
    if warmup_s is None:
        return {m: e for m, e in report.total(queue).items() if m in KPIS}
    cutoff = report.t0 + warmup_s - 1e-6
    values: dict[str, list[float]] = {m: [] for m in KPIS}
    for r in report.results:
        offered = base = in_sl = abandoned = handled = wait = waited = 0.0
        for (start, scope), k in r.rows.items():
            if scope != queue or start is None or start < cutoff:
                continue
            b = float(k.get("offered") or 0) - float(k.get("short_abandoned") or 0)
            h = float(k.get("handled") or 0)
            offered += float(k.get("offered") or 0)
            base += b
            in_sl += float(k.get("service_level") or 0.0) * b
            abandoned += float(k.get("abandoned") or 0)
            handled += h
            wait += float(k.get("asa_s") or 0.0) * h
            waited += float(k.get("p_wait") or 0.0) * float(k.get("offered") or 0)
        values["offered"].append(offered)
        if base > 0:
            values["service_level"].append(in_sl / base)
            values["abandon_rate"].append(abandoned / base)
        if handled > 0:
            values["asa_s"].append(wait / handled)
        if offered > 0:
            values["p_wait"].append(waited / offered)
    return {m: estimate(v) for m, v in values.items() if v}


class _Search:
    def __init__(self, scenario: Scenario, targets: Mapping[str, QueueTarget], options: SearchOptions,
                 progress: Progress | None) -> None:
        self.scenario = scenario
        self.targets = dict(targets)
        self.options = options
        self.progress = progress
        self.searched = [g.name for g in scenario.agents if g.ids is None and g.staffing is None]
        self.fixed = {g.name: g.size for g in scenario.agents if g.name not in self.searched}
        unknown = sorted(set(options.costs) | set(options.bounds))
        names = {g.name for g in scenario.agents}
        if any(g not in names for g in unknown):
            raise ValidationFailed(f"unknown agent group(s): {', '.join(g for g in unknown if g not in names)}")
        if not self.searched:
            raise ValidationFailed("no agent group to search: groups given by ids or staffing counts stay fixed")
        if options.warmup_s >= scenario.duration_s:
            raise ValidationFailed(f"the warm-up ({options.warmup_s:g} s) must be shorter than the arrival window "
                                   f"({scenario.duration_s:g} s)")
        self.costs = {g: float(options.costs.get(g, 1.0)) for g in self.searched}
        queues = scenario.catalog().queues
        self.serves = {g.name: {q for q in queues if eligible(g, queues[q])} for g in scenario.agents}
        self.cache: dict[tuple[int, ...], Evaluation] = {}
        self.evaluations: list[Evaluation] = []

    def bounds(self, erlang_cap: int) -> dict[str, tuple[int, int]]:
        out = {}
        for g in self.searched:
            lo, hi = self.options.bounds.get(g, (0, None))
            hi = max(lo, erlang_cap) if hi is None else hi
            if lo < 0 or hi < lo or hi > 100_000:
                raise ValidationFailed(f"group {g}: bounds must satisfy 0 <= min <= max <= 100000, got ({lo}, {hi})")
            out[g] = (lo, hi)
        return out

    def key(self, counts: Counts) -> tuple[int, ...]:
        return tuple(counts[g] for g in self.searched)

    def budget_left(self) -> bool:
        return len(self.evaluations) < self.options.max_evaluations

    def evaluate(self, counts: Counts, step: str) -> Evaluation:
        k = self.key(counts)
        if k in self.cache:
            return self.cache[k]
        groups = [g.model_copy(update={"count": counts[g.name]}) if g.name in counts else g
                  for g in self.scenario.agents]
        sc = self.scenario.model_copy(update={"agents": groups})
        report = simulate(sc, replications=self.options.replications, seed=self.options.seed,
                          workers=self.options.workers)
        warmup = self.options.warmup_s or None
        kpis = {q: queue_estimates(report, q, warmup) for q in sorted(self.targets)}
        short = {q: shortfall(kpis[q], t, self.options.criterion) for q, t in sorted(self.targets.items())}
        e = Evaluation(len(self.evaluations) + 1, step, dict(counts),
                       round(sum(self.costs[g] * n for g, n in counts.items()), 9), kpis, short)
        self.cache[k] = e
        self.evaluations.append(e)
        if self.progress is not None:
            self.progress(e)
        return e

    def add_phase(self, current: Evaluation, bounds: dict[str, tuple[int, int]]) -> tuple[Evaluation, str | None]:
        while not current.meets:
            worst = current.worst()
            cands = [g for g in self.searched if worst in self.serves[g] and current.counts[g] < bounds[g][1]]
            if not cands:
                return current, f"queue {worst} misses and no group able to serve it may grow"
            best: tuple[float, Evaluation] | None = None
            feasible: list[Evaluation] = []
            for g in cands:
                if not self.budget_left() and self.key(_plus(current.counts, g)) not in self.cache:
                    return current, "evaluation budget spent"
                cand = self.evaluate(_plus(current.counts, g), f"add {g}")
                if cand.meets:
                    feasible.append(cand)
                gain = (current.shortfall[worst] - cand.shortfall[worst]) + (_missing(current) - _missing(cand))
                score = gain / self.costs[g]
                if best is None or score > best[0] + 1e-12:
                    best = (score, cand)
            assert best is not None
            # an added agent that meets every target ends the phase: the cheapest such one
            current = min(feasible, key=lambda e: (e.cost, e.index)) if feasible else best[1]
        return current, None

    def moves(self, current: Evaluation, bounds: dict[str, tuple[int, int]]) -> list[tuple[float, float, str, Counts]]:
        """Cost-saving neighbours of ``current``: (saving, slack, name, counts), best first."""
        margin = {g: -max((current.shortfall[q] for q in self.serves[g] if q in current.shortfall), default=-1.0)
                  for g in self.searched}
        out: list[tuple[float, float, str, Counts]] = []
        for g in self.searched:
            if current.counts[g] > bounds[g][0]:
                out.append((self.costs[g], margin[g], f"remove {g}", _plus(current.counts, g, -1)))
        for g in self.searched:  # one agent swapped for a cheaper one of another group
            for h in self.searched:
                saving = self.costs[g] - self.costs[h]
                if saving > 1e-9 and current.counts[g] > bounds[g][0] and current.counts[h] < bounds[h][1]:
                    out.append((saving, margin[g], f"swap {g} for {h}", _plus(_plus(current.counts, g, -1), h)))
        for i, g in enumerate(self.searched):
            for h in self.searched[i + 1:]:
                if current.counts[g] <= bounds[g][0] or current.counts[h] <= bounds[h][0]:
                    continue
                for f in self.searched:
                    if f in (g, h) or current.counts[f] >= bounds[f][1]:
                        continue
                    saving = self.costs[g] + self.costs[h] - self.costs[f]
                    if saving > 1e-9 and self.serves[f] >= (self.serves[g] | self.serves[h]):
                        counts = _plus(_plus(_plus(current.counts, g, -1), h, -1), f)
                        out.append((saving, min(margin[g], margin[h]), f"replace {g} + {h} by {f}", counts))
        out.sort(key=lambda m: (-m[0], -m[1]))
        return out

    def remove_phase(self, current: Evaluation, bounds: dict[str, tuple[int, int]]) -> tuple[Evaluation, bool, str]:
        while True:
            for _saving, _slack, name, counts in self.moves(current, bounds):
                if not self.budget_left() and self.key(counts) not in self.cache:
                    return current, False, "evaluation budget spent"
                cand = self.evaluate(counts, name)
                if cand.meets:
                    current = cand
                    break
            else:
                return current, True, "local minimum: every cost-saving move misses a target"

    def run(self) -> StaffingResult:
        # room to grow: every targeted queue's independent Erlang answer, plus a few
        loads = [ld for q, ld in queue_loads(self.scenario).items() if q in self.targets]
        cap = sum(pooled_required([ld], self.targets) for ld in loads) + 5
        bounds = self.bounds(cap)
        baseline = erlang_baseline(self.scenario, self.targets, self.searched, self.costs, bounds)
        current = self.evaluate(dict(baseline.start), "Erlang start")
        current, stop = self.add_phase(current, bounds)
        minimal = False
        if stop is None:  # from the cheapest candidate seen that meets every target
            current = min((e for e in self.evaluations if e.meets), key=lambda e: (e.cost, e.agents, e.index))
            current, minimal, stop = self.remove_phase(current, bounds)
        feasible = [e for e in self.evaluations if e.meets]
        best = min(feasible, key=lambda e: (e.cost, e.agents, e.index)) if feasible else None
        minimal = minimal and best is current
        return StaffingResult(self.searched, self.fixed, self.targets, self.options, baseline, self.evaluations,
                              best, minimal, stop)


def _plus(counts: Counts, group: str, n: int = 1) -> Counts:
    out = dict(counts)
    out[group] += n
    return out


def _missing(e: Evaluation) -> float:
    return sum(max(0.0, s) for s in e.shortfall.values())


def search_staffing(scenario: Scenario, targets: Mapping[str, QueueTarget], options: SearchOptions | None = None,
                    progress: Progress | None = None) -> StaffingResult:
    """Search agents per group meeting ``targets`` (queue id -> QueueTarget) at least cost (module docstring)."""
    options = options or SearchOptions()
    options.check()
    queues = scenario.catalog().queues
    for q, t in targets.items():
        if q not in queues:
            raise ValidationFailed(f"target for unknown queue {q!r}; the scenario has {', '.join(sorted(queues))}")
        t.check(q)
    if not targets:
        raise ValidationFailed("give a target for at least one queue")
    return _Search(scenario, targets, options, progress).run()

"""Erlang baselines for multi-skill staffing: per-queue loads read from a scenario, the independent and
pooled Erlang answers, and the least-cost split of agents over groups by skill (the search's start).

Each arrival stream is sent through the scenario's real workflow (``routing.workflow.plan``) to find the
queue it is offered to first; its rate is the stream's expected arrivals over the arrival window (a
steady-state reading). A queue's AHT is talk + wrap-up (the queue's timed ``wrap_up_s``, else the first
eligible group's ACW) + the ring delay (the agent is held while an offer rings). Patience: Erlang A
with the rate-weighted mean patience when every stream of the queue may abandon, else Erlang C.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.workflow import contact_context, plan
from blendcc.sim.scenario import AgentGroup, Scenario
from blendcc.wfm.erlang import required_agents

#: Above this many queues only single queues and all queues together are pooled in the start model.
MAX_SUBSET_QUEUES = 8


@dataclass(frozen=True)
class QueueTarget:
    """What one queue must meet: service level at the queue's own T (at least), ASA (at most, seconds),
    abandon rate (at most). None: no target of that kind."""

    sl_target: float | None = 0.8
    asa_target_s: float | None = None
    max_abandon: float | None = None

    def check(self, queue: str) -> None:
        if self.sl_target is None and self.asa_target_s is None and self.max_abandon is None:
            raise ValidationFailed(f"queue {queue}: give at least one target (service level, ASA or abandonment)")
        if self.sl_target is not None and not 0.0 < self.sl_target < 1.0:
            raise ValidationFailed(f"queue {queue}: service-level target must be in (0, 1), got {self.sl_target}")
        if self.asa_target_s is not None and not (math.isfinite(self.asa_target_s) and self.asa_target_s > 0):
            raise ValidationFailed(f"queue {queue}: ASA target must be > 0 seconds, got {self.asa_target_s}")
        if self.max_abandon is not None and not 0.0 < self.max_abandon < 1.0:
            raise ValidationFailed(f"queue {queue}: abandonment target must be in (0, 1), got {self.max_abandon}")

    def to_dict(self) -> dict[str, Any]:
        return {"sl_target": self.sl_target, "asa_target_s": self.asa_target_s, "max_abandon": self.max_abandon}


@dataclass(frozen=True)
class QueueLoad:
    queue: str
    rate_per_s: float
    aht_s: float
    patience_s: float | None  # None: some callers never hang up (Erlang C)
    sl_threshold_s: float

    @property
    def erlangs(self) -> float:
        return self.rate_per_s * self.aht_s


def eligible(group: AgentGroup, queue: QueueConfig) -> bool:
    """Whether the group's agents can take the queue's contacts (member of it, with its skill levels)."""
    return queue.id in group.queues and all(group.skills.get(s, 0) >= lvl for s, lvl in queue.skills.items())


def _stream_rate(scenario: Scenario, index: int) -> float:
    single = scenario.model_copy(update={"arrivals": [scenario.arrivals[index]]})
    return single.expected_arrivals() / scenario.duration_s


def queue_loads(scenario: Scenario) -> dict[str, QueueLoad]:
    """The offered load of every queue some stream is first offered to (see the module docstring)."""
    catalog = scenario.check()
    queues = catalog.queues
    acc: dict[str, dict[str, Any]] = {}
    for i, stream in enumerate(scenario.arrivals):
        rate = _stream_rate(scenario, i)
        if rate <= 0:
            continue
        workflow = catalog.workflow_for(stream.channel.value, stream.workflow_id)
        ctx = contact_context(stream.attributes, stream.channel.value, "inbound", None, None, stream.priority)
        _, steps = plan(workflow, ctx, queues, lambda _cal: True, None)
        qid = steps[0].queue_id
        q = queues[qid]
        groups = [g for g in scenario.agents if eligible(g, q)]
        ring = (groups[0].ring_delay.mean() or 0.0) if groups else 0.0
        wrap = q.wrap_up_s if q.wrap_up_s is not None else ((groups[0].acw.mean() or 0.0) if groups else 0.0)
        slot = acc.setdefault(qid, {"rate": 0.0, "work": 0.0, "pat": 0.0, "never": False,
                                    "t": q.sl_threshold(stream.channel)})
        slot["rate"] += rate
        slot["work"] += rate * ((stream.handle.mean() or 0.0) + wrap + ring)
        patience = stream.patience.mean()
        if patience is None:
            slot["never"] = True
        else:
            slot["pat"] += rate * patience
        slot["t"] = min(slot["t"], q.sl_threshold(stream.channel))
    return {qid: QueueLoad(qid, s["rate"], s["work"] / s["rate"], None if s["never"] else s["pat"] / s["rate"],
                           s["t"])
            for qid, s in sorted(acc.items())}


def _required(rate: float, aht: float, patience: float | None, threshold: float, target: QueueTarget) -> int:
    if rate <= 0:
        return 0
    try:
        return required_agents(rate, aht, sl_target=target.sl_target, sl_threshold_s=threshold,
                               asa_target_s=target.asa_target_s,
                               max_abandon=target.max_abandon if patience is not None else None,
                               patience_s=patience)
    except ValueError as exc:
        raise ValidationFailed(f"Erlang: {exc}") from None


def pooled_required(loads: Sequence[QueueLoad], targets: Mapping[str, QueueTarget]) -> int:
    """Agents one fully cross-skilled pool needs for ``loads`` together: all contacts share the pool's wait,
    so it must meet every queue's targets at that queue's own T (the most demanding one decides)."""
    loads = [ld for ld in loads if ld.rate_per_s > 0]
    if not loads:
        return 0
    rate = math.fsum(ld.rate_per_s for ld in loads)
    aht = math.fsum(ld.rate_per_s * ld.aht_s for ld in loads) / rate
    patience = (None if any(ld.patience_s is None for ld in loads)
                else math.fsum(ld.rate_per_s * (ld.patience_s or 0.0) for ld in loads) / rate)
    return max(_required(rate, aht, patience, ld.sl_threshold_s, targets[ld.queue]) for ld in loads)


@dataclass(frozen=True)
class ErlangBaseline:
    loads: dict[str, QueueLoad]
    independent: dict[str, int]  # per queue, as if each queue had its own agents
    pooled: int                  # one pool of agents skilled for everything
    start: dict[str, int]        # least-cost split by group skill covering the Erlang bounds

    @property
    def independent_total(self) -> int:
        return sum(self.independent.values())

    def to_dict(self) -> dict[str, Any]:
        return {"queues": {q: {"rate_per_s": ld.rate_per_s, "aht_s": ld.aht_s, "erlangs": ld.erlangs,
                               "patience_s": ld.patience_s, "sl_threshold_s": ld.sl_threshold_s,
                               "independent_agents": self.independent[q]} for q, ld in self.loads.items()},
                "model": "Erlang A" if all(ld.patience_s is not None for ld in self.loads.values()) else
                         "Erlang C" if all(ld.patience_s is None for ld in self.loads.values()) else "Erlang A/C",
                "independent_total": self.independent_total, "pooled_total": self.pooled, "start": self.start}


def erlang_baseline(scenario: Scenario, targets: Mapping[str, QueueTarget], searched: Sequence[str],
                    costs: Mapping[str, float], bounds: Mapping[str, tuple[int, int]]) -> ErlangBaseline:
    """Erlang answers and the search's first guess.

    The guess is the least-cost whole number of agents per searched group such that, for every set S of
    queues, the agents able to serve some queue of S number at least the pooled Erlang requirement of S's
    load (for S a single queue: that queue's independent Erlang answer). Groups not searched count with
    their fixed size. Solved exactly with OR-Tools CP-SAT (single worker: deterministic); among the
    least-cost splits the one with the broadest skill sets wins (the most able to pool).
    """
    from ortools.sat.python import cp_model

    loads = {q: ld for q, ld in queue_loads(scenario).items() if q in targets}
    independent = {q: pooled_required([ld], targets) for q, ld in loads.items()}
    pooled = pooled_required(list(loads.values()), targets)
    catalog_queues = scenario.catalog().queues
    groups = {g.name: g for g in scenario.agents}
    serves = {name: {q for q in loads if eligible(g, catalog_queues[q])} for name, g in groups.items()}
    names = sorted(loads)
    if len(names) <= MAX_SUBSET_QUEUES:
        subsets = [set(c) for r in range(1, len(names) + 1) for c in itertools.combinations(names, r)]
    else:
        subsets = [{q} for q in names] + [set(names)]
    model = cp_model.CpModel()
    x = {g: model.new_int_var(bounds[g][0], bounds[g][1], g) for g in searched}
    for subset in subsets:
        need = independent[next(iter(subset))] if len(subset) == 1 else pooled_required(
            [loads[q] for q in sorted(subset)], targets)
        fixed = sum(_fixed_size(groups[g]) for g in groups if g not in x and serves[g] & subset)
        able = [x[g] for g in searched if serves[g] & subset]
        short = math.ceil(need - fixed - 1e-9)
        if short > 0:
            if not able:
                raise ValidationFailed(f"no group that the search may staff can serve queue(s) "
                                       f"{', '.join(sorted(subset))}; add one or raise the fixed groups")
            model.add(sum(able) >= short)
    cost = sum(round(costs[g] * 1000) * x[g] for g in searched)
    model.minimize(cost)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValidationFailed("the Erlang requirements cannot be met within the group bounds; raise the maximums")
    # among the least-cost splits, the one with the broadest skills (most able to pool), then fewest agents
    model.add(cost <= round(solver.objective_value))
    model.maximize(sum((len(serves[g]) * 1000 - 1) * x[g] for g in searched))
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValidationFailed("the Erlang start could not be solved")
    start = {g: int(solver.value(x[g])) for g in searched}
    return ErlangBaseline(loads, independent, pooled, start)


def _fixed_size(group: AgentGroup) -> float:
    if group.staffing is not None:
        return sum(group.staffing.counts) / len(group.staffing.counts)
    return float(group.size)

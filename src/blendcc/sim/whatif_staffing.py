"""Surge what-if, part 2: agents needed per interval to hold the SL target (Erlang first, simulation to confirm).

Each report interval of the surge window becomes a steady-state question, as in ``staffing_intervals``:
the interval's expected arrivals (baseline x the volume factor) arrive as a Poisson stream for
``window_s`` (default two hours, so the waits settle), with the surged handle time, after-contact work
and patience, and ``n`` agents logged in all along. The Erlang answer (``staffing_erlang``: Erlang A
when callers abandon, else C, with talk + wrap-up + ring delay as the handle time) is the first guess;
``n`` is then moved one agent at a time, each candidate simulated ``replications`` times with the same
seed (common random numbers), to the smallest ``n`` whose mean service level over the window (less the
``warmup_s`` start) meets the target: up from the guess while it misses (at most ``max_agents``), down
from it while one fewer still meets. Replayed streams give their recorded handle times (the interval's
own when it has ``MIN_OWN_HANDLES`` of them, else the whole stream's) and patience (the whole stream's)
as empirical distributions, scaled by the surge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.distributions import Distribution, Empirical, Patience
from blendcc.sim.run import simulate
from blendcc.sim.scenario import AgentGroup, ArrivalStream, Poisson, Replay, Scenario
from blendcc.sim.staffing import queue_estimates
from blendcc.sim.staffing_erlang import QueueTarget, pooled_required, queue_loads
from blendcc.sim.whatif import Surge, scale

#: A replayed interval with at least this many recorded handle times uses its own (else the stream's).
MIN_OWN_HANDLES = 30
#: Simulated agents per interval at most (the search's bound when no ``max_agents`` is given).
MAX_AGENTS = 2_000


@dataclass(frozen=True)
class StaffingOptions:
    replications: int = 5
    seed: int = 1
    window_s: float = 7_200.0
    warmup_s: float = 1_800.0
    max_agents: int | None = None  # default: 2 x (Erlang guess or published) + 10

    def check(self) -> None:
        if not 1 <= self.replications <= 100:
            raise ValidationFailed("replications must be between 1 and 100")
        if not (math.isfinite(self.window_s) and 1_800.0 <= self.window_s <= 86_400.0):
            raise ValidationFailed("the steady-state window must be 30 minutes to one day")
        if not (math.isfinite(self.warmup_s) and 0.0 <= self.warmup_s <= self.window_s / 2):
            raise ValidationFailed("the warm-up must be >= 0 and at most half the steady-state window")
        if self.max_agents is not None and not 1 <= self.max_agents <= MAX_AGENTS:
            raise ValidationFailed(f"max agents must be between 1 and {MAX_AGENTS}")


@dataclass(frozen=True)
class IntervalNeed:
    """Agents needed in one interval: Erlang's answer, the simulated one and the SLs around it."""

    rate_per_s: float
    erlang: int
    simulated: int | None  # None: the bound was reached without meeting the target
    sl_at: float | None     # simulated SL with ``simulated`` agents (or at the bound)
    sl_one_fewer: float | None  # with one agent fewer (None: not simulated, e.g. one agent meets it)
    evaluations: dict[int, float | None]  # agents -> simulated mean SL

    def to_dict(self) -> dict[str, Any]:
        return {"rate_per_hour": self.rate_per_s * 3600.0, "erlang": self.erlang, "simulated": self.simulated,
                "sl_at_simulated": self.sl_at, "sl_one_fewer": self.sl_one_fewer,
                "evaluations": {str(n): sl for n, sl in sorted(self.evaluations.items())}}


def single_pool(scenario: Scenario) -> tuple[str, AgentGroup]:
    """The scenario's one queue and one agent group (the what-if staffs a single pool)."""
    if len(scenario.centre.queues) != 1 or len(scenario.agents) != 1:
        raise ValidationFailed("the what-if staffs one queue served by one agent group; this scenario has "
                               f"{len(scenario.centre.queues)} queue(s) and {len(scenario.agents)} group(s)")
    group = scenario.agents[0]
    if group.shifts is not None:
        raise ValidationFailed("the what-if reads the published staffing from the group's per-interval "
                               "'staffing' counts (or its count), not from shifts")
    return scenario.centre.queues[0].id, group


def published(group: AgentGroup, lo: float, hi: float) -> int:
    """Agents logged in during [lo, hi): the group's staffing counts averaged over it (whole agents)."""
    st = group.staffing
    if st is None:
        return group.size
    total = 0.0
    t = lo
    while t < hi - 1e-9:
        i = int(t // st.interval_s)
        stop = min(hi, (i + 1) * st.interval_s)
        total += st.counts[min(i, len(st.counts) - 1)] * (stop - t)
        t = stop
    return math.floor(total / (hi - lo) + 0.5)


def arrivals_in(stream: ArrivalStream, lo: float, hi: float, duration_s: float) -> float:
    """Expected (Poisson) or recorded (replay) arrivals of ``stream`` in [lo, hi)."""
    p = stream.process
    if isinstance(p, Replay):
        return float(sum(1 for c in p.records() if lo <= c.t_s < hi))
    end = min(duration_s, p.end_s or duration_s)
    if p.rate_per_s is not None:
        return p.rate_per_s * max(0.0, min(hi, end) - max(lo, p.start_s))
    width = p.interval_s or 1.0
    total = 0.0
    for i, n in enumerate(p.per_interval or []):
        a, b = p.start_s + i * width, p.start_s + (i + 1) * width
        total += n * max(0.0, min(hi, b, end) - max(lo, a)) / width
    return total


def _steady_stream(s: ArrivalStream, rate: float, factor: float, acw: Distribution | None,
                   lo: float, hi: float) -> ArrivalStream:
    handle: Distribution = s.handle
    patience: Patience = s.patience
    if isinstance(s.process, Replay):
        records = s.process.records()
        handles = [c.handle_s for c in records if c.handle_s is not None and lo <= c.t_s < hi]
        if len(handles) < MIN_OWN_HANDLES:
            handles = [c.handle_s for c in records if c.handle_s is not None]
        if handles:
            handle = Empirical(dist="empirical", values_s=handles)
        patiences = [c.patience_s for c in records if c.patience_s is not None]
        if patiences and len(patiences) == len(records):
            patience = Empirical(dist="empirical", values_s=[p for p in patiences if math.isfinite(p)] or [0.0])
    return s.model_copy(update={"process": Poisson(kind="poisson", rate_per_s=rate), "handle": scale(handle, factor),
                                "patience": patience, "acw": acw})


def interval_case(scenario: Scenario, surge: Surge, lo: float, hi: float, window_s: float) -> Scenario | None:
    """The steady-state scenario of [lo, hi) under the surge (None: nothing arrives then)."""
    _queue, group = single_pool(scenario)
    hot = surge.start_s <= lo < surge.end_s
    volume, factor = (surge.volume, surge.aht) if hot else (1.0, 1.0)
    streams = []
    for s in scenario.arrivals:
        rate = arrivals_in(s, lo, hi, scenario.duration_s) * volume / (hi - lo)
        if rate > 0:
            acw = scale(s.acw if s.acw is not None else group.acw, factor)
            streams.append(_steady_stream(s, rate, factor, acw, lo, hi))
    if not streams:
        return None
    agents = [group.model_copy(update={"staffing": None, "shifts": None, "ids": None, "count": 1})]
    return scenario.model_copy(update={"start": scenario.start + timedelta(seconds=lo), "duration_s": window_s,
                                       "horizon_s": None, "report_interval_s": 900, "arrivals": streams,
                                       "agents": agents})


def with_agents(case: Scenario, n: int) -> Scenario:
    return case.model_copy(update={"agents": [case.agents[0].model_copy(update={"count": n})]})


def need(case: Scenario, sl_target: float, published_now: int, options: StaffingOptions,
         progress: Callable[[], None] | None = None) -> IntervalNeed:
    """Erlang's agents for ``case`` and the simulated smallest count meeting ``sl_target``."""
    queue = case.centre.queues[0].id
    load = queue_loads(case)[queue]
    guess = pooled_required([load], {queue: QueueTarget(sl_target=sl_target)})
    bound = options.max_agents or min(MAX_AGENTS, 2 * max(guess, published_now) + 10)
    evaluations: dict[int, float | None] = {}

    def sl(n: int) -> float | None:
        if n not in evaluations:
            report = simulate(with_agents(case, n), replications=options.replications, seed=options.seed, workers=1)
            est = queue_estimates(report, queue, options.warmup_s).get("service_level")
            evaluations[n] = None if est is None else est.mean
            if progress is not None:
                progress()
        return evaluations[n]

    def meets(n: int) -> bool:
        value = sl(n)
        return value is not None and value >= sl_target - 1e-12

    n = min(max(1, guess), bound)
    if meets(n):
        while n > 1 and meets(n - 1):
            n -= 1
    else:
        while True:
            n += 1
            if n > bound:
                return IntervalNeed(load.rate_per_s, guess, None, evaluations.get(bound), None, evaluations)
            if meets(n):
                break
    return IntervalNeed(load.rate_per_s, guess, n, evaluations[n], evaluations.get(n - 1), evaluations)

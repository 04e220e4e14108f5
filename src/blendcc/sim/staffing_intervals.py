"""Per-interval multi-skill staffing: one steady-state staffing search for each interval of a scenario's
arrival profile (``per_interval`` Poisson streams).

Interval ``i`` becomes its own scenario: every stream arrives at its rate of that interval for a
``window_s`` long steady state (default four hours, so the waits settle; the interval itself is often
too short to simulate from an empty centre), starting at the interval's clock time (business hours see
it), with every agent logged in for the whole window. Groups that follow ``staffing`` counts keep that
interval's count (bounds min = max); groups with ``ids`` keep their size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.scenario import AgentGroup, Poisson, Scenario
from blendcc.sim.staffing import Progress, SearchOptions, StaffingResult, search_staffing
from blendcc.sim.staffing_erlang import QueueTarget

DEFAULT_WINDOW_S = 14_400.0


@dataclass(frozen=True)
class IntervalCase:
    index: int
    start_s: float  # from the scenario's start
    scenario: Scenario | None  # None: nothing arrives in the interval (no agents needed)
    fixed: dict[str, int]  # groups held at a count in this interval


def interval_width(scenario: Scenario) -> float:
    """The profile's interval: the common ``interval_s`` of the ``per_interval`` streams (else the whole run)."""
    widths: set[float] = set()
    for s in scenario.arrivals:
        if not isinstance(s.process, Poisson):
            raise ValidationFailed(f"arrival stream {s.name}: per-interval staffing needs Poisson arrivals "
                                   "(replayed arrivals: search the steady state instead)")
        if s.process.per_interval is not None and s.process.interval_s is not None:
            widths.add(s.process.interval_s)
    if len(widths) > 1:
        raise ValidationFailed(f"the streams' interval_s differ ({', '.join(f'{w:g}' for w in sorted(widths))}); "
                               "per-interval staffing needs one interval length")
    return widths.pop() if widths else scenario.duration_s


def _rate(p: Poisson, lo: float, hi: float, duration: float) -> float:
    """Mean arrival rate of the stream over [lo, hi)."""
    start, end = p.start_s, min(duration, p.end_s or duration)
    if p.rate_per_s is not None:
        return p.rate_per_s * max(0.0, min(hi, end) - max(lo, start)) / (hi - lo)
    width = p.interval_s or 1.0
    total = 0.0
    for i, n in enumerate(p.per_interval or []):
        a, b = start + i * width, start + (i + 1) * width
        overlap = max(0.0, min(hi, b, end) - max(lo, a, start))
        total += n * overlap / width
    return total / (hi - lo)


def _group_at(g: AgentGroup, t: float) -> tuple[AgentGroup, int | None]:
    """The group logged in all along, and its held count (None: searched)."""
    if g.staffing is not None:
        counts = g.staffing.counts
        n = counts[min(len(counts) - 1, int(t // g.staffing.interval_s))]
        return g.model_copy(update={"staffing": None, "shifts": None, "count": n, "ids": None}), n
    return g.model_copy(update={"shifts": None}), None


def interval_cases(scenario: Scenario, window_s: float | None = None) -> list[IntervalCase]:
    window = DEFAULT_WINDOW_S if window_s is None else window_s
    if not (math.isfinite(window) and 900 <= window <= 7 * 86400):
        raise ValidationFailed(f"the steady-state window must be 900 s to 7 days, got {window:g}")
    width = interval_width(scenario)
    cases = []
    for i in range(math.ceil(scenario.duration_s / width - 1e-9)):
        lo, hi = i * width, min(scenario.duration_s, (i + 1) * width)
        streams = []
        for s in scenario.arrivals:
            assert isinstance(s.process, Poisson)
            rate = _rate(s.process, lo, hi, scenario.duration_s)
            if rate > 0:
                streams.append(s.model_copy(update={"process": Poisson(kind="poisson", rate_per_s=rate)}))
        groups, fixed = [], {}
        for g in scenario.agents:
            g2, held = _group_at(g, lo)
            groups.append(g2)
            if held is not None:
                fixed[g.name] = held
        if not streams:
            cases.append(IntervalCase(i, lo, None, {}))
            continue
        sc = scenario.model_copy(update={"start": scenario.start + timedelta(seconds=lo), "duration_s": window,
                                         "horizon_s": None, "arrivals": streams, "agents": groups})
        cases.append(IntervalCase(i, lo, sc, fixed))
    return cases


@dataclass(frozen=True)
class IntervalStaffing:
    case: IntervalCase
    start: datetime
    result: StaffingResult | None  # None: no arrivals (or none at a targeted queue) in the interval

    def to_dict(self) -> dict[str, Any]:
        return {"interval": self.case.index, "start": self.start.isoformat(),
                "result": None if self.result is None else self.result.to_dict()}


def search_intervals(scenario: Scenario, targets: dict[str, QueueTarget], options: SearchOptions,
                     window_s: float | None = None, progress: Progress | None = None) -> list[IntervalStaffing]:
    """One ``search_staffing`` per interval (``options.max_evaluations`` each); targets for queues nobody
    reaches in an interval are dropped there."""
    from blendcc.sim.staffing_erlang import queue_loads

    out = []
    for case in interval_cases(scenario, window_s):
        start = scenario.start + timedelta(seconds=case.start_s)
        if case.scenario is None:
            out.append(IntervalStaffing(case, start, None))
            continue
        loaded = queue_loads(case.scenario)
        here = {q: t for q, t in targets.items() if q in loaded}
        bounds = {**options.bounds, **{g: (n, n) for g, n in case.fixed.items()}}
        opts = options.replace(bounds=bounds)
        result = search_staffing(case.scenario, here, opts, progress) if here else None
        out.append(IntervalStaffing(case, start, result))
    return out

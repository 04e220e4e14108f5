"""Surge what-if, part 1: a surge (volume x f, handle time x g over a window) applied to a scenario.

``surge_scenario(scenario, surge, rng)`` splits every arrival stream at the surge window: outside it the
stream is unchanged; inside it a ``<name>-surge`` stream carries the contacts of the window with the
volume factor and the handle-time factor applied:

* Poisson streams: the expected arrivals of each of the stream's intervals inside the window are
  multiplied (a constant ``rate_per_s`` becomes ``per_interval`` counts on the report interval first);
* replayed streams: each recorded contact in the window is kept; for a factor above 1, ``f - 1``
  times as many extra contacts are added, each a copy of a recorded contact of the same report
  interval (its handle time, patience, priority, attributes) at a uniform time in that interval; for a
  factor below 1 each contact is kept with probability ``f`` (all draws from ``rng``);
* handle time: talk (the stream's distribution and recorded ``handle_s``) and after-contact work (the
  stream's ``acw``, else the agent groups' common ``acw``) are both multiplied by the factor.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.sim.distributions import Constant, Distribution, Empirical, Exponential, LogNormal
from blendcc.sim.scenario import ArrivalStream, Poisson, Replay, ReplayContact, Scenario

SURGE_SUFFIX = "-surge"


@dataclass(frozen=True)
class Surge:
    """Volume and handle-time factors over [``start_s``, ``end_s``) (seconds from the scenario start)."""

    start_s: float
    end_s: float
    volume: float = 1.0
    aht: float = 1.0

    def check(self, scenario: Scenario) -> None:
        for name, f in (("volume", self.volume), ("handle time", self.aht)):
            if not (math.isfinite(f) and 0.0 < f <= 10.0):
                raise ValidationFailed(f"surge {name} factor must be > 0 and at most 10 (x10), got {f:g}")
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s) and 0.0 <= self.start_s < self.end_s):
            raise ValidationFailed("the surge window must start at or after the scenario start and end after it starts")
        if self.start_s >= scenario.duration_s:
            raise ValidationFailed("the surge window starts after the scenario's arrival window ends")

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "volume": self.volume, "aht": self.aht}


def scale(d: Distribution, factor: float) -> Distribution:
    """The distribution of ``factor`` x a draw of ``d``."""
    if isinstance(d, Exponential):
        return Exponential(dist="exponential", mean_s=d.mean_s * factor)
    if isinstance(d, LogNormal):
        return LogNormal(dist="lognormal", mean_s=d.mean_s * factor, sd_s=d.sd_s * factor)
    if isinstance(d, Empirical):
        return Empirical(dist="empirical", values_s=[v * factor for v in d.values_s], weights=d.weights)
    return Constant(dist="constant", value_s=d.value_s * factor)


def _acw(scenario: Scenario, stream: ArrivalStream, factor: float) -> Distribution | None:
    if factor == 1.0:
        return stream.acw
    if stream.acw is not None:
        return scale(stream.acw, factor)
    groups = {g.acw.model_dump_json() for g in scenario.agents}
    if len(groups) > 1:
        raise ValidationFailed("a handle-time surge needs one after-contact work for all agent groups "
                               "(or an acw on each arrival stream)")
    return scale(scenario.agents[0].acw, factor)


def _as_intervals(p: Poisson, duration_s: float, width: float) -> Poisson:
    if p.per_interval is not None:
        return p
    assert p.rate_per_s is not None
    n = math.ceil((duration_s - p.start_s) / width - 1e-9)
    return p.model_copy(update={"rate_per_s": None, "interval_s": width, "per_interval": [p.rate_per_s * width] * n})


def _split_poisson(p: Poisson, duration_s: float, width: float, surge: Surge) -> tuple[Poisson | None, Poisson | None]:
    q = _as_intervals(p, duration_s, width)
    step = q.interval_s or width
    outside: list[float] = []
    inside: list[float] = []
    for i, n in enumerate(q.per_interval or []):
        lo, hi = q.start_s + i * step, q.start_s + (i + 1) * step
        within = surge.start_s <= lo and hi <= surge.end_s + 1e-9
        if not within and lo < surge.end_s and hi > surge.start_s:
            raise ValidationFailed(f"the surge window must start and end on the stream's interval boundaries "
                                   f"({step:g} s from its start)")
        outside.append(0.0 if within else n)
        inside.append(n * surge.volume if within else 0.0)

    def part(values: list[float]) -> Poisson | None:
        return q.model_copy(update={"per_interval": values}) if any(values) else None

    return part(outside), part(inside)


def _split_replay(p: Replay, width: float, surge: Surge, rng: random.Random) -> tuple[list[ReplayContact],
                                                                                    list[ReplayContact]]:
    outside: list[ReplayContact] = []
    by_slot: dict[int, list[ReplayContact]] = {}
    for c in p.records():
        if surge.start_s <= c.t_s < surge.end_s:
            by_slot.setdefault(int(c.t_s // width), []).append(c)
        else:
            outside.append(c)
    inside: list[ReplayContact] = []
    for slot, contacts in sorted(by_slot.items()):
        if surge.volume < 1.0:
            chosen = [c for c in contacts if rng.random() < surge.volume]
        else:
            extra = len(contacts) * (surge.volume - 1.0)
            n_extra = int(extra) + (1 if rng.random() < extra - int(extra) else 0)
            lo = max(slot * width, surge.start_s)
            hi = min((slot + 1) * width, surge.end_s)
            chosen = list(contacts)
            for _ in range(n_extra):
                src = contacts[int(rng.random() * len(contacts))]
                chosen.append(src.model_copy(update={"t_s": lo + rng.random() * (hi - lo)}))
        for c in chosen:
            handle = None if c.handle_s is None else c.handle_s * surge.aht
            acw = None if c.acw_s is None else c.acw_s * surge.aht
            inside.append(c.model_copy(update={"handle_s": handle, "acw_s": acw}))
    inside.sort(key=lambda c: c.t_s)
    return outside, inside


def surge_scenario(scenario: Scenario, surge: Surge, rng: random.Random) -> Scenario:
    """``scenario`` with ``surge`` applied (see the module docstring); deterministic for a seeded ``rng``."""
    surge.check(scenario)
    width = float(scenario.report_interval_s)
    streams: list[ArrivalStream] = []
    for s in scenario.arrivals:
        hot: dict[str, Any] = {"name": f"{s.name[:40 - len(SURGE_SUFFIX)]}{SURGE_SUFFIX}",
                               "handle": scale(s.handle, surge.aht), "acw": _acw(scenario, s, surge.aht)}
        if isinstance(s.process, Poisson):
            cold_p, hot_p = _split_poisson(s.process, scenario.duration_s, width, surge)
            if cold_p is not None:
                streams.append(s.model_copy(update={"process": cold_p}))
            if hot_p is not None:
                streams.append(s.model_copy(update={**hot, "process": hot_p}))
            continue
        cold, warm = _split_replay(s.process, width, surge, rng)
        if cold:
            streams.append(s.model_copy(update={"process": Replay(kind="replay", contacts=cold)}))
        if warm:
            streams.append(s.model_copy(update={**hot, "process": Replay(kind="replay", contacts=warm)}))
    if not streams:
        raise ValidationFailed("no contact arrives in the surged scenario (a volume factor this low leaves none)")
    last = max((c.t_s for st in streams if isinstance(st.process, Replay) for c in st.process.contacts),
               default=0.0)
    duration = max(scenario.duration_s, last + 1.0)
    return scenario.model_copy(update={"arrivals": streams, "duration_s": duration})

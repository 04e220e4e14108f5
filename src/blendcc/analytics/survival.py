"""Kaplan-Meier survival estimation (e.g. caller patience with censoring at service start).

Pure: durations and event flags in, a step survival curve out. Ties follow the usual convention: at
a time t the events happen before the censorings, so a subject censored at t is still at risk at t.
Sampling is inverse-transform with an injected uniform, optionally conditional on surviving beyond a
time (``S(t) / S(b)`` for t > b), with an exponential tail past the last observed time when the curve
ends above zero.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SurvivalCurve:
    """``survival[i]`` is S(t) for ``times[i] <= t < times[i + 1]`` (S = 1 before ``times[0]``).

    ``times`` are the distinct times with at least one event, ascending; ``at_risk[i]`` and
    ``events[i]`` are the risk-set size and the number of events at ``times[i]``. ``tail_rate`` is the
    constant hazard (events / total time at risk over the whole sample) used past the last time.
    """

    times: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    n: int
    n_events: int
    max_time: float
    tail_rate: float

    def at(self, t: float) -> float:
        """S(t) = P(T > t) (right-continuous step function)."""
        i = bisect.bisect_right(self.times, t)
        return 1.0 if i == 0 else self.survival[i - 1]

    def quantile(self, p: float) -> float | None:
        """Smallest t with S(t) <= 1 - p; None when the curve never gets that low."""
        if not 0.0 < p < 1.0:
            raise ValueError("p must be in (0, 1)")
        target = 1.0 - p
        for t, s in zip(self.times, self.survival, strict=True):
            if s <= target + 1e-12:
                return t
        return None

    def median(self) -> float | None:
        return self.quantile(0.5)

    def restricted_mean(self, horizon: float | None = None) -> float:
        """Area under S from 0 to ``horizon`` (default: the largest observed time)."""
        end = self.max_time if horizon is None else horizon
        if end <= 0:
            return 0.0
        area, prev_t, prev_s = 0.0, 0.0, 1.0
        for t, s in zip(self.times, self.survival, strict=True):
            if t >= end:
                break
            area += prev_s * (t - prev_t)
            prev_t, prev_s = t, s
        return area + prev_s * (end - prev_t)

    def sample(self, u: float, beyond: float = 0.0) -> float:
        """A draw T with P(T > t) = S(t) / S(beyond) for t > beyond, from a uniform ``u`` in [0, 1).

        Inverse transform: T is the first curve time where S falls to ``(1 - u) * S(beyond)`` or below
        (the step's time). Below the curve's last value, S continues as ``S_last * exp(-tail_rate *
        (t - max_time))``; past ``max_time`` the draw is ``beyond`` plus an exponential at ``tail_rate``.
        With no events at all T is infinite.
        """
        if not 0.0 <= u < 1.0:
            raise ValueError("u must be in [0, 1)")
        if beyond >= self.max_time:
            return beyond - math.log1p(-u) / self.tail_rate if self.tail_rate > 0 else math.inf
        target = (1.0 - u) * self.at(beyond)
        # survival is non-increasing: binary search the first time after ``beyond`` with S <= target
        lo, hi = bisect.bisect_right(self.times, beyond), len(self.times)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.survival[mid] <= target:
                hi = mid
            else:
                lo = mid + 1
        if lo < len(self.times):
            return self.times[lo]
        if self.tail_rate <= 0:
            return math.inf
        last_s = self.survival[-1] if self.survival else 1.0
        return self.max_time + math.log(last_s / target) / self.tail_rate


def kaplan_meier(durations: Iterable[float], observed: Iterable[bool]) -> SurvivalCurve:
    """Kaplan-Meier estimate from durations and event flags (True: the event happened at that time;
    False: censored, e.g. a caller served after waiting that long)."""
    pairs = sorted(zip(durations, observed, strict=True), key=lambda p: p[0])
    if any(d < 0 or math.isnan(d) for d, _ in pairs):
        raise ValueError("durations must be non-negative numbers")
    n = len(pairs)
    times: list[float] = []
    surv: list[float] = []
    at_risk: list[int] = []
    events: list[int] = []
    s = 1.0
    risk = n
    i = 0
    while i < n:
        t = pairs[i][0]
        d = c = 0
        while i < n and pairs[i][0] == t:
            if pairs[i][1]:
                d += 1
            else:
                c += 1
            i += 1
        if d:
            s *= 1.0 - d / risk
            times.append(t)
            surv.append(s)
            at_risk.append(risk)
            events.append(d)
        risk -= d + c
    total_events = sum(events)
    exposure = sum(d for d, _ in pairs)
    return SurvivalCurve(times=tuple(times), survival=tuple(surv), at_risk=tuple(at_risk),
                         events=tuple(events), n=n, n_events=total_events,
                         max_time=pairs[-1][0] if pairs else 0.0,
                         tail_rate=total_events / exposure if exposure > 0 else 0.0)

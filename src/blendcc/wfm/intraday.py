"""Intraday re-forecast: scale the rest of today's forecast by today's damped actual/forecast ratio; staffing gap.

The ratio is damped by a gamma-Poisson prior worth ``prior_contacts`` contacts centred on 1:
``(prior + actual so far) / (prior + forecast so far)``. Early in the day, with few contacts seen, it
stays near 1; as the day's evidence grows it tends to actual / forecast. Required agents per interval
come from :func:`blendcc.wfm.erlang.required_agents` (Erlang C, service-level target); the gap is
staffed - required (negative: short of agents).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.erlang import required_agents


@dataclass
class IntradayView:
    forecast: np.ndarray  # the day's original forecast per interval
    actual: np.ndarray  # actuals of the elapsed intervals
    reforecast: np.ndarray  # actuals for elapsed intervals, damped-scaled forecast for the rest
    aht_s: np.ndarray
    ratio: float | None  # actual / forecast so far (None before any forecast volume)
    damped_ratio: float
    required: list[int | None]  # required agents per interval (None for elapsed intervals)
    gap: list[int | None]  # staffed - required (None without a staffed figure or for elapsed intervals)

    @property
    def elapsed(self) -> int:
        return int(self.actual.shape[0])


def damped_ratio(actual_so_far: float, forecast_so_far: float, prior_contacts: float) -> float:
    if prior_contacts <= 0:
        raise ValidationFailed("the prior must be > 0 contacts")
    return (prior_contacts + actual_so_far) / (prior_contacts + forecast_so_far)


def intraday_view(forecast: np.ndarray, aht_s: np.ndarray, actual: np.ndarray, interval_min: int, *,
                  staffed: int | None = None, sl_target: float = 0.8, sl_threshold_s: float = 20.0,
                  prior_contacts: float = 50.0) -> IntradayView:
    """Re-forecast the intervals after ``len(actual)`` and compute required agents and gap for them."""
    n = int(actual.shape[0])
    if n > forecast.shape[0]:
        raise ValidationFailed("more actual intervals than the day has")
    if not 0 < sl_target < 1:
        raise ValidationFailed("sl_target is between 0 and 1")
    so_far_f, so_far_a = float(forecast[:n].sum()), float(actual.sum())
    ratio = so_far_a / so_far_f if so_far_f > 0 else None
    damped = damped_ratio(so_far_a, so_far_f, prior_contacts)
    re = forecast.astype(float) * damped
    re[:n] = actual
    interval_s = interval_min * 60.0
    required: list[int | None] = [None] * n
    gap: list[int | None] = [None] * n
    for k in range(n, forecast.shape[0]):
        need = required_agents(float(re[k]) / interval_s, max(float(aht_s[k]), 1.0), sl_target=sl_target,
                               sl_threshold_s=sl_threshold_s)
        required.append(need)
        gap.append(None if staffed is None else staffed - need)
    return IntradayView(forecast.astype(float), actual.astype(float), re, aht_s.astype(float), ratio, damped,
                        required, gap)

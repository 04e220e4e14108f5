"""A history made ready to fit: gaps treated per policy, planner, calendar and anomalous days excluded and imputed.

Excluded days (special days the planner marked, public holidays from a country calendar, gap days under
the ``holiday`` policy, anomalous days) are replaced by the mean of up to 4 earlier normal days of the same
weekday and are not scored in backtests; interpolated days are fitted but not scored either. The ratio of
what past calendar holidays actually got to what their weekday would have got is learnt here, for the
calendar holidays of the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from blendcc.wfm.gaps import Gaps, anomalies, country_holidays, detect_gaps, interpolate, missing_mask
from blendcc.wfm.series import Series


def impute_special(volume: np.ndarray, first_weekday: int, special: np.ndarray) -> np.ndarray:
    """Replace special days by the mean of up to 4 earlier (else later) normal days of the same weekday."""
    out = volume.astype(float).copy()
    wd = (np.arange(volume.shape[0]) + first_weekday) % 7
    normal = ~special
    for d in np.flatnonzero(special):
        same = np.flatnonzero((wd == wd[d]) & normal)
        before = same[same < d][-4:]
        pick = before if before.size else same[same > d][:4]
        out[d] = volume[pick].mean(axis=0) if pick.size else 0.0
    return out


@dataclass
class Prepared:
    clean: np.ndarray  # days x slots, what the models are fitted on
    excluded: np.ndarray  # bool per day: imputed, not scored
    unscored: np.ndarray  # bool per day: not scored (excluded or interpolated)
    gaps: Gaps
    anomalous: list[int] = field(default_factory=list)
    calendar: dict[date, str] = field(default_factory=dict)  # holidays of the history and the horizon
    holiday_factor: float | None = None  # past calendar holidays' volume / their imputed normal volume
    notes: list[str] = field(default_factory=list)


def prepare(series: Series, horizon_days: int, planner_days: Sequence[date] = (), *, gaps: str = "holiday",
            country: str | None = None, exclude_anomalies: bool = True) -> Prepared:
    """Treat the gaps of ``series`` (``gaps``: holiday, zero or interpolate), exclude planner days,
    ``country`` holidays and (with ``exclude_anomalies``) anomalous days, and impute what is excluded."""
    days = series.days
    found = detect_gaps(series)
    notes = [line if line.startswith("closed") else f"gaps treated as {gaps}: {line}"
             for line in found.describe(series)]
    excluded = np.zeros(days, dtype=bool)
    for d in planner_days:
        k = (d - series.first_day).days
        if 0 <= k < days:
            excluded[k] = True
    volume = series.volume.astype(float)
    unscored = np.zeros(days, dtype=bool)
    if gaps == "holiday":
        excluded[found.days] = True
    elif gaps == "interpolate" and found.days:
        mask = missing_mask(series, found)
        volume = interpolate(volume, series.first_day.weekday(), mask)
        unscored[found.days] = True
    calendar: dict[date, str] = {}
    past_holidays: list[int] = []
    if country:
        last = series.day(days - 1) + timedelta(days=horizon_days)
        calendar = country_holidays(country, series.first_day, last)
        past_holidays = [k for d in calendar if 0 <= (k := (d - series.first_day).days) < days]
        if past_holidays:
            notes.append(f"{len(past_holidays)} public holidays ({country}) in the history excluded")
    closed = np.isin(series.weekdays, found.closed_weekdays)
    odd: list[int] = []
    if exclude_anomalies:
        skip = excluded | closed | unscored
        skip[found.days] = True  # gaps are the policy's business (under 'zero' they are taken as real)
        skip[past_holidays] = True
        odd = anomalies(volume, series.first_day.weekday(), skip)
        if odd:
            shown = ", ".join(str(series.day(d)) for d in odd[:8]) + (f" and {len(odd) - 8} more"
                                                                        if len(odd) > 8 else "")
            notes.append(f"{len(odd)} anomalous days excluded: {shown}")
        excluded[odd] = True
    factor = None
    if past_holidays:
        excluded_wo = excluded.copy()
        excluded_wo[past_holidays] = True
        normal = impute_special(volume, series.first_day.weekday(), excluded_wo)
        expected = float(normal[past_holidays].sum())
        factor = float(volume[past_holidays].sum()) / expected if expected > 0 else None
        excluded = excluded_wo
    clean = impute_special(volume, series.first_day.weekday(), excluded) if excluded.any() else volume
    return Prepared(clean, excluded, excluded | unscored, found, odd, calendar, factor, notes)

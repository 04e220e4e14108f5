"""Candidate volume models: the seasonal-naive 4-week baseline and statsforecast models, one signature.

A model maps a history (``days x slots`` volumes on the local wall clock, weekday of its first day)
to ``horizon_days x slots`` forecasts starting the day after the history. The registry order is the
tie-break order of the backtest (the baseline first, so a model must be strictly better to win).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

BASELINE = "seasonal_naive_4w"
#: days of history the interval-level MSTL is fitted on (8 weeks: intraday and weekly cycles, fast)
MSTL_FIT_DAYS = 56
#: days of daily totals the daily models are fitted on (half a year, or two years for the yearly one)
DAILY_FIT_DAYS = 182
#: weeks the intraday profile of the daily models averages (8: the shape is stable, Poisson noise is not)
PROFILE_WEEKS = 8


class NotEnoughHistory(ValueError):
    """The model needs more days than the history has."""


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    min_days: int
    fn: Callable[..., np.ndarray]
    dated: bool = False  # fn takes the history's first date as a fourth argument


def _weekday_of(first_weekday: int, n: int, start: int = 0) -> np.ndarray:
    return (np.arange(start, start + n) + first_weekday) % 7


def seasonal_naive_4w(volume: np.ndarray, first_weekday: int, horizon_days: int) -> np.ndarray:
    """Each interval: the mean of the same interval on the same weekday over the last 4 weeks."""
    days = volume.shape[0]
    hist_wd = _weekday_of(first_weekday, days)
    out = np.empty((horizon_days, volume.shape[1]))
    for k, wd in enumerate(_weekday_of(first_weekday, horizon_days, days)):
        same = np.flatnonzero(hist_wd == wd)[-4:]
        out[k] = volume[same].mean(axis=0) if same.size else volume.mean(axis=0)
    return out


def weekday_profile(volume: np.ndarray, first_weekday: int, weeks: int = 4) -> np.ndarray:
    """7 x slots: each weekday's share of its day's volume per interval, over its last ``weeks`` days."""
    days, slots = volume.shape
    hist_wd = _weekday_of(first_weekday, days)
    prof = np.zeros((7, slots))
    overall = volume[-7 * weeks:].sum(axis=0)
    for wd in range(7):
        same = np.flatnonzero(hist_wd == wd)[-weeks:]
        total = volume[same].sum(axis=0) if same.size else overall
        s = total.sum()
        prof[wd] = total / s if s > 0 else (overall / overall.sum() if overall.sum() > 0 else 1.0 / slots)
    return prof


def _statsforecast(models: list[object], y: np.ndarray, h: int) -> np.ndarray:
    import pandas as pd  # here, not at import: the server starts without pandas (ADR 0059)
    from statsforecast import StatsForecast

    frame = pd.DataFrame({"unique_id": "s", "ds": np.arange(len(y)), "y": y.astype(float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = StatsForecast(models=models, freq=1, n_jobs=1).forecast(df=frame, h=h)
    col = next(c for c in fc.columns if c not in ("unique_id", "ds"))
    values: np.ndarray = np.asarray(fc[col].to_numpy(dtype=float), dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("the model produced non-finite values")
    return values


def _daily_times_profile(model_factory: Callable[[], list[object]], fit_days: int) -> Callable[
        [np.ndarray, int, int], np.ndarray]:
    def fn(volume: np.ndarray, first_weekday: int, horizon_days: int) -> np.ndarray:
        daily = volume.sum(axis=1)[-fit_days:]
        totals = np.clip(_statsforecast(model_factory(), daily, horizon_days), 0.0, None)
        prof = weekday_profile(volume, first_weekday, PROFILE_WEEKS)
        wds = _weekday_of(first_weekday, horizon_days, volume.shape[0])
        out: np.ndarray = totals[:, None] * prof[wds]
        return out
    return fn


def seasonal_naive_1w(volume: np.ndarray, first_weekday: int, horizon_days: int) -> np.ndarray:
    from statsforecast.models import SeasonalNaive

    slots = volume.shape[1]
    y = volume[-28:].ravel()
    return _statsforecast([SeasonalNaive(season_length=7 * slots)], y, horizon_days * slots).reshape(
        horizon_days, slots)


def mstl_intraday_weekly(volume: np.ndarray, first_weekday: int, horizon_days: int) -> np.ndarray:
    from statsforecast.models import MSTL

    slots = volume.shape[1]
    y = volume[-MSTL_FIT_DAYS:].ravel()
    fc = _statsforecast([MSTL(season_length=[slots, 7 * slots])], y, horizon_days * slots)
    out: np.ndarray = np.clip(fc, 0.0, None).reshape(horizon_days, slots)
    return out


def _ets() -> list[object]:
    from statsforecast.models import AutoETS

    return [AutoETS(season_length=7)]


def _arima() -> list[object]:
    from statsforecast.models import AutoARIMA

    return [AutoARIMA(season_length=7)]


def _mstl_yearly() -> list[object]:
    from statsforecast.models import MSTL, AutoETS

    return [MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"))]


#: days of history the day-of-month factors are learnt from, and their shrinkage towards 1 (in days)
DOM_FIT_DAYS = 364
DOM_PRIOR_DAYS = 4.0


def day_of_month_factors(daily: np.ndarray, first_weekday: int, first_day: date) -> np.ndarray:
    """32 factors (index = day of month): how a day's total compares with its weekday's local level (the
    mean of the same weekday 1 to 3 weeks either side), averaged over neighbouring days of the month and
    shrunk towards 1 by DOM_PRIOR_DAYS pseudo-days."""
    days = daily.size
    wd = _weekday_of(first_weekday, days)
    dom = np.array([(first_day + timedelta(days=int(i))).day for i in range(days)])
    sums, counts = np.zeros(32), np.zeros(32)
    for t in range(days):
        same = np.array([t + 7 * k for k in (-3, -2, -1, 1, 2, 3) if 0 <= t + 7 * k < days])
        level = daily[same].mean() if same.size >= 2 else 0.0
        if level <= 0 or wd[t] != wd[same[0]]:
            continue
        for b in (dom[t] - 1, dom[t], dom[t] + 1):  # each day also informs its neighbours
            if 1 <= b <= 31:
                sums[b] += daily[t] / level
                counts[b] += 1.0
    factors: np.ndarray = (sums + DOM_PRIOR_DAYS) / (counts + DOM_PRIOR_DAYS)
    return factors


def weekday_day_of_month(volume: np.ndarray, first_weekday: int, horizon_days: int, first_day: date) -> np.ndarray:
    """Each weekday's level over its last 8 weeks (with the day-of-month effect taken out) times the
    day-of-month factor of the target date, times the weekday's intraday profile."""
    days = volume.shape[0]
    start = max(0, days - DOM_FIT_DAYS)
    daily = volume.sum(axis=1)
    factors = day_of_month_factors(daily[start:], (first_weekday + start) % 7, first_day + timedelta(days=start))
    dom = np.array([(first_day + timedelta(days=int(i))).day for i in range(days + horizon_days)])
    hist_wd = _weekday_of(first_weekday, days)
    prof = weekday_profile(volume, first_weekday, PROFILE_WEEKS)
    out = np.empty((horizon_days, volume.shape[1]))
    for k, wd in enumerate(_weekday_of(first_weekday, horizon_days, days)):
        same = np.flatnonzero(hist_wd == wd)[-PROFILE_WEEKS:]
        level = float(np.mean(daily[same] / factors[dom[same]])) if same.size else float(daily.mean())
        out[k] = level * factors[dom[days + k]] * prof[wd]
    return out


MODELS: dict[str, Model] = {m.name: m for m in (
    Model(BASELINE, "same interval, same weekday, mean of the last 4 weeks (baseline)", 7, seasonal_naive_4w),
    Model("seasonal_naive_1w", "statsforecast SeasonalNaive: the same interval one week earlier", 7,
          seasonal_naive_1w),
    Model("mstl", "statsforecast MSTL on intervals, intraday + weekly seasons (last 8 weeks)", 28,
          mstl_intraday_weekly),
    Model("daily_ets_profile", "statsforecast AutoETS (weekly season) on daily totals x weekday intraday profile",
          28, _daily_times_profile(_ets, DAILY_FIT_DAYS)),
    Model("daily_arima_profile", "statsforecast AutoARIMA (weekly season) on daily totals x weekday intraday "
          "profile", 42, _daily_times_profile(_arima, DAILY_FIT_DAYS)),
    Model("daily_mstl_yearly_profile", "statsforecast MSTL on daily totals, weekly + yearly seasons, x weekday "
          "intraday profile (needs two years)", 2 * 365 + 28, _daily_times_profile(_mstl_yearly, 3 * 365)),
    Model("weekday_day_of_month", "each weekday's 8-week level x a day-of-month factor learnt from the last year "
          "x weekday intraday profile", 91, weekday_day_of_month, dated=True),
)}


def predict(name: str, volume: np.ndarray, first_weekday: int, horizon_days: int,
            first_day: date | None = None) -> np.ndarray:
    """Forecast with model ``name``; NotEnoughHistory when the history is shorter than it needs (or a
    dated model is not given the history's first date)."""
    model = MODELS[name]
    if volume.shape[0] < model.min_days:
        raise NotEnoughHistory(f"{name} needs {model.min_days} days of history, got {volume.shape[0]}")
    if model.dated and first_day is None:
        raise NotEnoughHistory(f"{name} needs the calendar dates of the history")
    out = model.fn(volume, first_weekday, horizon_days, first_day) if model.dated else model.fn(
        volume, first_weekday, horizon_days)
    clipped: np.ndarray = np.clip(np.asarray(out, dtype=float), 0.0, None)
    return clipped

#: the candidates a backtest scores unless told otherwise: the interval-level MSTL and the one-week naive
#: are slower and scored worse than the baseline on the 1999 bank data (docs/wfm-forecasting.md); name
#: them with ``models`` to include them
DEFAULT_MODELS = (BASELINE, "daily_ets_profile", "daily_arima_profile", "daily_mstl_yearly_profile",
                  "weekday_day_of_month")

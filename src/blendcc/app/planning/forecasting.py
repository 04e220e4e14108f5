"""Forecasting use cases: forecast posted series or the store's history per queue/channel, and intraday views."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import Clock, ReportReader
from blendcc.wfm.forecast import Override, SeriesForecast, SpecialDay, apply_overrides, forecast_series, rows
from blendcc.wfm.intraday import IntradayView, intraday_view
from blendcc.wfm.series import Series, check_interval, long_from_counters, to_series

if TYPE_CHECKING:
    import pandas as pd

#: days of store history a queue forecast reads by default (half a year)
HISTORY_DAYS = 182
MAX_HISTORY_DAYS = 3 * 366


def parse_horizon(text: str | int) -> int:
    """'14d', '2w' or '14' -> days."""
    m = re.fullmatch(r"\s*(\d{1,6})\s*([dDwW]?)\s*", str(text))
    if not m:
        raise ValidationFailed(f"cannot read horizon {text!r}: use days ('14d') or weeks ('2w')")
    days = int(m[1]) * (7 if m[2].lower() == "w" else 1)
    if not 1 <= days <= 366:
        raise ValidationFailed("the horizon is 1 to 366 days")
    return days


@dataclass
class ForecastRun:
    forecasts: list[SeriesForecast]
    rows: list[dict[str, object]]
    overridden: int  # intervals changed by overrides

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "overridden_intervals": self.overridden,
                "series": [summary(f) for f in self.forecasts]}


def summary(f: SeriesForecast) -> dict[str, Any]:
    return {"queue": f.queue, "channel": f.channel, "interval_min": f.interval_min, "model": f.model,
            "first_day": f.first_day.isoformat(), "days": len(f.days), "total_volume": round(float(f.volume.sum()), 1),
            "backtest": None if f.backtest is None else {"horizon_days": f.backtest.horizon_days,
                                                          "origins": len(f.backtest.origins),
                                                          "chosen": f.backtest.chosen, "models": f.backtest.table()},
            "weights": f.weights, "level": f.level,
            "aht_backtest": None if f.aht_backtest is None else {"chosen": f.aht_backtest.chosen,
                                                                  "handle_wape": f.aht_backtest.scores},
            "special_days": {d.isoformat(): like for d, like in f.special.items()},
            "excluded_history_days": [d.isoformat() for d in f.excluded], "notes": f.notes}


def run_forecast(series: Sequence[Series], horizon_days: int, tz: str, *, special_days: Sequence[SpecialDay] = (),
                 overrides: Sequence[Override] = (), models: Sequence[str] | None = None, model: str | None = None,
                 run_backtest: bool = True, n_origins: int = 12, default_aht_s: float | None = None,
                 progress: Callable[[str, int, int], None] | None = None, **options: Any) -> ForecastRun:
    """Forecast every series; without handle times (and no ``default_aht_s``) the forecast is volume only
    (aht_s None) and says so in its notes. ``progress(series name, done, total)`` follows the backtests;
    ``options`` go to :func:`forecast_series` (gaps, country, exclude_anomalies, level, combined)."""
    if not series:
        raise ValidationFailed("no history to forecast from")
    out = []
    for s in series:
        name = f"{s.queue}/{s.channel}"

        def step(done: int, total: int, name: str = name) -> None:
            if progress is not None:
                progress(name, done, total)

        f = forecast_series(s, horizon_days, special_days=special_days, models=models, model=model,
                            run_backtest=run_backtest, n_origins=n_origins, default_aht_s=default_aht_s,
                            progress=step, **options)
        if f.aht_s is None:
            f.notes.append("volume only: the history has no handle times (staffing needs an AHT: --aht)")
        out.append(f)
    changed = apply_overrides(out, overrides)
    return ForecastRun(out, rows(out, tz), changed)


class ForecastingService:
    """Forecasts from the store's per-15-minute queue counters (offered = volume, AHT as in reports)."""

    def __init__(self, reader: ReportReader, clock: Clock, tz: str = "UTC",
                 staffed: Callable[[str], int] | None = None):
        self.reader = reader
        self.clock = clock
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self.staffed = staffed

    def recent_history(self, queue_id: str, interval_min: int, days: int) -> list[dict[str, Any]]:
        """The last ``days`` days before today of a queue, as forecast-like rows (volume and AHT per interval)."""
        return history_rows(self.history(interval_min, max(7, days), queue_id), self.zone, days)

    def _midnight(self, d: date) -> float:
        return datetime(d.year, d.month, d.day, tzinfo=self.zone).timestamp()

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock.now(), self.zone).date()

    def history(self, interval_min: int, history_days: int, queue_id: str | None = None,
                include_today: bool = False) -> list[Series]:
        """Series per (queue, channel) from ``history_days`` before today up to today's start (or now)."""
        check_interval(interval_min)
        if not 7 <= history_days <= MAX_HISTORY_DAYS:
            raise ValidationFailed(f"history_days is 7 to {MAX_HISTORY_DAYS}")
        today = self.today()
        start = self._midnight(today - timedelta(days=history_days))
        end = self._midnight(today + timedelta(days=1)) if include_today else self._midnight(today)
        table = {k: c for k, c in self.reader.queue_counters(start, end).items()
                 if (queue_id is None or k[1] == queue_id) and start <= k[0] < end}
        frame = long_from_counters(table, self.tz)
        out = []
        for s in to_series(frame, interval_min):
            # pad to the full window: days without contacts are zeros, not missing
            first, last = today - timedelta(days=history_days), today if include_today else today - timedelta(days=1)
            lead, tail = (s.first_day - first).days, (last - s.day(s.days - 1)).days
            pad = ((lead, tail), (0, 0))
            h = None if s.handle_s is None else np.pad(s.handle_s, pad)
            n = None if s.handled is None else np.pad(s.handled, pad)
            out.append(Series(s.queue, s.channel, first, interval_min, np.pad(s.volume, pad), h, n))
        return out

    def forecast_store(self, interval_min: int = 30, horizon_days: int = 14, history_days: int = HISTORY_DAYS,
                       queue_id: str | None = None, **kwargs: Any) -> ForecastRun:
        """Forecast the days from today on, from the stored history that ends at today's start."""
        return run_forecast(self.stored_series(interval_min, history_days, queue_id), horizon_days, self.tz,
                            **kwargs)

    def stored_series(self, interval_min: int = 30, history_days: int = HISTORY_DAYS,
                      queue_id: str | None = None) -> list[Series]:
        """The stored history to forecast from; NotFound when it holds no contact (before any fitting)."""
        series = self.history(interval_min, history_days, queue_id)
        if not series or all(s.volume.sum() == 0 for s in series):
            raise NotFound(f"no contacts in the last {history_days} days" +
                           (f" for queue {queue_id}" if queue_id else ""))
        return series

    def intraday(self, queue_id: str, interval_min: int = 30, history_days: int = 56, *,
                 staffed: int | None = None, sl_target: float = 0.8, sl_threshold_s: float = 20.0,
                 prior_contacts: float = 50.0, default_aht_s: float = 180.0) -> dict[str, Any]:
        """Today's forecast per channel of ``queue_id``, re-forecast from today's actuals, with the staffing gap."""
        series = self.history(interval_min, history_days, queue_id, include_today=True)
        if not series:
            raise NotFound(f"no contacts for queue {queue_id} in the last {history_days} days")
        now = self.clock.now()
        local = datetime.fromtimestamp(now, self.zone)
        elapsed = (local.hour * 60 + local.minute) // interval_min  # slots of today that are complete
        if staffed is None and self.staffed is not None:
            staffed = self.staffed(queue_id)
        channels = []
        for s in series:
            past = s.window(0, s.days - 1)
            f = forecast_series(past, 1, run_backtest=False, default_aht_s=default_aht_s)
            assert f.aht_s is not None
            view = intraday_view(f.volume[0], f.aht_s[0], s.volume[-1][:elapsed], interval_min,
                                 staffed=staffed, sl_target=sl_target, sl_threshold_s=sl_threshold_s,
                                 prior_contacts=prior_contacts)
            channels.append(self._view_json(s, f, view, local.date()))
        return {"queue_id": queue_id, "at": now, "day": local.date().isoformat(), "interval_min": interval_min,
                "staffed": staffed, "sl_target": sl_target, "sl_threshold_s": sl_threshold_s, "channels": channels}

    def _view_json(self, s: Series, f: SeriesForecast, view: IntradayView, day: date) -> dict[str, Any]:
        starts = [datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(minutes=k * s.interval_min)
                  for k in range(s.slots)]
        intervals = []
        for k, t in enumerate(starts):
            intervals.append({
                "interval_start": t.isoformat(), "forecast": round(float(view.forecast[k]), 2),
                "actual": None if k >= view.elapsed else float(view.actual[k]),
                "reforecast": round(float(view.reforecast[k]), 2), "aht_s": round(float(view.aht_s[k]), 1),
                "required": view.required[k], "gap": view.gap[k]})
        return {"channel": s.channel, "model": f.model, "ratio": view.ratio, "damped_ratio": view.damped_ratio,
                "elapsed_intervals": view.elapsed, "actual_so_far": float(view.actual.sum()),
                "forecast_so_far": round(float(view.forecast[:view.elapsed].sum()), 2),
                "rest_of_day_forecast": round(float(view.reforecast[view.elapsed:].sum()), 2),
                "intervals": intervals}


def history_rows(series: Sequence[Series], zone: ZoneInfo, days: int) -> list[dict[str, Any]]:
    """The last ``days`` days of each series as rows {interval_start (local ISO), queue, channel, volume, aht_s}."""
    out: list[dict[str, Any]] = []
    for s in series:
        for d in range(max(0, s.days - days), s.days):
            day = s.day(d)
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            for k in range(s.slots):
                handled = float(s.aht_weight[d, k])
                aht = None if s.handle_s is None or handled <= 0 else round(float(s.handle_s[d, k]) / handled, 1)
                start = midnight + timedelta(minutes=k * s.interval_min)
                out.append({"interval_start": start.isoformat(), "queue": s.queue, "channel": s.channel,
                            "volume": float(s.volume[d, k]), "aht_s": aht})
    return out


def frame_from_points(points: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows posted to the API (interval_start, volume, optional aht_s, queue, channel) as a CSV-like frame."""
    if not points:
        raise ValidationFailed("the series has no points")
    import pandas as pd  # here, not at import: the server starts without pandas (ADR 0059)

    return pd.DataFrame(list(points))

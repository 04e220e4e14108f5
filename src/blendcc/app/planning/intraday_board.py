"""Today's intraday board of one queue: offered vs forecast, SL, ASA, abandonment, required vs logged-in agents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.queue_stats import QueueCounters, queue_kpis
from blendcc.app.planning.forecasting import ForecastingService
from blendcc.domain.errors import DomainError
from blendcc.wfm.erlang import required_agents
from blendcc.wfm.forecast import forecast_series
from blendcc.wfm.intraday import damped_ratio
from blendcc.wfm.series import check_interval

#: (queue, interval, day, history days) -> (forecast volume, AHT) per slot of the day; fitted once a day
_FORECASTS: dict[tuple[int, str, int, str, int], tuple[np.ndarray, np.ndarray] | None] = {}
_MAX_CACHED = 256


def day_forecast(fs: ForecastingService, queue_id: str, interval_min: int, history_days: int,
                 default_aht_s: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Today's forecast (volume, volume-weighted AHT per slot, every channel of the queue summed) from the
    history before today; None without history. Cached per day: the history before today does not change."""
    today = fs.today()
    key = (id(fs.reader), queue_id, interval_min, today.isoformat(), history_days)
    if key in _FORECASTS:
        return _FORECASTS[key]
    try:
        series = [s for s in fs.history(interval_min, history_days, queue_id) if s.volume.sum() > 0]
    except DomainError:
        series = []
    slots = 1440 // interval_min
    volume, work = np.zeros(slots), np.zeros(slots)
    fitted = False
    for s in series:
        try:
            f = forecast_series(s, 1, run_backtest=False, default_aht_s=default_aht_s)
        except DomainError:
            continue
        if f.aht_s is None:
            continue
        volume += f.volume[0]
        work += f.volume[0] * f.aht_s[0]
        fitted = True
    result = None
    if fitted:
        aht = np.where(volume > 0, work / np.where(volume > 0, volume, 1.0), default_aht_s)
        result = (volume, aht)
    if len(_FORECASTS) >= _MAX_CACHED:
        _FORECASTS.clear()
    _FORECASTS[key] = result
    return result


def logged_in_per_slot(intervals: Iterable[StateInterval], agents: set[str], day_start: float, now: float,
                       interval_s: float, slots: int) -> tuple[list[float | None], list[float | None]]:
    """Average agents logged in (any state but offline) and staffed (logged in, not in aux) per slot, up to
    now; None for slots that have not begun."""
    logged, staffed = np.zeros(slots), np.zeros(slots)
    for iv in intervals:
        if iv.agent_id not in agents or iv.state == "offline":
            continue
        a, b = max(iv.start, day_start), min(iv.end if iv.end is not None else now, now)
        k = int((a - day_start) // interval_s)
        while a < b and k < slots:
            edge = min(b, day_start + (k + 1) * interval_s)
            logged[k] += edge - a
            if iv.state != "aux":
                staffed[k] += edge - a
            a, k = edge, k + 1
    current = int((now - day_start) // interval_s)
    out_l: list[float | None] = []
    out_s: list[float | None] = []
    for k in range(slots):
        if k > current:
            out_l.append(None)
            out_s.append(None)
            continue
        span = min(interval_s, now - (day_start + k * interval_s))
        out_l.append(round(float(logged[k]) / span, 2) if span > 0 else 0.0)
        out_s.append(round(float(staffed[k]) / span, 2) if span > 0 else 0.0)
    return out_l, out_s


def required_per_slot(volume: Sequence[float], aht_s: Sequence[float], interval_s: float, sl_target: float,
                      sl_threshold_s: float, patience_s: float | None = None) -> list[int]:
    """Agents for each slot's forecast volume and AHT (0 when nothing is forecast): Erlang C, or Erlang A when
    the callers' mean ``patience_s`` is given (callers who abandon need no agent)."""
    return [required_agents(float(v) / interval_s, max(float(a), 1.0), sl_target=sl_target,
                            sl_threshold_s=sl_threshold_s, patience_s=patience_s) if v > 0 else 0
            for v, a in zip(volume, aht_s, strict=True)]


def board(fs: ForecastingService, queue_id: str, agents: set[str], sl_threshold_s: float, *,
          interval_min: int = 30, sl_target: float = 0.8, history_days: int = 56, prior_contacts: float = 50.0,
          default_aht_s: float = 180.0, staffed_now: int | None = None,
          patience_s: float | None = None) -> dict[str, Any]:
    """The queue's day so far and the rest of it, per ``interval_min`` slot of today (the centre's zone)."""
    check_interval(interval_min)
    zone = ZoneInfo(fs.tz)
    now = fs.clock.now()
    local = datetime.fromtimestamp(now, zone)
    day: date = local.date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    starts = [midnight + timedelta(minutes=k * interval_min) for k in range(1440 // interval_min)]
    slots, interval_s = len(starts), interval_min * 60.0
    day_start = midnight.timestamp()
    counters: list[QueueCounters] = [QueueCounters() for _ in range(slots)]
    for (at, q, _ch), c in fs.reader.queue_counters(day_start, day_start + 86400 + 7200).items():
        if q != queue_id:
            continue
        k = (datetime.fromtimestamp(at, zone) - midnight) // timedelta(minutes=interval_min)
        if 0 <= k < slots:
            counters[k].merge(c)
    elapsed = (local.hour * 60 + local.minute) // interval_min  # slots complete
    offered = np.array([float(c.offered) for c in counters])
    fc = day_forecast(fs, queue_id, interval_min, history_days, default_aht_s)
    forecast: list[float | None] = [None] * slots
    reforecast: list[float | None] = [None] * slots
    required: list[int | None] = [None] * slots
    ratio = damped = None
    if fc is not None:
        volume, aht = fc
        so_far_f, so_far_a = float(volume[:elapsed].sum()), float(offered[:elapsed].sum())
        ratio = so_far_a / so_far_f if so_far_f > 0 else None
        damped = damped_ratio(so_far_a, so_far_f, prior_contacts)
        forecast = [round(float(v), 2) for v in volume]
        reforecast = [None if k < elapsed else round(float(volume[k]) * damped, 2) for k in range(slots)]
        required = list(required_per_slot(volume.tolist(), aht.tolist(), interval_s, sl_target, sl_threshold_s,
                                               patience_s))
    logged, staffed = logged_in_per_slot(fs.reader.state_intervals(day_start, now), agents, day_start, now,
                                         interval_s, slots)
    rows = []
    for k, t in enumerate(starts):
        began = t.timestamp() <= now
        kpi = queue_kpis(counters[k])
        rows.append({
            "interval_start": t.isoformat(), "forecast": forecast[k], "reforecast": reforecast[k],
            "offered": kpi["offered"] if began else None, "handled": kpi["handled"] if began else None,
            "abandoned": kpi["abandoned"] if began else None, "service_level": kpi["service_level"],
            "asa_s": kpi["asa_s"], "abandon_rate": kpi["abandon_rate"], "aht_s": kpi["aht_s"],
            "required": required[k], "logged_in": logged[k], "staffed": staffed[k]})
    part = (now - starts[min(elapsed, slots - 1)].timestamp()) / interval_s  # of the current interval
    return {"queue_id": queue_id, "day": day.isoformat(), "timezone": fs.tz, "at": now, "interval_min": interval_min,
            "elapsed_intervals": elapsed, "sl_target": sl_target, "sl_threshold_s": sl_threshold_s,
            "staffing_model": "erlang_a" if patience_s is not None else "erlang_c", "has_forecast": fc is not None,
            "ratio": ratio, "damped_ratio": damped, "staffed_now": staffed_now,
            "totals": totals(counters, forecast, elapsed, part), "intervals": rows}


def totals(counters: Sequence[QueueCounters], forecast: Sequence[float | None], elapsed: int,
           part: float) -> dict[str, Any]:
    """The day so far: KPIs of every interval summed; the forecast of the complete intervals plus the ``part``
    (0 to 1) of the current one that has passed, so it compares with what has been offered by now."""
    acc = QueueCounters()
    for c in counters:
        acc.merge(c)
    kpi = queue_kpis(acc)
    f = [v for v in forecast[:elapsed] if v is not None]
    current = forecast[elapsed] if elapsed < len(forecast) else None
    if current is not None:
        f.append(current * min(max(part, 0.0), 1.0))
    return {"offered": kpi["offered"], "handled": kpi["handled"], "abandoned": kpi["abandoned"],
            "service_level": kpi["service_level"], "asa_s": kpi["asa_s"], "abandon_rate": kpi["abandon_rate"],
            "forecast_so_far": round(sum(f), 2) if f else None,
            "forecast_day": round(sum(v for v in forecast if v is not None), 2) if any(
                v is not None for v in forecast) else None}


def queue_agents(agent_queues: Mapping[str, Iterable[str]], queue_id: str) -> set[str]:
    """The agents configured for ``queue_id``."""
    return {a for a, queues in agent_queues.items() if queue_id in queues}

"""Interval forecasts of volume and AHT per queue/channel: model chosen by backtest, special days, overrides.

``forecast_series`` takes one history (:class:`blendcc.wfm.series.Series`, whole days on the local
wall clock) and forecasts the ``horizon_days`` after it:

1. gaps are treated per policy and special days in the history (planner's, a country's public holidays,
   anomalous days) are excluded from fitting (:mod:`blendcc.wfm.prepare`) and not scored in backtests;
2. the candidate models are backtested (rolling origin on the target's weekday) and the inverse-error
   weighted combination of the best ones forecasts, with a prediction interval per interval calibrated
   on the backtest's errors;
3. special days in the horizon are forecast from their reference day type (``like='saturday'``:
   that weekday's recent intraday shape at the model's level), as closed (zero) or as normal days, and
   public holidays at the ratio past holidays had to their weekday;
4. AHT per interval (when the history has handle times) is the best of the backtested AHT profiles
   (:mod:`blendcc.wfm.aht`); without handle times the forecast is volume only (AHT None);
5. planner overrides (absolute value or percentage, per interval or day range) are applied last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.aht import AHT_DEFAULT, AhtBacktest, backtest_aht, forecast_aht
from blendcc.wfm.backtest import COMBINED, Backtest, Progress, backtest, combine, interval_bounds
from blendcc.wfm.gaps import check_policy
from blendcc.wfm.models import BASELINE, MODELS, NotEnoughHistory, predict, seasonal_naive_4w
from blendcc.wfm.prepare import prepare
from blendcc.wfm.series import Series, localize

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SPECIAL_KINDS = (*WEEKDAYS, "closed", "normal")
FIELDS = ("volume", "aht_s")


@dataclass(frozen=True)
class SpecialDay:
    """A date treated specially: excluded from fitting; forecast like ``like`` (a weekday name),
    as ``closed`` (no contacts) or as a ``normal`` day."""

    day: date
    like: str = "normal"

    factor: float | None = None  # then forecast as a normal day times this (learnt from past holidays)
    name: str | None = None

    def __post_init__(self) -> None:
        if self.like not in SPECIAL_KINDS:
            raise ValidationFailed(f"special day {self.day}: 'like' must be one of {', '.join(SPECIAL_KINDS)}")


@dataclass(frozen=True)
class Override:
    """A planner's change to the forecast over [start, end) on the local wall clock: set every interval
    to ``value`` or scale it by ``percent`` (+10 = 10% more), for one queue/channel or all."""

    start: datetime
    end: datetime
    value: float | None = None
    percent: float | None = None
    field: str = "volume"
    queue: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.percent is None):
            raise ValidationFailed("an override sets either a value or a percentage")
        if self.end <= self.start:
            raise ValidationFailed("an override must end after it starts")
        if self.field not in FIELDS:
            raise ValidationFailed(f"an override changes one of {', '.join(FIELDS)}")
        if self.value is not None and self.value < 0:
            raise ValidationFailed("an override value must be >= 0")
        if self.percent is not None and self.percent < -100:
            raise ValidationFailed("an override cannot remove more than 100%")


_OVERRIDE = re.compile(r"^(?:(?P<prefix>[^=]*)@)?(?P<range>[^@=]+)=(?P<amount>[+-]?\d+(?:\.\d+)?)(?P<pct>%?)$")


def _moment(text: str, end: bool) -> datetime:
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=None)
        d = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"cannot read {text!r} as a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)") from None
    start = datetime(d.year, d.month, d.day)
    return start + timedelta(days=1) if end else start


def parse_override(text: str, interval_min: int) -> Override:
    """``[aht_s@][QUEUE[/CHANNEL]@]FROM[..TO]=VALUE`` or ``=+N%`` / ``=-N%``.

    FROM/TO are dates (whole days, TO included) or local times (TO excluded); a single time is one
    interval. Examples: ``2027-01-04..2027-01-06=+15%``, ``sales@2027-01-04T09:00..2027-01-04T12:00=40``,
    ``aht_s@2027-01-05=210``."""
    m = _OVERRIDE.match(text.strip())
    if not m:
        raise ValidationFailed(f"cannot read override {text!r}: expected FROM..TO=VALUE or FROM..TO=+N% "
                               "(FROM, TO: YYYY-MM-DD or YYYY-MM-DDTHH:MM), optionally after aht_s@ "
                               "and QUEUE/CHANNEL@")
    fld, queue, channel = "volume", None, None
    for token in (m["prefix"] or "").split("@") if m["prefix"] else []:
        if token in ("aht", "aht_s", "volume"):
            fld = "aht_s" if token.startswith("aht") else "volume"
        elif token:
            queue, _, ch = token.partition("/")
            channel = ch or None
    lo, sep, hi = m["range"].partition("..")
    try:
        start = _moment(lo, end=False)
        end = _moment(hi, end=True) if sep else start
    except ValidationFailed as exc:
        raise ValidationFailed(f"override {text!r}: {exc.message}") from None
    if not sep:  # a single date is that day, a single time that interval
        end = start + (timedelta(minutes=interval_min) if ("T" in lo or " " in lo) else timedelta(days=1))
    amount = float(m["amount"])
    return Override(start, end, value=None if m["pct"] else amount, percent=amount if m["pct"] else None,
                    field=fld, queue=queue, channel=channel)


@dataclass
class SeriesForecast:
    queue: str
    channel: str
    interval_min: int
    first_day: date
    model: str
    volume: np.ndarray  # horizon_days x slots
    aht_s: np.ndarray | None  # horizon_days x slots, None when no handle times are known
    backtest: Backtest | None = None
    special: dict[date, str] = field(default_factory=dict)  # horizon days treated specially -> how
    excluded: list[date] = field(default_factory=list)  # history days left out of fitting
    notes: list[str] = field(default_factory=list)
    lower: np.ndarray | None = None  # prediction interval of the volume, horizon_days x slots
    upper: np.ndarray | None = None
    level: float = 0.8
    aht_backtest: AhtBacktest | None = None
    weights: dict[str, float] = field(default_factory=dict)  # the combined forecast's models and weights

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range(self.volume.shape[0])]


def _predict(chosen: str, weights: dict[str, float], clean: np.ndarray, wd0: int, horizon_days: int,
             first_day: date) -> np.ndarray:
    if chosen != COMBINED:
        return predict(chosen, clean, wd0, horizon_days, first_day)
    return combine({m: predict(m, clean, wd0, horizon_days, first_day) for m in weights}, weights)


def forecast_series(series: Series, horizon_days: int, *, special_days: Sequence[SpecialDay] = (),
                    models: Sequence[str] | None = None, model: str | None = None, run_backtest: bool = True,
                    n_origins: int = 12, step_days: int = 7, default_aht_s: float | None = None,
                    gaps: str = "holiday", country: str | None = None, exclude_anomalies: bool = True,
                    level: float = 0.8, combined: bool = True, progress: Progress | None = None) -> SeriesForecast:
    """Forecast the ``horizon_days`` after ``series``; ``model`` forces a model, else the backtest picks
    (the combination of the best models with ``combined``)."""
    if not 1 <= horizon_days <= 366:
        raise ValidationFailed("the horizon is 1 to 366 days")
    if series.days < 7:
        raise ValidationFailed(f"{series.queue}/{series.channel}: a forecast needs at least 7 days of history, "
                               f"got {series.days}")
    for name in [*(models or ()), *([model] if model else [])]:
        if name not in MODELS:
            raise ValidationFailed(f"unknown model {name!r}: one of {', '.join(MODELS)}")
    wd0 = series.first_day.weekday()
    prep = prepare(series, horizon_days, [s.day for s in special_days], gaps=check_policy(gaps), country=country,
                   exclude_anomalies=exclude_anomalies)
    notes, clean, mask = list(prep.notes), prep.clean, prep.excluded
    bt: Backtest | None = None
    chosen, weights = model or BASELINE, {}
    if run_backtest:
        try:
            bt = backtest(clean, wd0, horizon_days, special=prep.unscored, models=[model] if model else models,
                          n_origins=n_origins, step_days=step_days, progress=progress, combined=combined,
                          first_day=series.first_day)
            if model is None:
                chosen, weights = bt.chosen, bt.weights
        except NotEnoughHistory as exc:
            notes.append(f"no backtest ({exc}); using {chosen}")
    try:
        volume = _predict(chosen, weights, clean, wd0, horizon_days, series.first_day)
    except NotEnoughHistory as exc:
        raise ValidationFailed(f"{series.queue}/{series.channel}: {exc}") from None
    first = series.day(series.days)
    result = SeriesForecast(series.queue, series.channel, series.interval_min, first, chosen, volume, None, bt,
                            excluded=[series.day(int(d)) for d in np.flatnonzero(mask)], notes=notes, level=level,
                            weights=weights if chosen == COMBINED else {chosen: 1.0})
    horizon_specials = list(special_days)
    planned = {s.day for s in special_days}
    for d, name in prep.calendar.items():
        if d >= first and d not in planned:
            horizon_specials.append(SpecialDay(d, "normal", factor=prep.holiday_factor, name=name))
    _forecast_special_days(result, clean, wd0, horizon_specials)
    result.lower, result.upper = interval_bounds(result.volume, bt.residuals if bt else np.zeros(0), level)
    if series.handle_s is not None:
        skip = mask | prep.unscored
        aht_model = AHT_DEFAULT
        if bt is not None:
            result.aht_backtest = backtest_aht(series.handle_s, series.aht_weight, wd0, horizon_days, bt.origins, skip)
            aht_model = result.aht_backtest.chosen
        result.aht_s = forecast_aht(series.handle_s, series.aht_weight, wd0, horizon_days, skip, aht_model)
    if result.aht_s is None and default_aht_s is not None:
        result.aht_s = np.full_like(volume, float(default_aht_s))
    return result


def _forecast_special_days(result: SeriesForecast, clean: np.ndarray, wd0: int,
                           special_days: Sequence[SpecialDay]) -> None:
    by_day = {s.day: s.like for s in special_days}
    factors = {s.day: s.factor for s in special_days if s.factor is not None}
    days = result.days
    marked = [k for k, d in enumerate(days) if d in by_day]
    if not marked:
        return
    base = seasonal_naive_4w(clean, wd0, len(days))
    normal = [k for k in range(len(days)) if k not in marked]
    model_sum = result.volume[normal].sum() if normal else 0.0
    base_sum = base[normal].sum() if normal else 0.0
    level = model_sum / base_sum if base_sum > 0 else 1.0  # the chosen model's level vs the baseline's
    hist_wd = (np.arange(clean.shape[0]) + wd0) % 7
    for k in marked:
        like = by_day[days[k]]
        result.special[days[k]] = like
        if like == "closed":
            result.volume[k] = 0.0
        elif like in WEEKDAYS:
            same = np.flatnonzero(hist_wd == WEEKDAYS.index(like))[-4:]
            result.volume[k] = clean[same].mean(axis=0) * level if same.size else result.volume[k]
        if days[k] in factors:
            result.volume[k] *= factors[days[k]]
            result.special[days[k]] = f"{like} x {factors[days[k]]:.2f} (learnt from past holidays)"


def apply_overrides(forecasts: Sequence[SeriesForecast], overrides: Sequence[Override]) -> int:
    """Apply ``overrides`` in order; return how many intervals they changed."""
    changed = 0
    for f in forecasts:
        step = timedelta(minutes=f.interval_min)
        for o in overrides:
            if (o.queue is not None and o.queue != f.queue) or (o.channel is not None and o.channel != f.channel):
                continue
            if o.field == "aht_s" and f.aht_s is None:
                raise ValidationFailed(f"{f.queue}/{f.channel} has no AHT to override")
            target = f.volume if o.field == "volume" else f.aht_s
            assert target is not None
            for k, d in enumerate(f.days):
                day0 = datetime(d.year, d.month, d.day)
                for s in range(target.shape[1]):
                    t = day0 + s * step
                    if o.start <= t < o.end:
                        old = float(target[k, s])
                        target[k, s] = o.value if o.value is not None else old * (1 + (o.percent or 0) / 100)
                        if o.field == "volume":
                            _follow(f, k, s, old)
                        changed += 1
    return changed


def _follow(f: SeriesForecast, k: int, s: int, old: float) -> None:
    """An overridden volume takes its prediction interval along (scaled; an exact value when it was 0)."""
    new = float(f.volume[k, s])
    for bound in (f.lower, f.upper):
        if bound is not None:
            bound[k, s] = bound[k, s] * new / old if old > 0 else new


def rows(forecasts: Sequence[SeriesForecast], tz: str) -> list[dict[str, object]]:
    """The forecast CSV rows: interval_start (ISO-8601 with offset), queue, channel, volume, aht_s, and the
    volume's prediction interval volume_lo, volume_hi (at the forecast's level)."""
    out: list[dict[str, object]] = []
    for f in forecasts:
        start = f.first_day
        for d, s, aware in localize(f.days, f.interval_min, tz):
            k = (d - start).days
            aht = None if f.aht_s is None else round(float(f.aht_s[k, s]), 1)
            lo = None if f.lower is None else round(float(f.lower[k, s]), 3)
            hi = None if f.upper is None else round(float(f.upper[k, s]), 3)
            out.append({"interval_start": aware.isoformat(), "queue": f.queue, "channel": f.channel,
                        "volume": round(float(f.volume[k, s]), 3), "aht_s": aht, "volume_lo": lo, "volume_hi": hi})
    return out

"""Gaps in a contact history (missing days, missing intervals, partial days), anomalous days, and how they are treated.

A gap is data that is not there, as opposed to a day or interval with no contacts. An interval-count
file says which intervals had a row (``Series.present``); a file of one row per contact (or the store's
counters) cannot, so there a day without contacts on a weekday that normally has them is a missing day.
A weekday without data (or contacts) in most weeks is a closed weekday, not a gap.

The analyst chooses the treatment (:data:`GAP_POLICIES`): ``holiday`` (the day is excluded from fitting,
imputed from the same weekday, and not scored), ``zero`` (taken as no contacts, as read) or
``interpolate`` (each missing interval is interpolated between the same interval on the same weekday of
the weeks around it; the day is used for fitting but not scored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.series import Series

GAP_POLICIES = ("holiday", "zero", "interpolate")
#: a weekday is open when at least this share of its days have data (or contacts)
OPEN_SHARE = 0.5
#: an interval is usual for a weekday when at least this share of its days with data have a row for it
USUAL_SHARE = 0.5
#: below this share of usual intervals with a row, the file lists only busy intervals: no interval gaps
DENSE_SHARE = 0.9
#: a missing day (without row information) needs this many contacts on a median day of its weekday
MIN_DAY_CONTACTS = 10.0
#: a day is anomalous below LOW or above HIGH times the median of its weekday over the weeks around it
ANOMALY_LOW, ANOMALY_HIGH = 0.6, 1.8
ANOMALY_WEEKS = 4


@dataclass
class Gaps:
    missing_days: list[int] = field(default_factory=list)
    partial_days: list[int] = field(default_factory=list)  # data for only the start or the end of the day
    missing_intervals: dict[int, list[int]] = field(default_factory=dict)  # day -> usual slots without a row
    closed_weekdays: list[int] = field(default_factory=list)  # Monday 0

    @property
    def days(self) -> list[int]:
        return sorted({*self.missing_days, *self.partial_days, *self.missing_intervals})

    def describe(self, series: Series) -> list[str]:
        """One line per kind of gap, for the CLI and the API notes."""
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

        def dates(ds: list[int]) -> str:
            shown = ", ".join(str(series.day(d)) for d in ds[:8])
            return shown + (f" and {len(ds) - 8} more" if len(ds) > 8 else "")

        out = []
        if self.closed_weekdays:
            out.append("closed weekdays (no data in most weeks, forecast as closed): "
                       + ", ".join(names[w] for w in self.closed_weekdays))
        if self.missing_days:
            out.append(f"{len(self.missing_days)} missing days: {dates(self.missing_days)}")
        if self.partial_days:
            out.append(f"{len(self.partial_days)} partial days: {dates(self.partial_days)}")
        if self.missing_intervals:
            n = sum(len(v) for v in self.missing_intervals.values())
            out.append(f"{n} missing intervals on {len(self.missing_intervals)} days: "
                       f"{dates(sorted(self.missing_intervals))}")
        return out


def detect_gaps(series: Series) -> Gaps:
    """Missing days, partial days and missing intervals of ``series``, and its closed weekdays."""
    gaps = Gaps()
    wd = series.weekdays
    daily = series.volume.sum(axis=1)
    has_data: np.ndarray = np.asarray(series.present.any(axis=1) if series.present is not None else daily > 0)
    for w in range(7):
        days = np.flatnonzero(wd == w)
        if days.size and has_data[days].mean() < OPEN_SHARE:
            gaps.closed_weekdays.append(w)
            continue
        missing = days[~has_data[days]]
        if series.present is None and np.median(daily[days]) < MIN_DAY_CONTACTS:
            continue  # a small queue: a day without contacts is plausible
        gaps.missing_days.extend(int(d) for d in missing)
    gaps.missing_days.sort()
    if series.present is None or not _dense(series, has_data):
        return gaps
    for w in range(7):
        days = np.flatnonzero((wd == w) & has_data)
        if not days.size or w in gaps.closed_weekdays:
            continue
        usual = series.present[days].mean(axis=0) >= USUAL_SHARE
        for d in days:
            lost = usual & ~series.present[d]
            if not lost.any():
                continue
            kept = np.flatnonzero(usual & series.present[d])
            slots = np.flatnonzero(lost)
            usual_idx = np.flatnonzero(usual)
            at_an_end = kept.size > 0 and (slots.max() < kept.min() or slots.min() > kept.max())
            contiguous = slots.size == np.searchsorted(usual_idx, slots.max()) - np.searchsorted(
                usual_idx, slots.min()) + 1
            if at_an_end and contiguous:
                gaps.partial_days.append(int(d))
            else:
                gaps.missing_intervals[int(d)] = [int(s) for s in slots]
    gaps.partial_days.sort()
    return gaps


def _dense(series: Series, has_data: np.ndarray) -> bool:
    assert series.present is not None
    rows = series.present[has_data]
    usual = rows.mean(axis=0) >= USUAL_SHARE if rows.size else np.zeros(series.slots, dtype=bool)
    return bool(usual.any()) and float(rows[:, usual].mean()) >= DENSE_SHARE


def missing_mask(series: Series, gaps: Gaps) -> np.ndarray:
    """days x slots: True where data are missing (whole missing days: every slot)."""
    mask = np.zeros(series.volume.shape, dtype=bool)
    mask[gaps.missing_days] = True
    if series.present is not None:
        for d in [*gaps.partial_days, *gaps.missing_intervals]:
            mask[d] = ~series.present[d]
            mask[d] &= _usual(series, d)
    return mask


def _usual(series: Series, d: int) -> np.ndarray:
    assert series.present is not None
    same = np.flatnonzero(series.weekdays == series.weekdays[d])
    return np.asarray(series.present[same].mean(axis=0) >= USUAL_SHARE)


def interpolate(volume: np.ndarray, first_weekday: int, mask: np.ndarray) -> np.ndarray:
    """Fill masked intervals by linear interpolation over the weeks, same weekday and interval (the
    nearest known week at the ends)."""
    out = volume.astype(float).copy()
    wd = (np.arange(volume.shape[0]) + first_weekday) % 7
    for w in range(7):
        days = np.flatnonzero(wd == w)
        for s in np.flatnonzero(mask[days].any(axis=0)):
            holes = mask[days, s]
            if holes.all():
                out[days, s] = 0.0
                continue
            x = np.arange(days.size)
            out[days[holes], s] = np.interp(x[holes], x[~holes], volume[days[~holes], s])
    return out


def anomalies(volume: np.ndarray, first_weekday: int, skip: np.ndarray) -> list[int]:
    """Days whose total is below ANOMALY_LOW or above ANOMALY_HIGH times the median of the same weekday
    over the ANOMALY_WEEKS weeks before and after (``skip`` days neither judged nor used)."""
    daily = volume.sum(axis=1)
    wd = (np.arange(volume.shape[0]) + first_weekday) % 7
    out = []
    for d in range(volume.shape[0]):
        if skip[d]:
            continue
        same = np.flatnonzero((wd == wd[d]) & ~skip)
        same = same[(same != d) & (np.abs(same - d) <= 7 * ANOMALY_WEEKS)]
        if same.size < 3:
            continue
        ref = float(np.median(daily[same]))
        if ref >= MIN_DAY_CONTACTS and not ANOMALY_LOW * ref <= daily[d] <= ANOMALY_HIGH * ref:
            out.append(d)
    return out


def check_policy(policy: str) -> str:
    if policy not in GAP_POLICIES:
        raise ValidationFailed(f"gaps: one of {', '.join(GAP_POLICIES)}, not {policy!r}")
    return policy


def country_holidays(country: str, first: date, last: date) -> dict[date, str]:
    """Public holidays of ``country`` (ISO code, optionally 'CC-SUBDIV') between two dates, from the
    ``holidays`` package."""
    import holidays

    code, _, subdiv = country.upper().partition("-")
    try:
        cal = holidays.country_holidays(code, subdiv=subdiv or None, years=range(first.year, last.year + 1))
    except (NotImplementedError, KeyError, ValueError) as exc:
        raise ValidationFailed(f"no holiday calendar for country {country!r}: {exc}") from None
    return {d: str(name) for d, name in sorted(cal.items()) if first <= d <= last}

"""Open time of a business-hours calendar between two instants (the business-hours variants of KPIS.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from blendcc.domain.calendar import WEEKDAYS, BusinessHours, Window


def _windows(cal: BusinessHours, day: date) -> list[Window]:
    for special in cal.special_days:
        if special.date == day:
            return list(special.windows)
    if day in cal.holidays:
        return []
    return list(cal.weekly.get(WEEKDAYS[day.weekday()], []))


def _instant(day: date, hhmm: str, tz: ZoneInfo) -> float:
    if hhmm == "24:00":
        nxt = day + timedelta(days=1)
        return datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).timestamp()
    h, m = int(hhmm[:2]), int(hhmm[3:])
    return datetime(day.year, day.month, day.day, h, m, tzinfo=tz).timestamp()


def _open_spans(cal: BusinessHours, day: date) -> tuple[tuple[float, float], ...]:
    """The calendar's open spans of one local day as epoch seconds (DST-correct)."""
    tz = ZoneInfo(cal.timezone)
    return tuple((_instant(day, w.start, tz), _instant(day, w.end, tz)) for w in _windows(cal, day))


def open_seconds(cal: BusinessHours, start: float, end: float) -> float:
    """Seconds of ``[start, end)`` during which ``cal`` is open (0 when ``end <= start``)."""
    if end <= start:
        return 0.0
    tz = ZoneInfo(cal.timezone)
    day = datetime.fromtimestamp(start, tz).date()  # windows end by 24:00: none reaches into the next day
    last = datetime.fromtimestamp(end, tz).date()
    total = 0.0
    while day <= last:
        for a, b in _open_spans(cal, day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total

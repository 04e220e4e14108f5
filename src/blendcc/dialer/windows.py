"""Calling windows: when a callee may be dialled, in the callee's local time, per weekday, with holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blendcc.domain.calendar import WEEKDAYS, Window, known_weekdays

#: 08:00-21:00 callee local time (the US TCPA hours, also a common UK/EU practice)
DEFAULT_HOURS = (Window(start="08:00", end="21:00"),)


def _default_weekly() -> dict[str, list[Window]]:
    return {day: list(DEFAULT_HOURS) for day in WEEKDAYS}


class CallingWindow(BaseModel):
    """Weekly windows (local time of the callee, end exclusive) and holidays (local dates, no calls).

    A weekday missing from ``weekly`` (or with an empty list) is a day without calls.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekly: dict[str, list[Window]] = Field(default_factory=_default_weekly)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("weekly")
    @classmethod
    def _days(cls, v: dict[str, list[Window]]) -> dict[str, list[Window]]:
        return known_weekdays(v)


@lru_cache(maxsize=1024)
def zone(tz: str) -> ZoneInfo | None:
    """The ZoneInfo for an IANA name, or None when the name is unknown (such a callee is never dialled)."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_time(at: float, tz: str) -> datetime | None:
    z = zone(tz)
    return None if z is None else datetime.fromtimestamp(at, z)


def local_day(at: float, tz: str) -> str | None:
    """The callee's local date (ISO) at UTC epoch ``at`` (None for an unknown zone)."""
    t = local_time(at, tz)
    return None if t is None else t.date().isoformat()


def _minute(t: datetime) -> int:
    return t.hour * 60 + t.minute


def _windows_on(window: CallingWindow, day: date) -> list[Window]:
    if day in window.holidays:
        return []
    return window.weekly.get(WEEKDAYS[day.weekday()], [])


def is_open(window: CallingWindow, tz: str, at: float) -> bool:
    """True when a callee in zone ``tz`` may be called at UTC epoch second ``at``."""
    t = local_time(at, tz)
    if t is None:
        return False
    minute = _minute(t)
    return any(w.contains(minute) for w in _windows_on(window, t.date()))


def next_open(window: CallingWindow, tz: str, at: float, horizon_days: int = 14) -> float | None:
    """The first UTC epoch second >= ``at`` at which the callee's window is open, or None if the window
    stays closed for ``horizon_days`` (or the zone is unknown). Handles DST: local window starts are
    resolved in the zone of that day."""
    z = zone(tz)
    if z is None:
        return None
    if is_open(window, tz, at):
        return at
    start = datetime.fromtimestamp(at, z)
    for offset in range(horizon_days + 1):
        day = start.date() + timedelta(days=offset)
        for w in sorted(_windows_on(window, day), key=lambda w: w.start):
            hh, mm = (int(p) for p in w.start.split(":"))
            candidate = datetime(day.year, day.month, day.day, hh, mm, tzinfo=z).timestamp()
            if candidate >= at and is_open(window, tz, candidate):
                return candidate
    return None

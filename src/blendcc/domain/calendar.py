"""Business-hours calendars: weekly opening windows in a time zone, holidays and special days."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def known_weekdays(weekly: dict[str, list[Window]]) -> dict[str, list[Window]]:
    """Validator of a weekly schedule's keys (business hours, calling windows): weekday names only."""
    for day in weekly:
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}; use one of {', '.join(WEEKDAYS)}")
    return weekly


class Window(BaseModel):
    """An opening window ``start``-``end`` (local time, end exclusive; "24:00" allowed as end)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if _minutes(self.end) <= _minutes(self.start):
            raise ValueError(f"window end {self.end} must be after start {self.start}")
        return self

    def contains(self, minute_of_day: int) -> bool:
        return _minutes(self.start) <= minute_of_day < _minutes(self.end)


class SpecialDay(BaseModel):
    """A dated exception: closed all day (no windows) or open with its own windows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    name: str = ""
    windows: list[Window] = Field(default_factory=list)


class BusinessHours(BaseModel):
    """A calendar: weekly windows per weekday plus holidays (closed) and special days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    timezone: str = "UTC"
    weekly: dict[str, list[Window]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    special_days: list[SpecialDay] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @field_validator("weekly")
    @classmethod
    def _days(cls, v: dict[str, list[Window]]) -> dict[str, list[Window]]:
        return known_weekdays(v)

    def is_open(self, at: float) -> bool:
        """True if the calendar is open at UTC epoch second ``at``."""
        local = datetime.fromtimestamp(at, ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        today = local.date()
        for special in self.special_days:
            if special.date == today:
                return any(w.contains(minute) for w in special.windows)
        if today in self.holidays:
            return False
        return any(w.contains(minute) for w in self.weekly.get(WEEKDAYS[local.weekday()], []))


def _minutes(hhmm: str) -> int:
    if hhmm == "24:00":
        return 24 * 60
    t = time.fromisoformat(hhmm)
    return t.hour * 60 + t.minute

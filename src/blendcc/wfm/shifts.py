"""Shift templates, break/lunch placement rules, agent availability and contract hours (validated documents)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"


def _all_days() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def minutes(hhmm: str) -> int:
    """'07:30' -> 450 (minutes after midnight); '24:00' is allowed as the end of a day."""
    m = _HHMM.match(hhmm)
    if m is None:
        raise ValueError(f"{hhmm!r} is not a time of day HH:MM")
    value = int(m.group(1)) * 60 + int(m.group(2))
    if value > 1440:
        raise ValueError(f"{hhmm!r} is after 24:00")
    return value


class BreakRule(BaseModel):
    """One break or lunch every shift of the template has, placed inside a window measured from the shift
    start: e.g. a 15-minute break in the 2nd-3rd hour is ``{length_min: 15, earliest_min: 60,
    latest_end_min: 180}``; a 30-60 minute lunch between hours 3 and 5 adds ``max_length_min: 60``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: Literal["break", "lunch"] = "break"
    length_min: int = Field(gt=0, le=240)
    max_length_min: int | None = Field(default=None, gt=0, le=240)
    earliest_min: int = Field(ge=0, le=1440)
    latest_end_min: int = Field(gt=0, le=1440)

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        longest = self.max_length_min or self.length_min
        if longest < self.length_min:
            raise ValueError("max_length_min must be at least length_min")
        if self.earliest_min + longest > self.latest_end_min:
            raise ValueError(f"a {longest}-minute {self.activity} does not fit between minute "
                             f"{self.earliest_min} and minute {self.latest_end_min} of the shift")
        return self


class ShiftTemplate(BaseModel):
    """Which shifts may be scheduled: start window (local time of day), lengths, days, breaks and lunch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    start_earliest: str
    start_latest: str
    #: minutes between allowed starts (default: the interval length of the staffing plan)
    start_step_min: int | None = Field(default=None, gt=0, le=720)
    lengths_min: list[int] = Field(min_length=1)
    days: list[Weekday] = Field(default_factory=_all_days)
    breaks: list[BreakRule] = Field(default_factory=list)

    @field_validator("start_earliest", "start_latest")
    @classmethod
    def _time(cls, v: str) -> str:
        if minutes(v) >= 1440:
            raise ValueError("a shift starts before 24:00")
        return v

    @field_validator("lengths_min")
    @classmethod
    def _lengths(cls, v: list[int]) -> list[int]:
        for n in v:
            if not 15 <= n <= 16 * 60:
                raise ValueError(f"shift length {n} min must be between 15 and 960 minutes")
        return sorted(set(v))

    @model_validator(mode="after")
    def _consistent(self) -> ShiftTemplate:
        if minutes(self.start_latest) < minutes(self.start_earliest):
            raise ValueError("start_latest is before start_earliest")
        shortest = min(self.lengths_min)
        for rule in self.breaks:
            if rule.earliest_min + rule.length_min > shortest:
                raise ValueError(f"the {rule.activity} starting at minute {rule.earliest_min} does not fit "
                                 f"in the {shortest}-minute shift")
        return self

    @property
    def earliest(self) -> int:
        return minutes(self.start_earliest)

    @property
    def latest(self) -> int:
        return minutes(self.start_latest)


class AgentAvailability(BaseModel):
    """An agent as the scheduler sees them: templates they may work, when they are available, contract hours.

    ``availability`` maps a weekday to local time windows ``"HH:MM-HH:MM"`` (a window ending before it
    starts runs past midnight); a weekday that is absent is a day off; no ``availability`` at all means
    available at any time. Contract hours count the whole shift (breaks and lunch included).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    name: str = ""
    team_id: str | None = None
    #: template ids this agent may work (default: every template)
    templates: list[str] | None = None
    min_hours_week: float = Field(default=0.0, ge=0, le=168)
    max_hours_week: float = Field(default=40.0, gt=0, le=168)
    max_days_week: int = Field(default=5, ge=1, le=7)
    #: minimum hours between the end of one shift and the start of the next (EU working-time rule: 11)
    min_rest_hours: float = Field(default=11.0, ge=0, le=48)
    availability: dict[Weekday, list[str]] | None = None
    unavailable_dates: list[date] = Field(default_factory=list)

    @field_validator("availability")
    @classmethod
    def _windows(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if v is None:
            return v
        for day, windows in v.items():
            for w in windows:
                start, sep, end = w.partition("-")
                if not sep:
                    raise ValueError(f"{day}: window {w!r} must look like 08:00-17:00")
                if minutes(start.strip()) == minutes(end.strip()):
                    raise ValueError(f"{day}: window {w!r} is empty")
        return v

    @model_validator(mode="after")
    def _hours(self) -> AgentAvailability:
        if self.min_hours_week > self.max_hours_week:
            raise ValueError(f"min_hours_week {self.min_hours_week} is above max_hours_week {self.max_hours_week}")
        return self

    def windows(self, weekday: int) -> list[tuple[int, int]] | None:
        """Available (start, end) minutes after that day's midnight (end may pass 1440); None: any time."""
        if self.availability is None:
            return None
        out = []
        for w in self.availability.get(WEEKDAYS[weekday], []):  # type: ignore[call-overload]
            a, _, b = w.partition("-")
            start, end = minutes(a.strip()), minutes(b.strip())
            out.append((start, end if end > start else end + 1440))
        return out


class SolveOptions(BaseModel):
    """How to weigh under- against over-staffing, and how long CP-SAT may search."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    under_weight: int = Field(default=3, ge=1, le=1000)
    over_weight: int = Field(default=1, ge=0, le=1000)
    time_limit_s: float = Field(default=20.0, gt=0, le=3600)
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0)


class Roster(BaseModel):
    """Templates and agents together (what the YAML files hold)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    templates: list[ShiftTemplate] = Field(min_length=1)
    agents: list[AgentAvailability] = Field(min_length=1)

    def minutes_gcd(self) -> int:
        """The largest step every template time is a multiple of (the finest grid the roster needs)."""
        values: list[int] = []
        for t in self.templates:
            values += [t.earliest, t.latest, *t.lengths_min]
            if t.start_step_min:
                values.append(t.start_step_min)
            for r in t.breaks:
                values += [r.length_min, r.max_length_min or r.length_min]
        g = 0
        for v in values:
            g = math.gcd(g, v)
        return g or 60

    @model_validator(mode="after")
    def _references(self) -> Roster:
        ids = [t.id for t in self.templates]
        if len(set(ids)) != len(ids):
            raise ValueError("template ids must be unique")
        agent_ids = [a.id for a in self.agents]
        if len(set(agent_ids)) != len(agent_ids):
            raise ValueError("agent ids must be unique")
        known = set(ids)
        for a in self.agents:
            for t in a.templates or []:
                if t not in known:
                    raise ValueError(f"agent {a.id}: unknown template {t!r}")
        return self

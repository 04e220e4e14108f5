"""Published schedules: one versioned document per agent and day (kind ``schedules``), and solver output to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from blendcc.wfm.schedule import AgentShift

#: What an agent may be scheduled to do; wfm.adherence maps each to the agent states that match it.
Activity = Literal["work", "break", "lunch", "meeting", "training", "coaching", "off"]


class Segment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: Activity
    start: AwareDatetime
    end: AwareDatetime


class ScheduleDay(BaseModel):
    """An agent's published day: its segments in time order (none: a day off). The id is
    ``<agent_id>.<YYYY-MM-DD>`` (the day the shift starts, on the centre's clock)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    agent_id: str = Field(min_length=1, max_length=53, pattern=r"^[A-Za-z0-9_.\-]+$")
    date: date
    team_id: str | None = None
    template_id: str | None = None
    segments: list[Segment] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleDay:
        expected = doc_id(self.agent_id, self.date)
        if self.id != expected:
            raise ValueError(f"the id of {self.agent_id}'s schedule for {self.date} must be {expected!r}")
        previous: datetime | None = None
        for seg in self.segments:
            if seg.end <= seg.start:
                raise ValueError(f"segment {seg.activity} at {seg.start.isoformat()}: end must be after start")
            if seg.end - seg.start > timedelta(hours=24):
                raise ValueError(f"segment {seg.activity} at {seg.start.isoformat()}: longer than 24 hours")
            if previous is not None and seg.start < previous:
                raise ValueError(f"segment {seg.activity} at {seg.start.isoformat()} overlaps the one before "
                                 "(segments must be in time order and must not overlap)")
            previous = seg.end
        return self

    @property
    def start(self) -> datetime | None:
        return self.segments[0].start if self.segments else None

    @property
    def end(self) -> datetime | None:
        return self.segments[-1].end if self.segments else None


def doc_id(agent_id: str, day: date) -> str:
    return f"{agent_id}.{day.isoformat()}"


def schedule_days(shifts: Iterable[AgentShift],
                  days_off: Iterable[tuple[str, str | None, date]] = ()) -> list[ScheduleDay]:
    """The solver's shifts as documents to publish (times must carry a zone: the grid's ``tz``), plus an
    empty document (a day off) for each (agent, team, day) in ``days_off`` that has no shift, so that
    publishing a new plan replaces every day it covers."""
    out = []
    seen: set[tuple[str, date]] = set()
    for s in shifts:
        segments = [Segment(activity=p.activity, start=p.start, end=p.end) for p in s.segments()]
        out.append(ScheduleDay(id=doc_id(s.agent_id, s.date), agent_id=s.agent_id, date=s.date,
                               team_id=s.team_id, template_id=s.template_id, segments=segments))
        seen.add((s.agent_id, s.date))
    for agent_id, team_id, day in days_off:
        if (agent_id, day) not in seen:
            seen.add((agent_id, day))
            out.append(ScheduleDay(id=doc_id(agent_id, day), agent_id=agent_id, date=day, team_id=team_id))
    return sorted(out, key=lambda d: (d.agent_id, d.date))

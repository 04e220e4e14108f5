"""The planning grid: required agents per interval on the centre's local clock, from staffing-plan rows."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from blendcc.domain.errors import ValidationFailed

MAX_DAYS = 31
INTERVALS_MIN = (5, 10, 15, 20, 30, 60)


def iso_week(d: date) -> tuple[int, int]:
    year, week, _ = d.isocalendar()
    return (year, week)


def parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(f"interval_start {value!r} is not an ISO-8601 date-time") from None


@dataclass(frozen=True, slots=True)
class Grid:
    """Intervals of ``step_min`` minutes from ``origin`` (a local wall-clock time, naive). Times handed out
    carry ``tz`` when it is set (wall-clock arithmetic: a DST change inside the horizon is not modelled)."""

    origin: datetime
    step_min: int
    required: tuple[float, ...]
    tz: tzinfo | None = None
    #: the staffing plan's interval (a multiple of ``step_min``), for coverage reported at the plan's size
    plan_min: int | None = None

    @property
    def slots(self) -> int:
        return len(self.required)

    @property
    def days(self) -> list[date]:
        first = self.origin.date()
        last = (self.origin + timedelta(minutes=self.step_min * self.slots - 1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def at(self, slot: int) -> datetime:
        t = self.origin + timedelta(minutes=self.step_min * slot)
        return t.replace(tzinfo=self.tz) if self.tz is not None else t

    def local(self, t: datetime) -> datetime:
        if t.tzinfo is None:
            return t
        return t.astimezone(self.tz).replace(tzinfo=None) if self.tz is not None else t.replace(tzinfo=None)

    def slot(self, t: datetime) -> int:
        """Index of the interval starting at ``t`` (``t`` on the grid)."""
        delta = (self.local(t) - self.origin).total_seconds() / 60.0
        return math.floor(delta / self.step_min)

    def slot_of_midnight(self, day: date) -> int:
        """Slot index of ``day``'s 00:00 (negative when the horizon starts later that day)."""
        delta = (datetime(day.year, day.month, day.day) - self.origin).total_seconds() / 60.0
        return math.floor(delta / self.step_min)


def grid_from_rows(rows: Iterable[tuple[str | datetime, float]], tz: tzinfo | None = None,
                   interval_min: int | None = None, align_min: int | None = None) -> Grid:
    """Build the grid from (interval_start, required) rows. Rows with the same start are added (a plan per
    queue becomes one requirement); intervals missing between the first and last row require 0 agents.
    Times with an offset are moved to ``tz`` (default: the first row's offset); naive times are local.

    The plan's interval is the smallest gap between rows (or ``interval_min`` for a one-row plan). The
    grid may be finer: ``align_min`` (e.g. the gcd of the templates' minutes, so 15-minute breaks fit a
    30-minute plan) splits each plan interval, every part keeping the plan's requirement."""
    parsed: dict[datetime, float] = {}
    zone = tz
    for start, required in rows:
        t = parse_time(start)
        if t.tzinfo is not None:
            if zone is None:
                zone = t.tzinfo
            t = t.astimezone(zone).replace(tzinfo=None)
        if not isinstance(required, int | float) or not math.isfinite(required) or required < 0:
            raise ValidationFailed(f"required at {start}: must be a finite number >= 0, got {required!r}")
        parsed[t] = parsed.get(t, 0.0) + float(required)
    if not parsed:
        raise ValidationFailed("the staffing plan has no intervals")
    starts = sorted(parsed)
    diffs = {int((b - a).total_seconds() // 60) for a, b in itertools.pairwise(starts)}
    plan_min = min(diffs) if diffs else interval_min
    if plan_min is None:
        raise ValidationFailed("one interval only: give the interval length (interval_min)")
    if plan_min not in INTERVALS_MIN:
        raise ValidationFailed(f"plan interval {plan_min} min: must be one of {', '.join(map(str, INTERVALS_MIN))}")
    step = interval_min or plan_min
    if align_min:
        step = math.gcd(step, align_min)
    if step < 5 or plan_min % step:
        raise ValidationFailed(f"a {step}-minute grid does not divide the plan's {plan_min}-minute intervals "
                               "(scheduling works in steps of at least 5 minutes)")
    origin = starts[0]
    if (origin.hour * 60 + origin.minute) % plan_min or origin.second or origin.microsecond:
        raise ValidationFailed(f"interval_start {origin.isoformat()} is not aligned to {plan_min}-minute intervals")
    per = plan_min // step
    span = (int((starts[-1] - origin).total_seconds() // 60) // plan_min + 1) * per
    if span * step > MAX_DAYS * 1440:
        raise ValidationFailed(f"a schedule covers at most {MAX_DAYS} days")
    need = [0.0] * span
    for t, r in parsed.items():
        offset = (t - origin).total_seconds() / 60.0
        if offset % plan_min:
            raise ValidationFailed(f"interval_start {t.isoformat()} is not on the {plan_min}-minute grid")
        first = int(offset // plan_min) * per
        need[first:first + per] = [r] * per
    return Grid(origin, step, tuple(need), zone, plan_min)

"""Shift options: which (agent, day, template, start, length) shifts and break placements are possible,
and the checks that refuse impossible templates and contracts before the solver runs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.hint import Option
from blendcc.wfm.shifts import WEEKDAYS, AgentAvailability, BreakRule, Roster, ShiftTemplate
from blendcc.wfm.timegrid import Grid


def check_minutes(what: str, value: int, step: int) -> None:
    if value % step:
        raise ValidationFailed(f"{what} ({value} min) is not a multiple of the {step}-minute interval")


def break_offsets(rule: BreakRule, length_slots: int, step: int) -> list[tuple[int, int]]:
    """(offset slot from the shift start, length in slots) for every placement of ``rule``."""
    lengths = range(rule.length_min, (rule.max_length_min or rule.length_min) + 1, step)
    first = math.ceil(rule.earliest_min / step)
    out: list[tuple[int, int]] = []
    for lm in lengths:
        n = lm // step
        last = min(rule.latest_end_min // step, length_slots) - n
        out.extend((o, n) for o in range(first, last + 1))
    return out


def placeable(rules: Sequence[BreakRule], length_slots: int, step: int) -> bool:
    """True if every rule can be placed in a shift of that length without two of them overlapping."""
    options = [break_offsets(r, length_slots, step) for r in rules]

    def place(i: int, taken: frozenset[int]) -> bool:
        if i == len(options):
            return True
        for o, n in options[i]:
            slots = frozenset(range(o, o + n))
            if not slots & taken and place(i + 1, taken | slots):
                return True
        return False

    return place(0, frozenset())


def validate_template(t: ShiftTemplate, step: int) -> None:
    check_minutes(f"template {t.id}: start_earliest", t.earliest, step)
    check_minutes(f"template {t.id}: start step", t.start_step_min or step, step)
    for n in t.lengths_min:
        check_minutes(f"template {t.id}: shift length", n, step)
        if not placeable(t.breaks, n // step, step):
            raise ValidationFailed(f"template {t.id}: its breaks and lunch cannot all be placed in a {n}-minute "
                                   "shift without overlapping")
    for r in t.breaks:
        for n in (r.length_min, r.max_length_min or r.length_min):
            check_minutes(f"template {t.id}: {r.activity} length", n, step)


def available(agent: AgentAvailability, day: date, start_min: int, end_min: int) -> bool:
    """True if [start, end) minutes after ``day``'s midnight lies in one availability window (windows of
    the previous day that run past midnight count too)."""
    if day in agent.unavailable_dates:
        return False
    today = agent.windows(day.weekday())
    if today is None:
        return True
    yesterday = agent.windows((day.weekday() - 1) % 7) or []
    windows = today + [(a - 1440, b - 1440) for a, b in yesterday if b > 1440]
    return any(a <= start_min and end_min <= b for a, b in windows)


def week_check(agent: AgentAvailability, week: tuple[int, int], day_lengths: list[set[int]],
                min_min: int, max_min: int) -> None:
    """Refuse an agent whose contract hours cannot be met in ``week`` by any choice of shifts."""
    reachable = {(0, 0)}  # (days worked, minutes)
    for lengths in day_lengths:
        reachable |= {(d + 1, m + n) for d, m in reachable for n in lengths
                      if d < agent.max_days_week and m + n <= max_min}
    if not any(min_min <= m <= max_min for _, m in reachable):
        best = max((m for _, m in reachable), default=0)
        raise ValidationFailed(
            f"agent {agent.id}: the contract minimum of {min_min / 60:g} h in ISO week {week[0]}-W{week[1]:02d} "
            f"cannot be met: at most {best / 60:g} h of shifts fit their availability, templates, "
            f"max_days_week ({agent.max_days_week}) and max_hours_week ({agent.max_hours_week:g})")


def shift_options(roster: Roster, grid: Grid) -> list[Option]:
    step = grid.step_min
    templates = {t.id: t for t in roster.templates}
    options: list[Option] = []
    for ai, agent in enumerate(roster.agents):
        allowed = [templates[t] for t in agent.templates] if agent.templates is not None else roster.templates
        for di, day in enumerate(grid.days):
            midnight = grid.slot_of_midnight(day)
            wd = day.weekday()
            for t in allowed:
                if WEEKDAYS[wd] not in t.days:
                    continue
                for s in range(t.earliest, t.latest + 1, t.start_step_min or step):
                    first = midnight + s // step
                    for length in t.lengths_min:
                        n = length // step
                        if first < 0 or first + n > grid.slots:
                            continue
                        if available(agent, day, s, s + length):
                            options.append(Option(ai, di, t.id, first, n))
    return options

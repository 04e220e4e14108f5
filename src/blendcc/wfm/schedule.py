"""Per-agent schedules from shift templates and required agents per interval, solved with OR-Tools CP-SAT.

The model: one boolean per feasible (agent, day, template, start, length) shift and one per feasible
placement of each break or lunch; at most one shift per agent and day; contract hours and days per
week; breaks inside their windows and never overlapping; per interval, agents working (on shift and not
on a break) against the requirement, with weighted under- and over-staffing minimised.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.hint import BreakKey, Option, greedy
from blendcc.wfm.options import break_offsets, shift_options, validate_template, week_check
from blendcc.wfm.shifts import AgentAvailability, Roster, ShiftTemplate, SolveOptions
from blendcc.wfm.timegrid import Grid, iso_week

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

SCALE = 100  # required agents are kept to 1/100 of an agent


@dataclass(frozen=True, slots=True)
class Placed:
    activity: str
    start: datetime
    end: datetime


@dataclass(slots=True)
class AgentShift:
    agent_id: str
    team_id: str | None
    date: date
    template_id: str
    start: datetime
    end: datetime
    breaks: list[Placed] = field(default_factory=list)

    def segments(self) -> list[Placed]:
        """The shift cut into work, break and lunch pieces, in time order."""
        out: list[Placed] = []
        t = self.start
        for b in sorted(self.breaks, key=lambda p: p.start):
            if b.start > t:
                out.append(Placed("work", t, b.start))
            out.append(b)
            t = b.end
        if t < self.end:
            out.append(Placed("work", t, self.end))
        return out


@dataclass(frozen=True, slots=True)
class CoverageRow:
    interval_start: datetime
    required: float
    scheduled: float

    @property
    def under(self) -> float:
        return max(0.0, self.required - self.scheduled)

    @property
    def over(self) -> float:
        return max(0.0, self.scheduled - self.required)


@dataclass(slots=True)
class ScheduleResult:
    status: str
    objective: float
    best_bound: float
    gap: float
    wall_time_s: float
    interval_min: int
    shifts: list[AgentShift]
    coverage: list[CoverageRow]

    @property
    def under_total(self) -> float:
        """Under-staffing in agent-intervals (sum over intervals of required - scheduled where short)."""
        return sum(r.under for r in self.coverage)

    @property
    def over_total(self) -> float:
        return sum(r.over for r in self.coverage)

    def summary(self) -> dict[str, object]:
        hours = self.interval_min / 60.0
        return {"status": self.status, "objective": self.objective, "best_bound": self.best_bound,
                "gap": self.gap, "wall_time_s": self.wall_time_s, "interval_min": self.interval_min,
                "shifts": len(self.shifts), "under_agent_intervals": round(self.under_total, 4),
                "over_agent_intervals": round(self.over_total, 4),
                "under_agent_hours": round(self.under_total * hours, 4),
                "over_agent_hours": round(self.over_total * hours, 4)}


def _rest_constraints(m: cp_model.CpModel, x: Sequence[cp_model.IntVar], options: Sequence[Option],
                      rest: Sequence[int]) -> None:
    """No two shifts of an agent on different days closer than the rest rule (nor overlapping past
    midnight): at each start slot, at most one shift whose [start, end + rest) holds it."""
    by_agent: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        by_agent[o.agent].append(i)
    for ai, ids in by_agent.items():
        ids.sort(key=lambda i: options[i].start)
        for u in sorted({options[i].start for i in ids}):
            holding = [i for i in ids if options[i].start <= u < options[i].start + options[i].length + rest[ai]]
            if len({options[i].day for i in holding}) > 1:
                m.add_at_most_one(x[i] for i in holding)


def _valid(chosen: set[int], placed: set[BreakKey], options: Sequence[Option], templates: dict[str, ShiftTemplate],
           by_agent_week: dict[tuple[int, tuple[int, int]], list[int]],
           limits: dict[tuple[int, tuple[int, int]], tuple[int, int]], agents: Sequence[AgentAvailability],
           rest: Sequence[int], step: int) -> bool:
    """True if the greedy schedule meets every rule (used when CP-SAT had no time to find one)."""
    for i in chosen:
        o = options[i]
        if sum(1 for k in placed if k[:3] == (o.agent, o.day, o.template)) != len(templates[o.template].breaks):
            return False
    for key, ids in by_agent_week.items():
        picked = [i for i in ids if i in chosen]
        lo, hi = limits[key]
        minutes = sum(options[i].length for i in picked) * step
        if len(picked) > agents[key[0]].max_days_week or not lo <= minutes <= hi:
            return False
    by_agent: dict[int, list[Option]] = defaultdict(list)
    for i in chosen:
        by_agent[options[i].agent].append(options[i])
    for ai, opts in by_agent.items():
        opts.sort(key=lambda o: o.start)
        if any(b.start < a.start + a.length + rest[ai] for a, b in itertools.pairwise(opts)):
            return False
    return True


def solve(roster: Roster, grid: Grid, opts: SolveOptions | None = None) -> ScheduleResult:
    """Schedule ``roster`` against ``grid.required``; raises ValidationFailed with the reason if impossible."""
    opts = opts or SolveOptions()
    step = grid.step_min
    for t in roster.templates:
        validate_template(t, step)
    templates = {t.id: t for t in roster.templates}
    options = shift_options(roster, grid)

    # contract hours per ISO week (the minimum pro rata for weeks only partly in the horizon)
    by_agent_week: dict[tuple[int, tuple[int, int]], list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        by_agent_week[(o.agent, iso_week(grid.days[o.day]))].append(i)
    weeks = sorted({iso_week(d) for d in grid.days})
    days_in_week = {w: sum(1 for d in grid.days if iso_week(d) == w) for w in weeks}
    limits: dict[tuple[int, tuple[int, int]], tuple[int, int]] = {}
    for ai, agent in enumerate(roster.agents):
        for w in weeks:
            max_min = round(agent.max_hours_week * 60)
            min_min = math.floor(agent.min_hours_week * 60 * days_in_week[w] / 7 / step) * step
            per_day: dict[int, set[int]] = defaultdict(set)
            for i in by_agent_week.get((ai, w), []):
                per_day[options[i].day].add(options[i].length * step)
            week_check(agent, w, list(per_day.values()), min_min, max_min)
            limits[(ai, w)] = (min_min, max_min)

    from ortools.sat.python import cp_model  # here, not at import: the server starts without OR-Tools (ADR 0059)

    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(len(options))]
    per_day_opts: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        per_day_opts[(o.agent, o.day)].append(i)
    for ids in per_day_opts.values():
        m.add_at_most_one(x[i] for i in ids)
    rest = [math.ceil(a.min_rest_hours * 60 / step) for a in roster.agents]
    _rest_constraints(m, x, options, rest)
    for (ai, w), ids in by_agent_week.items():
        lo, hi = limits[(ai, w)]
        m.add_linear_constraint(sum(options[i].length * step * x[i] for i in ids), lo, hi)
        m.add(sum(x[i] for i in ids) <= roster.agents[ai].max_days_week)
    for (ai, w), (lo, _) in limits.items():
        if (ai, w) not in by_agent_week and lo > 0:  # unreachable: week_check refused it
            raise ValidationFailed(f"agent {roster.agents[ai].id}: no shift fits in week {w}")

    # breaks: one placement per rule of the chosen template, inside its window, no two overlapping
    cover: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(grid.slots)]
    ys: dict[BreakKey, cp_model.IntVar] = {}
    ys_by_day: dict[tuple[int, int], list[tuple[BreakKey, cp_model.IntVar]]] = defaultdict(list)
    offsets: dict[tuple[str, int, int], list[tuple[int, int]]] = {}
    for (ai, di), ids in per_day_opts.items():
        by_template: dict[str, list[int]] = defaultdict(list)
        for i in ids:
            by_template[options[i].template].append(i)
            for u in range(options[i].start, options[i].start + options[i].length):
                cover[u].append((1, x[i]))
        slot_breaks: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for tid, t_ids in by_template.items():
            for ri, r in enumerate(templates[tid].breaks):
                compat: dict[tuple[int, int], list[int]] = defaultdict(list)
                for i in t_ids:
                    o = options[i]
                    okey = (tid, ri, o.length)
                    if okey not in offsets:
                        offsets[okey] = break_offsets(r, o.length, step)
                    for off, n in offsets[okey]:
                        compat[(o.start + off, n)].append(i)
                rule_ys = []
                for (b, n), sources in compat.items():
                    key_y = (ai, di, tid, ri, b, n)
                    y = ys[key_y] = m.new_bool_var(f"y{ai}_{di}_{tid}_{ri}_{b}_{n}")
                    ys_by_day[(ai, di)].append((key_y, y))
                    m.add_bool_or([x[i] for i in sources] + [y.Not()])
                    rule_ys.append(y)
                    for u in range(b, b + n):
                        cover[u].append((-1, y))
                        slot_breaks[u].append(y)
                m.add(sum(rule_ys) == sum(x[i] for i in t_ids))
        for at_slot in slot_breaks.values():
            if len(at_slot) > 1:
                m.add_at_most_one(at_slot)

    # coverage: weighted under/over staffing per interval
    terms = []
    slack: list[tuple[int, int, cp_model.IntVar, cp_model.IntVar]] = []
    constant = 0
    for u in range(grid.slots):
        req = round(grid.required[u] * SCALE)
        if not cover[u]:
            constant += opts.under_weight * req
            continue
        work = sum(c * v for c, v in cover[u])
        under = m.new_int_var(0, req, f"under{u}")
        over = m.new_int_var(0, SCALE * len(cover[u]), f"over{u}")
        m.add(SCALE * work - req == over - under)
        slack.append((u, req, under, over))
        terms.append(opts.under_weight * under + opts.over_weight * over)
    m.minimize(sum(terms) + constant)

    chosen, placed = greedy(options, by_agent_week, limits, [a.max_days_week for a in roster.agents],
                            {t.id: t.breaks for t in roster.templates}, offsets, grid.required, step,
                            opts.under_weight, opts.over_weight, rest)
    for i, var in enumerate(x):
        m.add_hint(var, i in chosen)
    for key, var in ys.items():
        m.add_hint(var, key in placed)
    working = [0] * grid.slots
    for i in chosen:
        for u in range(options[i].start, options[i].start + options[i].length):
            working[u] += 1
    for _, _, _, _, b, n in placed:
        for u in range(b, b + n):
            working[u] -= 1
    for u, req, under, over in slack:
        d = SCALE * working[u] - req
        m.add_hint(over, max(d, 0))
        m.add_hint(under, max(-d, 0))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = opts.time_limit_s
    solver.parameters.num_workers = opts.workers
    solver.parameters.random_seed = opts.seed
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 1
    solver.parameters.max_presolve_iterations = 1
    status = solver.solve(m)
    name = solver.status_name(status)
    if status == cp_model.INFEASIBLE:
        raise ValidationFailed("no schedule satisfies the contract hours, availability, rest and break rules "
                               "together (check min_hours_week against min_rest_hours and the start windows)")
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if not found:
        if not _valid(chosen, placed, options, templates, by_agent_week, limits, roster.agents, rest, step):
            raise ValidationFailed(f"CP-SAT found no schedule within {opts.time_limit_s:g} s (status {name}); "
                                   "allow more time (time_limit_s) or fewer start times")
        name = "GREEDY"  # the time ran out in presolve: the greedy start is the answer (it meets every rule)

    def on(var: cp_model.IntVar, hinted: bool) -> bool:
        return bool(solver.boolean_value(var)) if found else hinted

    shifts: list[AgentShift] = []
    for i, o in enumerate(options):
        if not on(x[i], i in chosen):
            continue
        agent = roster.agents[o.agent]
        shift = AgentShift(agent.id, agent.team_id, grid.days[o.day], o.template, grid.at(o.start),
                           grid.at(o.start + o.length))
        rules = templates[o.template].breaks
        for key, y in ys_by_day[(o.agent, o.day)]:
            _, _, tid, ri, b, n = key
            if tid == o.template and on(y, key in placed):
                shift.breaks.append(Placed(rules[ri].activity, grid.at(b), grid.at(b + n)))
        shift.breaks.sort(key=lambda p: p.start)
        shifts.append(shift)
    shifts.sort(key=lambda s: (s.agent_id, s.start))
    coverage = coverage_of(shifts, grid)
    if found:
        objective = solver.objective_value / SCALE
    else:
        objective = sum(opts.under_weight * r.under + opts.over_weight * r.over for r in coverage)
    bound = solver.best_objective_bound / SCALE
    if not math.isfinite(bound) or bound > objective:
        bound = 0.0
    gap = 0.0 if status == cp_model.OPTIMAL or objective <= 0 else max(0.0, (objective - bound) / objective)
    return ScheduleResult(name, objective, bound, gap, solver.wall_time, step, shifts, coverage)


def coverage_of(shifts: Iterable[AgentShift], grid: Grid) -> list[CoverageRow]:
    """Agents working (on shift, not on a break or lunch) per interval, beside the requirement."""
    counts = [0] * grid.slots
    for s in shifts:
        for seg in s.segments():
            if seg.activity != "work":
                continue
            for u in range(grid.slot(seg.start), grid.slot(seg.end)):
                if 0 <= u < grid.slots:
                    counts[u] += 1
    return [CoverageRow(grid.at(u), grid.required[u], counts[u]) for u in range(grid.slots)]


def plan_coverage(rows: Sequence[CoverageRow], grid: Grid) -> list[CoverageRow]:
    """Coverage at the staffing plan's interval: mean agents working over each plan interval (a
    15-minute break inside a 30-minute interval leaves half an agent)."""
    per = (grid.plan_min or grid.step_min) // grid.step_min
    if per <= 1:
        return list(rows)
    out = []
    for i in range(0, len(rows), per):
        part = rows[i:i + per]
        out.append(CoverageRow(part[0].interval_start, sum(r.required for r in part) / len(part),
                               sum(r.scheduled for r in part) / len(part)))
    return out

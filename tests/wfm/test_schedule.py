"""CP-SAT schedules on small instances whose optimum can be worked out by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.published import ScheduleDay, schedule_days
from blendcc.wfm.schedule import ScheduleResult, solve
from blendcc.wfm.shifts import Roster, SolveOptions
from blendcc.wfm.timegrid import grid_from_rows

MONDAY = datetime(2024, 1, 15)
OPTS = SolveOptions(time_limit_s=10)


def rows(day: datetime, step: int, need: list[float]) -> list[tuple[str, float]]:
    return [((day + timedelta(minutes=step * i)).isoformat(), r) for i, r in enumerate(need)]


def template(**kw: Any) -> dict[str, Any]:
    t: dict[str, Any] = {"id": "t", "start_earliest": "08:00", "start_latest": "12:00", "lengths_min": [240]}
    t.update(kw)
    return t


def run(need_rows: list[tuple[str, float]], templates: list[dict[str, Any]], agents: list[dict[str, Any]],
        opts: SolveOptions = OPTS, tz: Any = None) -> ScheduleResult:
    grid = grid_from_rows(need_rows, tz=tz)
    return solve(Roster.model_validate({"templates": templates, "agents": agents}), grid, opts)


def scheduled(result: ScheduleResult) -> list[int]:
    return [r.scheduled for r in result.coverage]


def test_staggered_demand_is_covered_exactly() -> None:
    # 08:00-16:00 in 30-min intervals: 2 agents until noon, 1 after; 4-hour shifts starting 08:00-12:00
    need = [2.0] * 8 + [1.0] * 8
    result = run(rows(MONDAY.replace(hour=8), 30, need), [template(start_step_min=30)],
                 [{"id": f"a{i}"} for i in range(3)])
    assert result.status == "OPTIMAL"
    assert result.objective == 0 and result.gap == 0
    assert scheduled(result) == [2] * 8 + [1] * 8
    assert sorted(s.start.hour for s in result.shifts) == [8, 8, 12]
    assert result.under_total == 0 and result.over_total == 0


def test_too_few_agents_leaves_weighted_under_staffing() -> None:
    need = [3.0] * 8 + [0.0] * 8
    result = run(rows(MONDAY.replace(hour=8), 30, need), [template()], [{"id": "a1"}, {"id": "a2"}])
    assert result.status == "OPTIMAL"
    assert scheduled(result) == [2] * 8 + [0] * 8
    assert result.under_total == 8 and result.over_total == 0
    assert result.objective == 3 * 8  # default weights: under 3, over 1


@pytest.mark.parametrize(("under", "over", "works"), [(3, 1, True), (1, 2, False)])
def test_weights_decide_between_under_and_over_staffing(under: int, over: int, works: bool) -> None:
    # one agent needed for the first 2 hours only, but shifts last 4 hours: 4 intervals over or 4 under
    need = [1.0] * 4 + [0.0] * 4
    result = run(rows(MONDAY.replace(hour=8), 30, need), [template(start_latest="08:00")], [{"id": "a1"}],
                 SolveOptions(under_weight=under, over_weight=over, time_limit_s=10))
    assert result.status == "OPTIMAL"
    assert bool(result.shifts) is works
    assert result.objective == (4 * over if works else 4 * under)


def test_fractional_requirement_is_kept_to_a_hundredth() -> None:
    need = [1.5] * 8
    result = run(rows(MONDAY.replace(hour=8), 30, need), [template(start_latest="08:00")],
                 [{"id": "a1"}, {"id": "a2"}])
    # two agents: 0.5 over x 8 = 4 (weight 1); one agent: 0.5 under x 8 = 4 x 3 = 12
    assert len(result.shifts) == 2 and result.objective == pytest.approx(4.0)


def test_breaks_and_lunch_go_where_the_requirement_dips() -> None:
    # a fixed 8-hour shift 08:00-16:00 in 15-min intervals; one agent needed except 10:00-10:15 and 11:30-12:00
    need = [1.0] * 32
    need[8] = 0.0  # 10:00
    need[14] = need[15] = 0.0  # 11:30, 11:45
    t = template(start_earliest="08:00", start_latest="08:00", lengths_min=[480], breaks=[
        {"activity": "break", "length_min": 15, "earliest_min": 60, "latest_end_min": 180},
        {"activity": "lunch", "length_min": 30, "max_length_min": 60, "earliest_min": 180, "latest_end_min": 300},
    ])
    result = run(rows(MONDAY.replace(hour=8), 15, need), [t], [{"id": "a1"}])
    assert result.status == "OPTIMAL" and result.objective == 0
    (shift,) = result.shifts
    assert [(b.activity, b.start.strftime("%H:%M"), b.end.strftime("%H:%M")) for b in shift.breaks] == [
        ("break", "10:00", "10:15"), ("lunch", "11:30", "12:00")]
    assert scheduled(result) == [int(r) for r in need]


def test_breaks_stay_in_their_windows_and_never_overlap() -> None:
    need = [float(n) for n in [3] * 8 + [5] * 16 + [4] * 12 + [2] * 12]  # 08:00-20:00, 15 min
    t = template(start_earliest="08:00", start_latest="12:00", lengths_min=[360, 480], breaks=[
        {"activity": "break", "length_min": 15, "earliest_min": 60, "latest_end_min": 180},
        {"activity": "lunch", "length_min": 30, "max_length_min": 60, "earliest_min": 180, "latest_end_min": 300},
        {"activity": "break", "length_min": 15, "earliest_min": 120, "latest_end_min": 360},
    ])
    result = run(rows(MONDAY.replace(hour=8), 15, need), [t], [{"id": f"a{i}"} for i in range(7)],
                 SolveOptions(time_limit_s=2))  # the rules hold for any solution, optimal or not
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.shifts
    for s in result.shifts:
        assert [b.activity for b in s.breaks].count("lunch") == 1 and len(s.breaks) == 3
        lunch = next(b for b in s.breaks if b.activity == "lunch")
        assert timedelta(minutes=180) <= lunch.start - s.start
        assert lunch.end - s.start <= timedelta(minutes=300)
        assert timedelta(minutes=30) <= lunch.end - lunch.start <= timedelta(minutes=60)
        ordered = sorted(s.breaks, key=lambda b: b.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(ordered))
        assert all(s.start <= b.start and b.end <= s.end for b in s.breaks)
    # coverage counts agents on shift and not on a break
    for row in result.coverage:
        working = sum(1 for s in result.shifts for seg in s.segments()
                      if seg.activity == "work" and seg.start <= row.interval_start < seg.end)
        assert row.scheduled == working


def week_rows(step: int = 60) -> list[tuple[str, float]]:
    out = []
    for d in range(7):  # Monday..Sunday, 08:00-16:00, one agent needed all the time
        out += rows(MONDAY.replace(hour=8) + timedelta(days=d), step, [1.0] * (480 // step))
    return out


def test_contract_hours_and_days_per_week_are_respected() -> None:
    t = template(start_earliest="08:00", start_latest="08:00", lengths_min=[480])
    result = run(week_rows(), [t], [{"id": "a1", "min_hours_week": 24, "max_hours_week": 24}])
    assert len(result.shifts) == 3  # exactly 24 h of 8-hour shifts
    result = run(week_rows(), [t], [{"id": "a1", "max_hours_week": 40, "max_days_week": 4}])
    assert len(result.shifts) == 4  # demand on 7 days, but at most 4 days
    assert len({s.date for s in result.shifts}) == 4


def test_availability_limits_the_start_times() -> None:
    # need all day 08:00-20:00; the agent is only available from 12:00 on Mondays and not on Tuesday
    need = rows(MONDAY.replace(hour=8), 60, [1.0] * 12) + rows(MONDAY.replace(hour=8) + timedelta(days=1), 60,
                                                               [1.0] * 12)
    agent = {"id": "a1", "availability": {"mon": ["12:00-20:00"]}}
    result = run(need, [template(start_latest="16:00")], [agent])
    assert [(s.date, s.start.hour) for s in result.shifts] in ([(date(2024, 1, 15), h)] for h in (12, 13, 14, 15, 16))
    agent = {"id": "a1", "unavailable_dates": ["2024-01-15"], "availability": {"tue": ["22:00-06:00"]}}
    assert run(need, [template()], [agent]).shifts == []  # no contract minimum: no shift is fine


def test_unmeetable_contract_minimum_says_why() -> None:
    t = template(start_earliest="08:00", start_latest="08:00", lengths_min=[480])
    agent = {"id": "ann", "min_hours_week": 40, "availability": {"mon": ["08:00-16:00"], "tue": ["08:00-16:00"]}}
    with pytest.raises(ValidationFailed, match=r"agent ann: the contract minimum of 40 h .* at most 16 h"):
        run(week_rows(), [t], [agent])


def test_breaks_that_cannot_fit_are_refused() -> None:
    t = template(lengths_min=[240], breaks=[
        {"activity": "lunch", "length_min": 60, "earliest_min": 60, "latest_end_min": 120},
        {"activity": "break", "length_min": 30, "earliest_min": 60, "latest_end_min": 120},
    ])
    with pytest.raises(ValidationFailed, match="cannot all be placed"):
        run(rows(MONDAY.replace(hour=8), 30, [1.0] * 8), [t], [{"id": "a1"}])
    with pytest.raises(ValidationFailed, match="not a multiple of the 30-minute interval"):
        run(rows(MONDAY.replace(hour=8), 30, [1.0] * 8), [template(lengths_min=[250])], [{"id": "a1"}])


def test_documents_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        Roster.model_validate({"templates": [template()], "agents": [{"id": "a", "templates": ["nope"]}]})
    with pytest.raises(ValueError, match="above max_hours_week"):
        Roster.model_validate({"templates": [template()], "agents": [{"id": "a", "min_hours_week": 50}]})
    with pytest.raises(ValueError, match="does not fit"):
        Roster.model_validate({"templates": [template(breaks=[
            {"length_min": 60, "earliest_min": 100, "latest_end_min": 120}])], "agents": [{"id": "a"}]})


def test_grid_from_staffing_plan_rows() -> None:
    plan = [("2024-01-15T08:00:00+01:00", 2), ("2024-01-15T08:00:00+01:00", 1),  # two queues
            ("2024-01-15T08:30:00+01:00", 2), ("2024-01-15T09:30:00+01:00", 4)]
    grid = grid_from_rows(plan)
    assert grid.step_min == 30 and grid.required == (3.0, 2.0, 0.0, 4.0)  # 09:00 missing: 0
    assert grid.at(3).isoformat() == "2024-01-15T09:30:00+01:00"
    fine = grid_from_rows(plan, align_min=15)  # 15-minute breaks: each 30-minute interval split in two
    assert fine.step_min == 15 and fine.required == (3.0, 3.0, 2.0, 2.0, 0.0, 0.0, 4.0, 4.0)
    with pytest.raises(ValidationFailed, match="does not divide"):
        grid_from_rows(plan, interval_min=20)
    with pytest.raises(ValidationFailed, match="not an ISO-8601"):
        grid_from_rows([("yesterday", 1)])
    with pytest.raises(ValidationFailed, match=">= 0"):
        grid_from_rows([("2024-01-15T08:00:00", -1), ("2024-01-15T08:30:00", 1)])


def test_published_days_cut_shifts_into_segments() -> None:
    t = template(start_earliest="08:00", start_latest="08:00", lengths_min=[240], breaks=[
        {"activity": "break", "length_min": 30, "earliest_min": 60, "latest_end_min": 180}])
    result = run(rows(MONDAY.replace(hour=8, tzinfo=UTC), 30, [1.0] * 8), [t], [{"id": "a1", "team_id": "t1"}])
    (day,) = schedule_days(result.shifts)
    assert isinstance(day, ScheduleDay) and day.id == "a1.2024-01-15" and day.team_id == "t1"
    acts = [s.activity for s in day.segments]
    assert acts == ["work", "break", "work"]
    assert day.segments[0].start.isoformat() == "2024-01-15T08:00:00+00:00"
    assert day.segments[-1].end.isoformat() == "2024-01-15T12:00:00+00:00"


def test_out_of_time_falls_back_to_the_greedy_schedule_which_keeps_every_rule() -> None:
    need = [float(n) for n in [3] * 8 + [5] * 16 + [4] * 12 + [2] * 12]
    t = template(start_earliest="08:00", start_latest="12:00", lengths_min=[360, 480], breaks=[
        {"activity": "break", "length_min": 15, "earliest_min": 60, "latest_end_min": 180},
        {"activity": "lunch", "length_min": 30, "max_length_min": 60, "earliest_min": 180, "latest_end_min": 300}])
    agents = [{"id": f"a{i}", "min_hours_week": 6} for i in range(7)]
    result = run(rows(MONDAY.replace(hour=8), 15, need), [t], agents, SolveOptions(time_limit_s=0.0001))
    assert result.status == "GREEDY"  # no time even for presolve
    assert sorted(s.agent_id for s in result.shifts) == [f"a{i}" for i in range(7)]  # 6 h minimum: all work
    for s in result.shifts:
        assert [b.activity for b in s.breaks] == ["break", "lunch"]
        assert s.start + timedelta(minutes=60) <= s.breaks[0].start and s.breaks[1].end <= s.start + timedelta(
            minutes=300)
    assert result.objective == pytest.approx(3 * result.under_total + result.over_total)
    full = run(rows(MONDAY.replace(hour=8), 15, need), [t], agents, SolveOptions(time_limit_s=2))
    assert full.objective <= result.objective  # CP-SAT starts from the greedy schedule and never does worse


@pytest.mark.parametrize("rest_h", [0, 11])
def test_shifts_across_midnight_never_overlap_and_keep_the_rest_rule(rest_h: int) -> None:
    # Monday 22:00 - Tuesday 16:00, hourly: one agent needed 22:00-06:00 and 08:00-16:00
    need = [1.0] * 8 + [0.0] * 2 + [1.0] * 8
    t = template(start_earliest="06:00", start_latest="22:00", start_step_min=60, lengths_min=[480])
    result = run(rows(MONDAY.replace(hour=22), 60, need), [t], [{"id": "a1", "min_rest_hours": rest_h}])
    assert result.status == "OPTIMAL"
    starts = sorted(s.start for s in result.shifts)
    if rest_h == 0:  # night shift then day shift, 2 hours apart
        assert [s.strftime("%a %H:%M") for s in starts] == ["Mon 22:00", "Tue 08:00"]
        assert result.objective == 0
    else:  # 11 hours' rest: only one of the two
        assert len(starts) == 1 and result.objective == 3 * 8
    ordered = sorted(result.shifts, key=lambda s: s.start)
    assert all(b.start - a.end >= timedelta(hours=rest_h) for a, b in itertools.pairwise(ordered))

"""Schedule and adherence endpoints: solve (CP-SAT), publish/read schedules, adherence report, live alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from blendcc.api.compute import run_bounded
from blendcc.api.deps import C, P
from blendcc.api.models import wfm as out
from blendcc.app.admin.configuration import pydantic_message
from blendcc.app.planning.adherence import AdherenceMonitor, ScheduleService
from blendcc.domain.errors import Forbidden, InvalidState, ValidationFailed
from blendcc.wfm.published import schedule_days
from blendcc.wfm.schedule import plan_coverage, solve
from blendcc.wfm.shifts import Roster, SolveOptions
from blendcc.wfm.timegrid import grid_from_rows

router = APIRouter(prefix="/api/wfm", tags=["wfm: schedules"])
ID = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
API_TIME_LIMIT_S = 60.0


class RequiredRow(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a staffing plan row has more columns

    interval_start: str = Field(min_length=10, max_length=40)
    required: float = Field(ge=0, allow_inf_nan=False)


class SolveRequest(BaseModel):
    """Required agents per interval (the staffing plan's rows), templates, agents and solver options."""

    model_config = ConfigDict(extra="forbid")

    required: list[RequiredRow] = Field(min_length=1, max_length=31 * 288)
    templates: list[dict[str, Any]] = Field(min_length=1, max_length=200)
    agents: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    options: dict[str, Any] = Field(default_factory=dict)
    interval_min: int | None = Field(default=None, ge=5, le=60)
    #: publish the result as the agents' schedules (kind 'schedules'); every agent must be configured
    publish: bool = False


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedules: list[dict[str, Any]] = Field(min_length=1, max_length=5000)


def _schedules(c: C) -> ScheduleService:
    if c.schedules is None:
        raise InvalidState("schedules are not wired in this deployment")
    return c.schedules


def _monitor(c: C) -> AdherenceMonitor:
    if c.adherence is None:
        raise InvalidState("the adherence monitor is not wired in this deployment")
    return c.adherence


@router.post("/schedules/solve", response_model=out.SolveOut,
             summary="Per-agent schedules from required agents per interval (CP-SAT)")
def solve_schedules(body: SolveRequest, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    try:
        roster = Roster.model_validate({"templates": body.templates, "agents": body.agents})
        opts = SolveOptions.model_validate(body.options)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_message(exc)) from None
    if body.publish:
        _schedules(c).require_agents(a.id for a in roster.agents)
    if opts.time_limit_s > API_TIME_LIMIT_S:
        raise ValidationFailed(f"options.time_limit_s: at most {API_TIME_LIMIT_S:g} s over the API "
                               "(use 'blendcc schedule' for longer runs)")
    grid = grid_from_rows([(r.interval_start, r.required) for r in body.required], tz=ZoneInfo(c.settings.timezone),
                          interval_min=body.interval_min, align_min=roster.minutes_gcd())
    # the solver stops at its own time limit; the deadline (model building and reading included) backs it up
    result = run_bounded(solve, roster, grid, opts, deadline_s=opts.time_limit_s + c.settings.compute_deadline_s,
                         what="the schedule solver")
    off = [(a.id, a.team_id, d) for a in roster.agents for d in grid.days]
    days = [d.model_dump(mode="json") for d in schedule_days(result.shifts, off)]
    published = _schedules(c).publish(days, p.username) if body.publish and days else []
    return {
        **result.summary(),
        "schedules": days,
        "coverage": [{"interval_start": r.interval_start.isoformat(), "required": r.required,
                      "scheduled": r.scheduled, "under": r.under, "over": r.over}
                     for r in plan_coverage(result.coverage, grid)],
        "published": published,
    }


@router.put("/schedules", response_model=out.PublishedOut,
            summary="Publish agent-day schedules (each a new version of kind 'schedules')")
def publish_schedules(body: PublishRequest, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return {"published": _schedules(c).publish(body.schedules, p.username)}


@router.get("/schedules", response_model=list[out.ScheduleDayOut],
            summary="Published schedules with a segment in [start, end) (agents: their own)")
def list_schedules(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
                   agent_id: str | None = Query(None, max_length=64), team: str | None = Query(None, max_length=64),
                   ) -> list[dict[str, Any]]:
    if not p.at_least("supervisor"):
        if p.agent_id is None or agent_id not in (None, p.agent_id) or team is not None:
            raise Forbidden("agents read their own schedule only (no team filter)")
        agent_id = p.agent_id
    return [d.model_dump(mode="json") for d in _schedules(c).find(start, end, agent_id=agent_id, team=team)]


@router.get("/schedules/{agent_id}/{day}", response_model=out.ScheduleDayOut,
            summary="One agent's published day (agents: their own)")
def get_schedule(c: C, p: P, agent_id: str = ID,
                 day: str = Path(pattern=r"^\d{4}-\d{2}-\d{2}$")) -> dict[str, Any]:
    if agent_id != p.agent_id:
        p.require("supervisor")
    try:
        datetime.fromisoformat(day)
    except ValueError:
        raise ValidationFailed(f"{day!r} is not a date YYYY-MM-DD") from None
    return _schedules(c).get(agent_id, day).model_dump(mode="json")


@router.get("/adherence", response_model=out.AdherenceReport,
            summary="Schedule adherence and conformance per agent and team (KPIS.md)")
def adherence(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
              team: str | None = Query(None, max_length=64),
              agent_id: str | None = Query(None, max_length=64)) -> dict[str, Any]:
    p.require("supervisor")
    return _schedules(c).adherence(start, end, team=team, agent_id=agent_id)


@router.get("/adherence/alerts", response_model=out.Alerts,
            summary="Agents out of adherence for longer than the grace period, now")
def alerts(c: C, p: P, team: str | None = Query(None, max_length=64)) -> dict[str, Any]:
    p.require("supervisor")
    return _monitor(c).alerts(team=team)

"""Staffing endpoints: the Erlang calculator, staffing plans (forecast intervals in, plan out) and multi-skill
staffing by simulation (a scenario in, agents per group out)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.compute import run_bounded
from blendcc.api.deps import C, P
from blendcc.api.jobs import staffing_plan_job, staffing_search_job
from blendcc.api.models import wfm as out
from blendcc.domain.errors import ValidationFailed

router = APIRouter(prefix="/api/wfm", tags=["staffing"])


#: Bounds of the numbers the Erlang mathematics supports over the API (docs/security.md, "Limits"): a day
#: at most for every duration, targets strictly inside (0, 1) by at least 1e-6, and the offered load
#: itself at most ``blendcc.wfm.staffing.MAX_LOAD_ERLANGS`` (checked on calls x AHT / interval).
DAY_S = 86_400.0
MAX_CALLS = 1e9
MAX_API_AGENTS = 2_000_000
TINY = 1e-6


class Targets(BaseModel):
    sl_target: float | None = Field(None, ge=TINY, le=1 - TINY, description="share answered within the threshold")
    sl_threshold_s: float = Field(20.0, ge=0, le=DAY_S, description="service-level threshold T, seconds")
    asa_target_s: float | None = Field(None, ge=0.001, le=DAY_S, description="ASA at most, seconds")
    max_abandon: float | None = Field(None, ge=TINY, le=1 - TINY, description="P(abandon) at most (needs patience_s)")
    max_occupancy: float | None = Field(None, ge=0.01, le=1, description="occupancy at most")
    patience_s: float | None = Field(None, ge=0.001, le=DAY_S,
                                     description="mean patience, seconds: Erlang A (else Erlang C)")
    shrinkage: float = Field(0.0, ge=0, le=0.99, description="share of paid time off the phones")


class ErlangBody(Targets):
    model_config = ConfigDict(extra="forbid")
    calls: float = Field(ge=0, le=MAX_CALLS, description="contacts offered in the interval")
    interval_min: float = Field(30.0, ge=1, le=1440)
    aht_s: float = Field(ge=0.001, le=DAY_S, description="average handle time, seconds")
    agents: int | None = Field(None, ge=0, le=MAX_API_AGENTS, strict=True, description="agents to evaluate")


class IntervalIn(BaseModel):
    model_config = ConfigDict(extra="allow")  # forecast rows may carry more columns (reforecast, ...)
    interval_start: str = Field(min_length=10, max_length=40, description="ISO 8601 date-time")
    queue: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)
    volume: float = Field(ge=0, le=MAX_CALLS)
    aht_s: float | None = Field(None, ge=0.001, le=DAY_S)


class CoverageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_start: str = Field(min_length=10, max_length=40)
    queue: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)
    scheduled: float = Field(ge=0, le=MAX_API_AGENTS, description="heads scheduled on contacts in the interval")


class StaffingBody(Targets):
    model_config = ConfigDict(extra="forbid")
    intervals: list[IntervalIn] = Field(min_length=1, max_length=100_000)
    interval_min: int | None = Field(None, ge=1, le=1440, description="default: from the interval starts")
    sl_target: float | None = Field(0.8, ge=TINY, le=1 - TINY)
    default_aht_s: float | None = Field(None, ge=0.001, le=DAY_S, description="AHT for intervals without one")
    scheduled: list[CoverageIn] | None = Field(None, max_length=100_000, description="schedule coverage")


@router.post("/erlang", response_model=out.ErlangOut,
             summary="Erlang C/A calculator: metrics for N agents, or the agents a target needs")
def erlang_calculator(body: ErlangBody, c: C, p: P) -> dict[str, Any]:
    from blendcc.wfm.staffing import calculate

    p.require("supervisor")
    return run_bounded(calculate, **body.model_dump(), deadline_s=c.settings.compute_deadline_s,
                       what="the Erlang calculation")


@router.post("/staffing", response_model=out.StaffingPlan, response_model_exclude_unset=True,
             summary="Staffing plan: required agents and FTE per interval (and the schedule gap)")
def staffing(body: StaffingBody, c: C, p: P) -> dict[str, Any]:
    from blendcc.wfm.staffing import StaffingTargets

    p.require("supervisor")
    targets = body.model_dump(include=set(Targets.model_fields))
    StaffingTargets(**targets).check()  # refused here, before a worker starts
    rows = [{"interval_start": i.interval_start, "queue": i.queue, "channel": i.channel, "volume": i.volume,
             "aht_s": i.aht_s} for i in body.intervals]
    coverage = None
    if body.scheduled is not None:
        if not body.scheduled:
            raise ValidationFailed("scheduled: give at least one interval, or leave it out")
        coverage = [c.model_dump() for c in body.scheduled]
    return run_bounded(staffing_plan_job, targets, rows, coverage, body.interval_min, body.default_aht_s,
                       deadline_s=c.settings.compute_deadline_s, what="the staffing plan")


#: Work one simulated-staffing request may ask for (``blendcc staff-sim`` has no limit).
SIM_MAX_ARRIVALS_PER_REPLICATION = 50_000
SIM_MAX_ARRIVALS_TOTAL = 1_000_000
SIM_MAX_AGENTS_PER_GROUP = 500
SIM_IN_PROCESS_ARRIVALS = 50_000


class QueueTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sl_target: float | None = Field(0.8, ge=TINY, le=1 - TINY, description="service level at the queue's T, at least")
    asa_target_s: float | None = Field(None, ge=0.001, le=DAY_S, description="ASA at most, seconds")
    max_abandon: float | None = Field(None, ge=TINY, le=1 - TINY, description="abandon rate at most")


class GroupBounds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: int = Field(0, ge=0, le=SIM_MAX_AGENTS_PER_GROUP)
    max: int | None = Field(None, ge=0, le=SIM_MAX_AGENTS_PER_GROUP)


class SimStaffingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: dict[str, Any] = Field(description="scenario document (docs/simulator.md); group counts are searched")
    target: QueueTargetIn = Field(default_factory=QueueTargetIn, description="for every queue contacts arrive at")
    targets: dict[str, QueueTargetIn] | None = Field(None, max_length=50, description="per queue (instead of target)")
    costs: dict[str, Annotated[float, Field(gt=0, le=1e6)]] = Field(default_factory=dict, max_length=100,
                                                                   description="cost per agent of a group")
    bounds: dict[str, GroupBounds] = Field(default_factory=dict, max_length=100)
    replications: int = Field(5, ge=1, le=20)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    criterion: Literal["ci", "mean"] = "ci"
    max_evaluations: int = Field(30, ge=1, le=40, description="simulated candidates at most (per interval)")
    warmup_s: float = Field(0.0, ge=0, le=7 * 86400, description="seconds at the start left out of the KPIs")
    per_interval: bool = Field(False, description="one search per interval of the arrival profile")
    window_s: float | None = Field(None, ge=900, le=7 * 86400, description="per_interval: steady state simulated")


@router.post("/staffing/simulate", response_model=out.SimStaffing | out.SimStaffingPerInterval,
             response_model_exclude_unset=True,
             summary="Multi-skill staffing by simulation: agents per group meeting every queue's target at least cost")
def staffing_simulate(body: SimStaffingBody, c: C, p: P) -> dict[str, Any]:
    from blendcc.sim.scenario import parse_scenario
    from blendcc.sim.staffing import SearchOptions
    from blendcc.sim.staffing_erlang import QueueTarget, queue_loads

    p.require("supervisor")
    scenario = parse_scenario(body.scenario)
    cases = None
    if body.per_interval:
        from blendcc.sim.staffing_intervals import interval_cases

        cases = interval_cases(scenario, body.window_s)
    runs = [c.scenario for c in cases if c.scenario is not None] if cases is not None else [scenario]
    per_rep = max([sc.expected_arrivals() for sc in runs], default=0.0)
    total = sum(sc.expected_arrivals() for sc in runs) * body.replications * body.max_evaluations
    if per_rep > SIM_MAX_ARRIVALS_PER_REPLICATION:
        raise ValidationFailed(f"scenario expects {per_rep:,.0f} arrivals per replication; the API searches with at "
                               f"most {SIM_MAX_ARRIVALS_PER_REPLICATION:,} (use 'blendcc staff-sim')")
    if total > SIM_MAX_ARRIVALS_TOTAL:
        raise ValidationFailed(f"up to {body.max_evaluations} candidates x {body.replications} replications x "
                               f"{total / body.replications / body.max_evaluations:,.0f} arrivals exceed the API's "
                               f"{SIM_MAX_ARRIVALS_TOTAL:,} simulated arrivals per request; lower max_evaluations "
                               "or replications, or use the CLI")
    for g in scenario.agents:
        if g.size > SIM_MAX_AGENTS_PER_GROUP:
            raise ValidationFailed(f"group {g.name} has {g.size} agents; the API searches at most "
                                   f"{SIM_MAX_AGENTS_PER_GROUP} per group")
    bounds: dict[str, tuple[int, int | None]] = {g: (b.min, b.max) for g, b in body.bounds.items()}
    if body.targets is not None:
        targets = {q: QueueTarget(**t.model_dump()) for q, t in body.targets.items()}
    else:
        targets = dict.fromkeys(queue_loads(scenario), QueueTarget(**body.target.model_dump()))
    workers = 1 if per_rep * body.replications <= SIM_IN_PROCESS_ARRIVALS else None
    options = SearchOptions(replications=body.replications, seed=body.seed, criterion=body.criterion,
                            max_evaluations=body.max_evaluations, workers=workers, costs=body.costs, bounds=bounds,
                            warmup_s=body.warmup_s)
    options.check()
    return run_bounded(staffing_search_job, scenario, targets, options, body.per_interval, body.window_s,
                       deadline_s=c.settings.compute_deadline_s, what="the staffing search")

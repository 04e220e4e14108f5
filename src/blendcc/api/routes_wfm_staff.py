"""Staffing endpoints: the Erlang calculator, staffing plans (forecast intervals in, plan out) and multi-skill
staffing by simulation (a scenario in, agents per group out)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import P
from blendcc.api.models import wfm as out
from blendcc.domain.errors import ValidationFailed

router = APIRouter(prefix="/api/wfm", tags=["staffing"])


class Targets(BaseModel):
    sl_target: float | None = Field(None, gt=0, lt=1, description="share answered within the threshold")
    sl_threshold_s: float = Field(20.0, ge=0, description="service-level threshold T, seconds")
    asa_target_s: float | None = Field(None, gt=0, description="ASA at most, seconds")
    max_abandon: float | None = Field(None, gt=0, lt=1, description="P(abandon) at most (needs patience_s)")
    max_occupancy: float | None = Field(None, gt=0, le=1, description="occupancy at most")
    patience_s: float | None = Field(None, gt=0, description="mean patience, seconds: Erlang A (else Erlang C)")
    shrinkage: float = Field(0.0, ge=0, lt=1, description="share of paid time off the phones")


class ErlangBody(Targets):
    model_config = ConfigDict(extra="forbid")
    calls: float = Field(ge=0, description="contacts offered in the interval")
    interval_min: float = Field(30.0, gt=0, le=1440)
    aht_s: float = Field(gt=0, le=86_400, description="average handle time, seconds")
    agents: int | None = Field(None, ge=0, le=10_000_000, description="agents to evaluate")


class IntervalIn(BaseModel):
    model_config = ConfigDict(extra="allow")  # forecast rows may carry more columns (reforecast, ...)
    interval_start: str = Field(min_length=10, max_length=40, description="ISO 8601 date-time")
    queue: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)
    volume: float = Field(ge=0)
    aht_s: float | None = Field(None, gt=0, le=86_400)


class CoverageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_start: str = Field(min_length=10, max_length=40)
    queue: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)
    scheduled: float = Field(ge=0, description="heads scheduled on contacts in the interval")


class StaffingBody(Targets):
    model_config = ConfigDict(extra="forbid")
    intervals: list[IntervalIn] = Field(min_length=1, max_length=100_000)
    interval_min: int | None = Field(None, ge=1, le=1440, description="default: from the interval starts")
    sl_target: float | None = Field(0.8, gt=0, lt=1)
    default_aht_s: float | None = Field(None, gt=0, le=86_400, description="AHT for intervals without one")
    scheduled: list[CoverageIn] | None = Field(None, max_length=100_000, description="schedule coverage")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@router.post("/erlang", response_model=out.ErlangOut,
             summary="Erlang C/A calculator: metrics for N agents, or the agents a target needs")
def erlang_calculator(body: ErlangBody, p: P) -> dict[str, Any]:
    from blendcc.wfm.staffing import calculate

    p.require("supervisor")
    return calculate(**body.model_dump())


@router.post("/staffing", response_model=out.StaffingPlan, response_model_exclude_unset=True,
             summary="Staffing plan: required agents and FTE per interval (and the schedule gap)")
def staffing(body: StaffingBody, p: P) -> dict[str, Any]:
    import pandas as pd

    from blendcc.wfm.staffing import StaffingTargets, plan_summary, staffing_plan

    p.require("supervisor")
    targets = StaffingTargets(**body.model_dump(include=set(Targets.model_fields)))
    rows = [{"interval_start": i.interval_start, "queue": i.queue, "channel": i.channel, "volume": i.volume,
             "aht_s": i.aht_s} for i in body.intervals]
    forecast = pd.DataFrame(rows)
    for key in ("queue", "channel"):
        if forecast[key].isna().all():
            forecast = forecast.drop(columns=key)
    coverage = None
    if body.scheduled is not None:
        if not body.scheduled:
            raise ValidationFailed("scheduled: give at least one interval, or leave it out")
        coverage = pd.DataFrame([c.model_dump() for c in body.scheduled])
        for key in ("queue", "channel"):
            if coverage[key].isna().all():
                coverage = coverage.drop(columns=key)
    plan, minutes = staffing_plan(forecast, targets, interval_min=body.interval_min, scheduled=coverage,
                                  default_aht_s=body.default_aht_s)
    records = [{k: _clean(v) for k, v in r.items()} for r in plan.to_dict(orient="records")]
    for r in records:
        r["required"] = int(r["required"])
    model = "Erlang A" if targets.patience_s is not None else "Erlang C"
    return {"model": model, "interval_min": minutes, "shrinkage": targets.shrinkage,
            "summary": plan_summary(plan, minutes), "intervals": records}


#: Work one simulated-staffing request may ask for (``blendcc staff-sim`` has no limit).
SIM_MAX_ARRIVALS_PER_REPLICATION = 50_000
SIM_MAX_ARRIVALS_TOTAL = 1_000_000
SIM_MAX_AGENTS_PER_GROUP = 500
SIM_IN_PROCESS_ARRIVALS = 50_000


class QueueTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sl_target: float | None = Field(0.8, gt=0, lt=1, description="service level at the queue's T, at least")
    asa_target_s: float | None = Field(None, gt=0, description="ASA at most, seconds")
    max_abandon: float | None = Field(None, gt=0, lt=1, description="abandon rate at most")


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
def staffing_simulate(body: SimStaffingBody, p: P) -> dict[str, Any]:
    from blendcc.sim.scenario import parse_scenario
    from blendcc.sim.staffing import SearchOptions, search_staffing
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
    if body.per_interval:
        from blendcc.sim.staffing_intervals import search_intervals

        rows = search_intervals(scenario, targets, options, window_s=body.window_s)
        return {"scenario": scenario.name, "intervals": [r.to_dict() for r in rows]}
    return search_staffing(scenario, targets, options).to_dict()

"""Staffing endpoints: the Erlang calculator and staffing plans (forecast intervals in, plan out)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import P
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


@router.post("/erlang", summary="Erlang C/A calculator: metrics for N agents, or the agents a target needs")
def erlang_calculator(body: ErlangBody, p: P) -> dict[str, Any]:
    from blendcc.wfm.staffing import calculate

    p.require("supervisor")
    return calculate(**body.model_dump())


@router.post("/staffing", summary="Staffing plan: required agents and FTE per interval (and the schedule gap)")
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

"""Forecasting endpoints: forecast a posted series, a queue's stored history, and the intraday view of a queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.compute import run_bounded
from blendcc.api.deps import C, P
from blendcc.api.jobs import forecast_job
from blendcc.api.models import wfm as out
from blendcc.api.routes_wfm_staff import DAY_S, MAX_API_AGENTS, MAX_CALLS, TINY
from blendcc.app.container import Container
from blendcc.app.planning.forecasting import (
    HISTORY_DAYS,
    MAX_HISTORY_DAYS,
    ForecastingService,
    parse_horizon,
)
from blendcc.wfm.forecast import Override, SpecialDay, parse_override

router = APIRouter(prefix="/api/wfm", tags=["forecasting"])


class SpecialDayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date
    like: str = Field("normal", description="a weekday name (forecast like that day), closed, or normal")


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: datetime = Field(description="local wall-clock time (an offset, if given, is ignored)")
    end: datetime
    value: float | None = Field(None, ge=0, le=1e9)
    percent: float | None = Field(None, ge=-100, le=10_000)
    field: Literal["volume", "aht_s"] = "volume"
    queue: str | None = None
    channel: str | None = None


class ForecastBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: list[dict[str, Any]] = Field(
        min_length=1, max_length=500_000,
        description="interval counts ({interval_start, volume, aht_s?, queue?, channel?}) or contacts "
                    "({timestamp, handle_s?, queue?, channel?})")
    kind: Literal["auto", "counts", "timestamps"] = "auto"
    interval_min: Literal[15, 30, 60] = 30
    horizon: str | int = "14d"
    tz: str | None = Field(None, description="zone of naive times and of the output (default: the centre's)")
    special_days: list[SpecialDayBody] = []
    overrides: list[OverrideBody | str] = []
    models: list[str] | None = None
    model: str | None = None
    backtest: bool = True
    origins: int = Field(4, ge=1, le=60)
    default_aht_s: float | None = Field(None, gt=0, le=86_400)


def _overrides(items: list[OverrideBody | str], interval_min: int) -> list[Override]:
    out = []
    for o in items:
        if isinstance(o, str):
            out.append(parse_override(o, interval_min))
        else:
            out.append(Override(o.start.replace(tzinfo=None), o.end.replace(tzinfo=None), o.value, o.percent,
                                o.field, o.queue, o.channel))
    return out


def service(c: Container) -> ForecastingService:
    return ForecastingService(c.store, c.clock, c.settings.timezone, c.views.staffed)


@router.post("/forecast", response_model=out.ForecastOut,
             summary="Forecast a posted series (volume and AHT per interval), with backtest")
def post_forecast(body: ForecastBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return run_bounded(forecast_job, *forecast_args(body, c), deadline_s=c.settings.compute_deadline_s,
                       what="the forecast")


def forecast_args(body: ForecastBody, c: Container) -> tuple[Any, ...]:
    """``forecast_job``'s arguments for a posted body (horizon and overrides checked here: 422 before any work)."""
    tz = body.tz or c.settings.timezone
    options = {"special_days": [SpecialDay(s.day, s.like.lower()) for s in body.special_days],
               "overrides": _overrides(body.overrides, body.interval_min), "models": body.models,
               "model": body.model, "run_backtest": body.backtest, "n_origins": body.origins,
               "default_aht_s": body.default_aht_s}
    return body.points, body.kind, body.interval_min, tz, parse_horizon(body.horizon), options


@router.get("/forecast/queues/{queue_id}", response_model=out.QueueForecastOut,
            summary="Forecast a queue per channel from the stored history")
def queue_forecast(queue_id: str, c: C, p: P, interval: int = Query(30, description="15, 30 or 60 minutes"),
                   horizon: str = "14d",
                   history_days: int = Query(HISTORY_DAYS, ge=7, le=MAX_HISTORY_DAYS),
                   origins: int = Query(4, ge=1, le=60), backtest: bool = True,
                   default_aht_s: float | None = Query(None, ge=0.001, le=DAY_S),
                   history_shown_days: int = Query(0, ge=0, le=62, description="also return this many days of "
                                                   "history (a chart of history and forecast)")) -> dict[str, Any]:
    p.require("supervisor")
    svc = service(c)
    run = svc.forecast_store(interval, parse_horizon(horizon), history_days, queue_id,
                             n_origins=origins, run_backtest=backtest, default_aht_s=default_aht_s)
    shown = svc.recent_history(queue_id, interval, history_shown_days) if history_shown_days else None
    return {"queue_id": queue_id, **run.as_json(), "history": shown}


@router.get("/intraday/{queue_id}", response_model=out.Intraday,
            summary="Today's forecast re-forecast from actuals, with the staffing gap")
def intraday(queue_id: str, c: C, p: P, interval: int = Query(30, description="15, 30 or 60 minutes"),
             history_days: int = Query(56, ge=7, le=MAX_HISTORY_DAYS),
             staffed: int | None = Query(None, ge=0, le=MAX_API_AGENTS,
                                         description="agents staffed (default: logged in, not in aux)"),
             sl_target: float = Query(0.8, ge=TINY, le=1 - TINY), sl_threshold_s: float = Query(20, gt=0, le=DAY_S),
             prior_contacts: float = Query(50, gt=0, le=MAX_CALLS),
             default_aht_s: float = Query(180, ge=0.001, le=DAY_S)) -> dict[str, Any]:
    p.require("supervisor")
    return service(c).intraday(queue_id, interval, history_days, staffed=staffed, sl_target=sl_target,
                               sl_threshold_s=sl_threshold_s, prior_contacts=prior_contacts,
                               default_aht_s=default_aht_s)

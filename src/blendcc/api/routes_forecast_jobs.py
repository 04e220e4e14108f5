"""Forecasts as background jobs: submit, poll progress and the result, cancel, list the caller's jobs."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P
from blendcc.api.jobs import forecast_job
from blendcc.api.models import wfm as out
from blendcc.api.routes_forecast import ForecastBody, forecast_args, service
from blendcc.api.routes_wfm_staff import DAY_S
from blendcc.app.container import Container
from blendcc.app.planning.background_jobs import BackgroundJobs, Progress
from blendcc.app.planning.forecasting import HISTORY_DAYS, MAX_HISTORY_DAYS, parse_horizon, run_forecast
from blendcc.domain.errors import InvalidState

router = APIRouter(prefix="/api/wfm/forecast/jobs", tags=["forecasting"])


class ForecastJobBody(ForecastBody):
    origins: int = Field(12, ge=1, le=60, description="backtest origins (12 as on the command line)")


class QueueForecastJobBody(BaseModel):
    """A queue's forecast from the stored history (the query of GET /api/wfm/forecast/queues/{id} as a body)."""
    model_config = ConfigDict(extra="forbid")
    interval: Literal[15, 30, 60] = 30
    horizon: str | int = "14d"
    history_days: int = Field(HISTORY_DAYS, ge=7, le=MAX_HISTORY_DAYS)
    origins: int = Field(12, ge=1, le=60, description="backtest origins (12 as on the command line)")
    backtest: bool = True
    default_aht_s: float | None = Field(None, ge=0.001, le=DAY_S)
    history_shown_days: int = Field(0, ge=0, le=62, description="also return this many days of history")


def _jobs(c: Container) -> BackgroundJobs:
    if c.forecast_jobs is None:
        raise InvalidState("background jobs are not enabled on this server")
    jobs: BackgroundJobs = c.forecast_jobs
    return jobs


@router.post("", status_code=202, response_model=out.ForecastJobOut,
             summary="Start a forecast (same body as POST /api/wfm/forecast) in the background")
def submit_forecast_job(body: ForecastJobBody, c: C, p: P, response: Response) -> dict[str, Any]:
    p.require("supervisor")
    points, kind, interval_min, tz, horizon_days, options = forecast_args(body, c)

    def work(progress: Progress) -> dict[str, Any]:
        return forecast_job(points, kind, interval_min, tz, horizon_days, {**options, "progress": progress})

    job = _jobs(c).submit(p.username, "the forecast", work)
    response.headers["Location"] = f"{router.prefix}/{job.id}"
    return job.view()


@router.post("/queues/{queue_id}", status_code=202, response_model=out.ForecastJobOut,
             summary="Start a queue's forecast from the stored history in the background (404 without history)")
def submit_queue_forecast_job(queue_id: str, body: QueueForecastJobBody, c: C, p: P,
                              response: Response) -> dict[str, Any]:
    p.require("supervisor")
    horizon_days = parse_horizon(body.horizon)
    svc = service(c)
    series = svc.stored_series(body.interval, body.history_days, queue_id)  # 404 now, not as a failed job
    shown = svc.recent_history(queue_id, body.interval, body.history_shown_days) if body.history_shown_days else None

    def work(progress: Progress) -> dict[str, Any]:
        run = run_forecast(series, horizon_days, svc.tz, n_origins=body.origins, run_backtest=body.backtest,
                           default_aht_s=body.default_aht_s, progress=progress)
        return {"queue_id": queue_id, **run.as_json(), "history": shown}

    job = _jobs(c).submit(p.username, f"the forecast of queue {queue_id}", work)
    response.headers["Location"] = f"{router.prefix}/{job.id}"
    return job.view()


@router.get("", response_model=out.ForecastJobList, summary="The caller's recent forecast jobs (without results)")
def list_forecast_jobs(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return {"jobs": [j.view(with_result=False) for j in _jobs(c).list(p.username)]}


@router.get("/{job_id}", response_model=out.ForecastJobOut,
            summary="A forecast job: state, progress (backtest fits), the result when done or the error")
def get_forecast_job(job_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _jobs(c).get(job_id, p.username).view()


@router.delete("/{job_id}", status_code=202, response_model=out.ForecastJobOut,
               summary="Cancel a queued or running forecast job (it stops at its next fit)")
def cancel_forecast_job(job_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _jobs(c).cancel(job_id, p.username).view()


@router.post("/{job_id}/cancel", status_code=202, response_model=out.ForecastJobOut,
             summary="Cancel a queued or running forecast job (same as DELETE)")
def cancel_forecast_job_post(job_id: str, c: C, p: P) -> dict[str, Any]:
    return cancel_forecast_job(job_id, c, p)

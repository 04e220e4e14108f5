"""Digital conversation and IVR figures: the historical reports and today's live figures (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from blendcc.api.deps import C, P, audit
from blendcc.api.models import digital as out

router = APIRouter(prefix="/api", tags=["stats"])

Id = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get("/reports/digital", response_model=out.DigitalReport,
            summary="Digital KPIs (FRT, response, resolution, reopen rate, messages, concurrency, bot, CSAT)")
def digital_report(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
                   interval: Literal["15", "30", "60", "day", "week"] = "60",
                   group_by: Literal["queue", "channel", "queue_channel", "agent"] = "queue",
                   queue_id: Id = None, channel: Id = None, agent_id: Id = None,
                   reopen_days: float = Query(7.0, gt=0, le=90, allow_inf_nan=False)) -> dict[str, Any]:
    if not p.at_least("supervisor"):
        if p.agent_id is None:
            p.require("supervisor")  # raises: only supervisors see others' figures
        agent_id = p.agent_id
        group_by = "agent"
    audit(c, p, "data_exported", "reports/digital", start=start, end=end, queue_id=queue_id, agent_id=agent_id)
    return c.reports.digital(start, end, interval, group_by, queue_id, channel, agent_id, reopen_days)


@router.get("/reports/ivr", response_model=out.IvrReport,
            summary="IVR figures per flow and dialled number: to queue, IVR abandoned, IVR contained")
def ivr_report(c: C, p: P, start: float = Query(allow_inf_nan=False), end: float = Query(allow_inf_nan=False),
               interval: Literal["15", "30", "60", "day", "week"] = "60", flow_id: Id = None, dialled: Id = None,
               by_dialled: bool = True) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "reports/ivr", start=start, end=end, flow_id=flow_id)
    return c.reports.ivr(start, end, interval, flow_id, dialled, by_dialled)


@router.get("/stats/live/ivr", response_model=out.LiveIvr,
            summary="Today's IVR figures per flow and dialled number (live, incremental)")
def live_ivr(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.stats.ivr_today(c.clock.now())


@router.get("/stats/live/digital", response_model=out.LiveDigital,
            summary="Today's digital KPIs per queue and channel (live, incremental)")
def live_digital(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return c.stats.digital_today(c.clock.now())

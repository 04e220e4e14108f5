"""Supervisor's live views: today's intraday board of a queue and the campaign monitor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from blendcc.api.deps import C, P
from blendcc.api.models import live_monitor as out
from blendcc.api.routes_dialer import _svc
from blendcc.api.routes_forecast import service
from blendcc.api.routes_wfm_staff import DAY_S, MAX_CALLS, TINY
from blendcc.app.outbound.monitor import monitor
from blendcc.app.planning.forecasting import MAX_HISTORY_DAYS
from blendcc.app.planning.intraday_board import board, queue_agents
from blendcc.domain.channels import Channel
from blendcc.domain.errors import NotFound

router = APIRouter(prefix="/api", tags=["live"])


@router.get("/wfm/intraday/{queue_id}/board", response_model=out.IntradayBoard,
            summary="Today per interval: offered vs forecast, SL, ASA, abandonment, required vs logged-in agents")
def intraday_board(c: C, p: P, queue_id: str = Path(min_length=1, max_length=64),
                   interval: int = Query(30, description="15, 30 or 60 minutes"),
                   sl_target: float | None = Query(None, ge=TINY, le=1 - TINY,
                                                   description="default: the queue's own sl_target"),
                   history_days: int = Query(56, ge=7, le=MAX_HISTORY_DAYS),
                   prior_contacts: float = Query(50, gt=0, le=MAX_CALLS),
                   default_aht_s: float = Query(180, ge=0.001, le=DAY_S),
                   patience_s: float | None = Query(None, gt=0, le=DAY_S,
                                                    description="callers' mean patience: Erlang A (default: C)"),
                   ) -> dict[str, Any]:
    p.require("supervisor")
    catalog = c.config.catalog
    queue = catalog.queues.get(queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} does not exist")
    agents = queue_agents({a.id: a.queues for a in catalog.agents.values()}, queue_id)
    return board(service(c), queue_id, agents, queue.sl_threshold(Channel.VOICE), interval_min=interval,
                 sl_target=sl_target if sl_target is not None else min(queue.sl_target, 1 - TINY),
                 history_days=history_days, prior_contacts=prior_contacts,
                 default_aht_s=default_aht_s, staffed_now=c.views.staffed(queue_id),
                 patience_s=patience_s)


@router.get("/dialing/monitor", response_model=list[out.CampaignMonitorRow],
            summary="Every campaign: state, pacing, dial level, live-answer rate, abandonment vs the cap, penetration")
def campaign_monitor(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return monitor(_svc(c), c.dialing, c.views.staffed)

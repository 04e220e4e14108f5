"""The agent desktop's API beyond the ACD's: today's figures, wrap-up options, callbacks, manual dial and the
transfer directory. An agent reads and changes only its own data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from blendcc.api.deps import AgentP, C, P
from blendcc.api.models import desktop as out
from blendcc.app.acd.callbacks import agent_callbacks
from blendcc.app.acd.desktop import Desk
from blendcc.app.container import Container
from blendcc.app.outbound.agent_campaigns import agent_campaigns
from blendcc.app.outbound.dialing import DialingService
from blendcc.domain.errors import Forbidden, InvalidState, ValidationFailed

router = APIRouter(prefix="/api", tags=["desktop"])


def _desk(c: Container) -> Desk:
    if c.desk is None:
        raise InvalidState("the agent desktop is not wired in this deployment")
    desk: Desk = c.desk
    return desk


@router.get("/agent/today", response_model=out.AgentToday,
            summary="My figures today: handled (per channel), AHT, occupancy, time in the current state")
def today(c: C, p: AgentP) -> dict[str, Any]:
    return _desk(c).today.today(p.agent_id or "")


@router.get("/agent/contacts/{contact_id}/wrapup-options", response_model=out.WrapUpOptions,
            summary="For one of my contacts: disposition codes, notes required, wrap-up deadline, callback")
def wrapup_options(contact_id: str, c: C, p: AgentP) -> dict[str, Any]:
    return _desk(c).wrapups.options(p.agent_id or "", contact_id)


# ---------------------------------------------------------------------- callbacks


@router.get("/agent/callbacks", response_model=list[out.AgentCallback],
            summary="My personal callbacks (scheduled ones and the dialer's), due first")
def my_callbacks(c: C, p: AgentP) -> list[dict[str, Any]]:
    return agent_callbacks(_desk(c).callbacks, c.campaigns, p.agent_id or "")


def _customer_allowed(c: Container, agent_id: str, customer_id: str) -> None:
    if customer_id in c.views.customers_held(agent_id):
        return
    if c.store.interactions(agent_id=agent_id, customer_id=customer_id, limit=1):
        return
    raise Forbidden("agents schedule callbacks for customers of their own contacts")


@router.post("/agent/callbacks", response_model=out.Callback, status_code=201,
             summary="Schedule a callback to a customer's phone: personal, or for one of my queues")
def schedule_callback(body: out.NewCallback, c: C, p: AgentP) -> dict[str, Any]:
    agent_id = p.agent_id or ""
    queues = c.views.agent(agent_id)["queues"]
    if body.queue_id is not None and body.queue_id not in queues:
        raise ValidationFailed(f"queue {body.queue_id} is not one of yours")
    if not body.personal and body.queue_id is None:
        raise ValidationFailed("a queue callback needs queue_id")
    if body.customer_id is not None:
        _customer_allowed(c, agent_id, body.customer_id)
    return _desk(c).callbacks.schedule(phone=body.phone, due_at=body.due_at,
                                       agent_id=agent_id if body.personal else None, queue_id=body.queue_id,
                                       customer_id=body.customer_id, note=body.note, by=p.username)


@router.post("/agent/callbacks/{callback_id}/cancel", response_model=out.Callback,
             summary="Cancel one of my callbacks (or one of my queues')")
def cancel_callback(callback_id: str, c: C, p: AgentP, body: out.CancelCallback | None = None) -> dict[str, Any]:
    agent_id = p.agent_id or ""
    return _desk(c).callbacks.cancel(callback_id, agent_id, p.username, (body or out.CancelCallback()).reason,
                                     queues=c.views.agent(agent_id)["queues"])


@router.post("/agent/callbacks/{callback_id}/done", response_model=out.Callback,
             summary="Mark one of my callbacks (or one of my queues') done")
def callback_done(callback_id: str, c: C, p: AgentP) -> dict[str, Any]:
    agent_id = p.agent_id or ""
    return _desk(c).callbacks.done(callback_id, agent_id, p.username, queues=c.views.agent(agent_id)["queues"])


@router.get("/callbacks/scheduled", response_model=list[out.Callback],
            summary="Queue callbacks still scheduled (supervisors), due first")
def queue_callbacks(c: C, p: P, queue_id: str | None = None) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _desk(c).callbacks.for_queues(queue_id)


# ---------------------------------------------------------------------- manual dial


def _manual(c: Container) -> Any:
    manual = _desk(c).manual
    if manual is None:
        raise InvalidState("outbound campaigns are not configured in this deployment")
    return manual


@router.get("/agent/campaigns", response_model=list[out.AgentCampaign],
            summary="The campaigns of my queues, running first, and whether I may preview / manual dial on them now")
def my_campaigns(c: C, p: AgentP) -> list[dict[str, Any]]:
    if c.campaigns is None:
        return []
    queues = c.views.agent(p.agent_id or "")["queues"]
    return agent_campaigns(c.campaigns, queues, isinstance(getattr(c, "dialing", None), DialingService))


@router.post("/agent/dial/check", response_model=out.DialCheck,
             summary="The checks a manual dial must pass: number, DNC, calling window, my state, campaign")
def dial_check(body: out.DialCheckBody, c: C, p: AgentP) -> dict[str, Any]:
    result: dict[str, Any] = _manual(c).check(p.agent_id or "", body.phone, body.campaign_id)
    return result


@router.post("/agent/dial", response_model=out.DialPlaced, status_code=201,
             summary="Dial a number by hand (409 with the failed checks); the answered call connects to me")
def dial(body: out.DialBody, c: C, p: AgentP) -> dict[str, Any]:
    agent_id = p.agent_id or ""
    if body.customer_id is not None:
        _customer_allowed(c, agent_id, body.customer_id)
    result: dict[str, Any] = _manual(c).dial(agent_id, body.phone, body.campaign_id, body.customer_id)
    return result


# ---------------------------------------------------------------------- directory


@router.get("/agent/directory", response_model=out.Directory,
            summary="Queues and agents for the transfer and consult pickers (no customer data)")
def directory(c: C, p: AgentP) -> dict[str, Any]:
    del p
    return c.views.directory()

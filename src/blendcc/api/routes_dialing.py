"""Dialing endpoints: agent preview (next record, dial, skip with a reason) and live pacing state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import AgentP, C, P
from blendcc.api.models import dialer as out
from blendcc.app.container import Container
from blendcc.app.outbound.dialing import DialingService
from blendcc.domain.errors import DomainError

router = APIRouter(prefix="/api", tags=["dialing"])

ID = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class Unavailable(DomainError):
    code = "unavailable"


class DialBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=128)


class SkipBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=200)


def _svc(c: Container) -> DialingService:
    service = getattr(c, "dialing", None)
    if not isinstance(service, DialingService):
        raise Unavailable("the dialing loop is not running in this deployment (no telephony is configured)")
    return service


@router.get("/agent/preview/{campaign_id}", response_model=out.PreviewNext)
def preview_next(c: C, p: AgentP, campaign_id: str = ID) -> dict[str, Any]:
    """The next record for the signed-in agent to read before dialling (its own callbacks first).
    The agent is held for it (not offered inbound) until it dials or skips. ``record`` is null when
    nothing may be dialled now."""
    assert p.agent_id is not None
    record = _svc(c).preview_next(campaign_id, p.agent_id)
    return {"campaign_id": campaign_id, "agent_id": p.agent_id,
            "record": None if record is None else record.to_dict()}


@router.post("/agent/preview/{campaign_id}/dial", response_model=out.PreviewDialled)
def preview_dial(c: C, p: AgentP, body: DialBody, campaign_id: str = ID) -> dict[str, Any]:
    """Dial the previewed record; the answered call is connected to this agent."""
    assert p.agent_id is not None
    call_id = _svc(c).preview_dial(campaign_id, p.agent_id, body.record_id)
    return {"campaign_id": campaign_id, "record_id": body.record_id, "call_id": call_id}


@router.post("/agent/preview/{campaign_id}/skip", response_model=out.PreviewSkipped)
def preview_skip(c: C, p: AgentP, body: SkipBody, campaign_id: str = ID) -> dict[str, Any]:
    """Do not dial the previewed record (the reason is logged); the agent is free again."""
    assert p.agent_id is not None
    _svc(c).preview_skip(campaign_id, p.agent_id, body.record_id, body.reason)
    return {"campaign_id": campaign_id, "record_id": body.record_id, "skipped": True}


@router.get("/dialing/pacing", response_model=list[out.Pacing])
def pacing_all(c: C, p: P) -> list[dict[str, Any]]:
    """Live pacing state of every campaign the dialing loop knows (supervisors)."""
    p.require("supervisor")
    return _svc(c).campaigns_state()


@router.get("/campaigns/{campaign_id}/pacing", response_model=out.Pacing)
def pacing(c: C, p: P, campaign_id: str = ID) -> dict[str, Any]:
    """Live pacing state: calls ringing / waiting for an agent / connected, estimated live-answer rate,
    the controller's alpha, abandonment in the regulatory window against the cap, the governor's
    budget and the last pacing decision (supervisors)."""
    p.require("supervisor")
    return _svc(c).pacing_state(campaign_id)

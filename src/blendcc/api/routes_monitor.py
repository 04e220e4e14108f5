"""Live monitoring for supervisors: the live contacts, joining a conversation, alerts and their acknowledgement."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, audit
from blendcc.api.models import monitor as out
from blendcc.api.routes_messages import MessageModel
from blendcc.domain.errors import InvalidState, ValidationFailed

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])


def _wired(c: C, name: str) -> Any:
    service = getattr(c, name, None)
    if service is None:
        raise InvalidState(f"live monitoring ({name}) is not wired in this server")
    return service


@router.get("/live-contacts", response_model=list[out.LiveContact],
            summary="Live contacts of every channel: queue, agent, state, duration (voice: listeners)")
def monitor_live_contacts(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    rows: list[dict[str, Any]] = _wired(c, "monitor").contacts()
    if c.voice is not None and any(r["channel"] == "voice" for r in rows):
        stack = c.voice
        calls = {v["contact_id"]: v for v in stack.call(stack.voice.view)}
        for r in rows:
            call = calls.get(r["contact_id"])
            if call is not None:
                r["listeners"] = call["listeners"]
                r["monitors"] = stack.call(lambda cid=r["contact_id"]: stack.voice.monitors(cid))
    return rows


class Coach(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=1, max_length=64, description="the SIP user whose phone listens (POST .../listen)")
    mode: Literal["listen", "whisper", "barge"] = Field(
        description="listen: hear both sides; whisper: speak to the agent only; barge: a three-way call")


_AUDIT = {"listen": "call_listened", "whisper": "call_whispered", "barge": "call_barged"}


@router.post("/calls/{contact_id}/mode", response_model=out.CoachMode,
             summary="A listening supervisor whispers to the agent, barges in, or goes back to listening (audited)")
def coach_call(contact_id: str, body: Coach, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    if c.voice is None:
        raise InvalidState("voice is not enabled on this server (BLENDCC_SIP_ENABLED=true)")
    stack = c.voice
    done: dict[str, Any] = stack.call(lambda: stack.voice.coach(contact_id, body.phone, body.mode))
    audit(c, p, _AUDIT[body.mode], contact_id, phone=body.phone, mode=body.mode)
    return done


class Join(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=10_000, description="the supervisor's message to the customer")


@router.post("/contacts/{contact_id}/messages", response_model=MessageModel, status_code=201,
             summary="Join a live chat, SMS or social conversation: a message to the customer (audited)")
def join_conversation(contact_id: str, body: Join, c: C, p: P) -> MessageModel:
    p.require("supervisor")
    if not body.body.strip():
        raise ValidationFailed("the message is empty")
    sent = _wired(c, "monitor").join(contact_id, p.username, body.body)
    audit(c, p, "conversation_joined", contact_id, message_id=sent.get("id"))
    return MessageModel.model_validate(sent)


@router.get("/alerts", response_model=out.Alerts,
            summary="Open alerts: SL breach, long wait, out of adherence, abandon spike")
def supervisor_alerts(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _wired(c, "alerts").alerts()  # type: ignore[no-any-return]


@router.post("/alerts/{alert_id}/ack", response_model=out.Alert,
             summary="Acknowledge an open alert (kept until it clears; audited)")
def ack_alert(alert_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    done: dict[str, Any] = _wired(c, "alerts").ack(alert_id, p.username)
    audit(c, p, "alert_acknowledged", alert_id, kind=done["kind"], subject=done["subject"])
    return done

"""The desktop's voice call controls: the call card, DTMF, server-side mute, recording, three-way conference."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import AgentP, C
from blendcc.api.models import voice_controls as out
from blendcc.domain.errors import InvalidState

router = APIRouter(prefix="/api", tags=["agent"])


def _voice(c: Any) -> Any:
    if c.voice is None:
        raise InvalidState("voice is not enabled on this server (BLENDCC_SIP_ENABLED=true)")
    return c.voice


class Dtmf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digits: str = Field(min_length=1, max_length=32, pattern="^[0-9*#A-D]+$",
                        description="keys sent to the customer's side: 0-9 * # A-D")


class Mute(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool


class Recording(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["start", "stop", "pause", "resume"]


@router.get("/agent/contacts/{contact_id}/call", response_model=out.CallCard,
            summary="My live voice call: caller, IVR choices, hold, mute, recording, consult, conference, phone")
def agent_call_card(contact_id: str, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.call_card(contact_id, agent))  # type: ignore[no-any-return]


@router.post("/agent/contacts/{contact_id}/dtmf", response_model=out.DtmfSent,
             summary="Send DTMF to the customer (RFC 4733 events when negotiated, else in-band tones)")
def agent_dtmf(contact_id: str, body: Dtmf, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.send_dtmf(contact_id, agent, body.digits))  # type: ignore[no-any-return]


@router.post("/agent/contacts/{contact_id}/mute", response_model=out.CallCard,
             summary="Mute my phone on the server: its audio no longer reaches the customer or the recording")
def agent_mute(contact_id: str, body: Mute, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.mute(contact_id, agent, body.on))  # type: ignore[no-any-return]


@router.post("/agent/contacts/{contact_id}/recording", response_model=out.CallCard,
             summary="Start, stop, pause or resume recording my call (the queue's policy must allow recording)")
def agent_call_recording(contact_id: str, body: Recording, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.agent_recording(contact_id, agent, body.action))  # type: ignore[no-any-return]


@router.post("/voice/contacts/{contact_id}/consult/conference", response_model=out.CallCard, tags=["voice"],
             summary="Join the customer, me and the consulted agent in a three-way call")
def conference_start(contact_id: str, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.start_conference(contact_id, agent))  # type: ignore[no-any-return]


@router.post("/voice/contacts/{contact_id}/conference/leave", response_model=out.ConferenceLeft, tags=["voice"],
             summary="Leave the conference (the first agent leaving: the consulted agent keeps the customer)")
def conference_leave(contact_id: str, c: C, p: AgentP) -> dict[str, Any]:
    stack, agent = _voice(c), p.agent_id or ""
    return stack.call(lambda: stack.voice.leave_conference(contact_id, agent))  # type: ignore[no-any-return]

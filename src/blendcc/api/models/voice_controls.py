"""Response models of routes_voice_controls: the desktop's voice call card, DTMF, conference."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConsultState(BaseModel):
    agent_id: str = Field(description="the agent being consulted")
    answered: bool = Field(description="its phone answered (the consultation is talking)")


class CallCard(BaseModel):
    """One live voice call as the agent's desktop shows it; pushed again as ``CallControl`` on /ws/agent."""

    contact_id: str
    state: str = Field(description="the voice call's state: ringing, connected, queued (transferring), ...")
    caller_id: str | None
    dialled: str | None = Field(description="the number the customer dialled")
    ivr: dict[str, str] = Field(description="the caller's IVR choices")
    agent_id: str | None = Field(description="the agent holding the call")
    role: str = Field(description="'agent' (holding the call) or 'consulted' (joined by a conference)")
    held: bool
    muted: bool = Field(description="the agent's phone is muted by the server")
    recording: bool
    recording_paused: bool
    recording_since: float | None = Field(description="epoch seconds the running recording started")
    recording_policy: str = Field(description="the queue's recording policy: 'none' (no recording), 'all' "
                                  "(every call) or 'on_demand' (the agent starts and stops it)")
    consult: ConsultState | None = Field(description="a consultation in progress (not yet a conference)")
    conference: bool
    conference_with: list[str] = Field(description="the other agents in the conference")
    phone: str | None = Field(description="the agent's phone: 'sip' (registered SIP phone) or 'browser'")
    talk_started: float | None = Field(description="epoch seconds the agent was connected")
    dtmf: str | None = Field(description="how DTMF reaches the customer: 'rfc4733' or 'inband'")


class DtmfSent(BaseModel):
    contact_id: str
    digits: str
    mode: str = Field(description="'rfc4733' telephone-events or 'inband' tones")


class ConferenceLeft(BaseModel):
    contact_id: str
    transferred_to: str | None = Field(description="the consulted agent now holding the call (the first agent "
                                                   "left), or null (the consulted agent left)")
    remaining_agent_id: str | None = Field(description="the agent left with the customer")

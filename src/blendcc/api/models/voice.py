"""Response models of routes_voice: live calls, phones, recordings, voicemail, call-backs, listen-in, consult."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LiveCall(BaseModel):
    contact_id: str | None
    state: str
    caller_id: str | None
    dialled: str | None
    agent_id: str | None
    queue_id: str | None
    recording: bool
    listeners: int
    callback: str | None
    callback_attempts: int
    conference: bool = Field(False, description="customer, agent and a consulted agent in a three-way call")
    muted: bool = Field(False, description="the agent's phone is muted by the server")
    consulting: str | None = Field(None, description="the agent consulted (ringing, talking or in the conference)")


class Phone(BaseModel):
    user: str
    contact: str
    address: str
    expires_in_s: int


class Recording(BaseModel):
    """A recording of a contact (live or finished); ``seconds`` is null while it records."""

    contact_id: str
    file: str
    path: str | None = Field(None, description="where the server keeps the file")
    agent_id: str | None = None
    queue_id: str | None = None
    seconds: float | None
    kind: str | None = Field(None, description="'voicemail' for a voicemail message")
    mailbox: str | None = None


class RecordingLink(Recording):
    url: str = Field(description="where to download it")


class Voicemail(BaseModel):
    """A voicemail message: its side file's fields (caller, mailbox, length...), the file and its URL."""

    model_config = ConfigDict(extra="allow")  # the side file's metadata

    file: str
    recorded_at: float
    url: str


class CallbackAttempt(BaseModel):
    contact_id: str
    number: str | None
    agent_id: str | None
    attempt: int
    outcome: str
    final: bool


class ListenInStarted(BaseModel):
    contact_id: str
    supervisor: str
    leg: str


class ConsultStarted(BaseModel):
    contact_id: str
    consulting: str
    leg: str


class ConsultCompleted(BaseModel):
    contact_id: str
    transferred_to: str


class ConsultCancelled(BaseModel):
    contact_id: str
    resumed: bool

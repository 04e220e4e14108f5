"""Response models of routes_monitor: live contacts, supervisor alerts and a supervisor's message."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Monitor(BaseModel):
    leg: str
    phone: str | None
    mode: str = Field(description="ringing, listen, whisper or barge")


class CoachMode(BaseModel):
    contact_id: str
    phone: str
    leg: str
    mode: str


class LiveContact(BaseModel):
    contact_id: str
    channel: str
    direction: str
    state: str = Field(description="queued, offered, connected, held or wrap_up")
    queue_id: str | None
    queue_name: str | None
    agent_id: str | None
    agent_name: str | None
    caller_id: str | None
    customer: str | None = Field(None, description="the name or address the customer gave, else the caller id")
    created_at: float
    duration_s: float = Field(description="seconds since the contact arrived")
    waiting_s: float | None = Field(description="seconds in the queue while it waits, else null")
    listeners: int = Field(0, description="voice: supervisor phones listening in (ringing or answered)")
    monitors: list[Monitor] = Field(default_factory=list, description="voice: the supervisors' phones and modes")


class Alert(BaseModel):
    """An open alert: ``subject`` is the queue id (the agent id for out_of_adherence)."""

    id: str
    kind: str = Field(description="sl_breach, long_wait, out_of_adherence or abandon_spike")
    subject: str
    value: float | None = Field(description="SL or abandon rate (0-1), the oldest wait or time out of adherence (s)")
    threshold: float | None
    raised_at: float
    acknowledged: bool
    acked_by: str | None
    acked_at: float | None
    detail: dict[str, Any] = Field(default_factory=dict)


class Alerts(BaseModel):
    at: float
    alerts: list[Alert]

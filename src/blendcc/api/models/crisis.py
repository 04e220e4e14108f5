"""Response models of the crisis API (routes_crisis)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from blendcc.api.models.main import EmergencyMode

__all__ = ["EmergencyMode"]


class PlaybookOut(BaseModel):
    id: str
    version: int = Field(description="the stored version (every save is a new one)")
    body: dict[str, Any] = Field(description="the playbook document (docs/crisis.md)")


class PlaybookCheck(BaseModel):
    ok: bool
    body: dict[str, Any]


class PlaybookVersion(BaseModel):
    version: int
    at: float
    by: str | None
    deleted: bool
    body: dict[str, Any]


class CrisisAction(BaseModel):
    index: int
    kind: str


class CrisisOut(BaseModel):
    id: str
    playbook_id: str
    name: str
    version: int
    started_at: float
    triggers: list[str]
    by: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    notifications_sent: int = 0
    actions: list[CrisisAction] = Field(default_factory=list)


class Banner(BaseModel):
    crisis_id: str
    text: str
    level: str


class CrisisStatus(BaseModel):
    at: float
    emergency: list[EmergencyMode]
    banners: list[Banner]
    crises: list[CrisisOut]


class SwitchOut(BaseModel):
    playbook_id: str
    on: bool
    crisis: CrisisOut | None = None


class ChannelHealth(BaseModel):
    channel: str
    healthy: bool
    detail: str = ""
    at: float
    by: str | None = None


class Acknowledged(BaseModel):
    acknowledged_by: str | None
    acknowledged_at: float | None
    crisis_id: str


class IncidentReport(BaseModel):
    """The post-incident report (GET /api/crisis/crises/{id}/report; ``format=html``: the printable page)."""

    crisis_id: str
    playbook_id: str
    version: int
    started_at: float
    ended_at: float | None = Field(description="None: still active")
    duration_s: float
    triggers: list[str]
    figures_at_start: dict[str, Any]
    timeline: list[dict[str, Any]] = Field(description="{at, what (the event's type), ...its detail} in time order")
    notifications: int
    failed_notifications: int
    acknowledged: list[dict[str, Any]]
    intervals: list[dict[str, Any]] = Field(description="per 15 min from an hour before to an hour after: the queue "
                                                        "KPIs, usual_offered (mean of the 4 weeks before), in_crisis")
    during: dict[str, Any] = Field(description="the queue KPIs over the crisis")
    agent_hours: float
    usual_agent_hours: float
    extra_agent_hours: float
    reasons: dict[str, Any] | None = Field(description="the Pareto of dispositions during the crisis")
    problems: list[dict[str, Any]] = Field(default_factory=list, description="problem records linked to the crisis "
                                           "(problem_id, title, status, contacts, kb_article_id, resolution)")

"""Crisis readiness (docs/crisis.md): playbooks (CRUD, check, history, rollback), active crises, the switches
(a playbook's, and emergency mode for a queue or the centre), channel health, acknowledgement."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api import incident_html
from blendcc.api.deps import C, P, audit
from blendcc.api.models import crisis as out
from blendcc.app.crisis.service import CrisisService
from blendcc.crisis.playbook import EMERGENCY_SCOPE_PATTERN
from blendcc.domain.crisis_events import CENTRE
from blendcc.domain.errors import InvalidState

router = APIRouter(prefix="/api/crisis", tags=["crisis"])
#: the acknowledgement link in notifications: outside /api, it needs no token (the link's token is the key)
links = APIRouter(tags=["crisis"])
DocId = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


def _svc(c: C) -> CrisisService:
    if not isinstance(c.crisis, CrisisService):
        raise InvalidState("crisis readiness is not wired in this server")
    return c.crisis


def _doc(playbook: Any, version: int) -> dict[str, Any]:
    return {"id": playbook.id, "version": version, "body": playbook.model_dump(mode="json")}


@router.get("/playbooks", response_model=list[out.PlaybookOut], summary="Every playbook, latest versions")
def list_playbooks(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [_doc(pb, v) for pb, v in _svc(c).playbooks.list()]


@router.get("/playbooks/{doc_id}", response_model=out.PlaybookOut, summary="One playbook")
def get_playbook(c: C, p: P, doc_id: str = DocId) -> dict[str, Any]:
    p.require("supervisor")
    return _doc(*_svc(c).playbooks.get(doc_id))


@router.put("/playbooks/{doc_id}", response_model=out.PlaybookOut,
            summary="Create or replace a playbook (validated; a new version; audited)")
def put_playbook(c: C, p: P, doc_id: str = DocId, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    p.require("supervisor")
    playbook, version = _svc(c).playbooks.put(doc_id, body, p.username)
    audit(c, p, "config_changed", f"crisis_playbooks/{doc_id}", version=version)
    _svc(c).evaluate()
    return _doc(playbook, version)


@router.post("/playbooks/{doc_id}/check", response_model=out.PlaybookCheck,
             summary="Validate a playbook without saving it (422 with each problem at its field)")
def check_playbook(c: C, p: P, doc_id: str = DocId, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    p.require("supervisor")
    return {"ok": True, "body": _svc(c).playbooks.check(doc_id, body).model_dump(mode="json")}


@router.get("/playbooks/{doc_id}/history", response_model=list[out.PlaybookVersion], summary="Every version")
def playbook_history(c: C, p: P, doc_id: str = DocId) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [{"version": d.version, "at": d.at, "by": d.by, "deleted": d.deleted, "body": dict(d.body)}
            for d in _svc(c).playbooks.history(doc_id)]


class Rollback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)


@router.post("/playbooks/{doc_id}/rollback", response_model=out.PlaybookOut,
             summary="Save an old version again as the newest (audited)")
def rollback_playbook(body: Rollback, c: C, p: P, doc_id: str = DocId) -> dict[str, Any]:
    p.require("supervisor")
    playbook, version = _svc(c).playbooks.rollback(doc_id, body.version, p.username)
    audit(c, p, "config_rolled_back", f"crisis_playbooks/{doc_id}", version=version, to=body.version)
    return _doc(playbook, version)


@router.delete("/playbooks/{doc_id}", response_model=out.PlaybookOut, summary="Delete a playbook (audited)")
def delete_playbook(c: C, p: P, doc_id: str = DocId) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    playbook, version = svc.playbooks.get(doc_id)
    svc.playbooks.delete(doc_id, p.username)
    audit(c, p, "config_deleted", f"crisis_playbooks/{doc_id}")
    svc.evaluate()  # a crisis of a deleted playbook ends (its actions reverted)
    return _doc(playbook, version)


class Switch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool


@router.post("/playbooks/{doc_id}/switch", response_model=out.SwitchOut,
             summary="A supervisor's switch of a playbook with a switch trigger: on starts it, off ends it (audited)")
def switch_playbook(body: Switch, c: C, p: P, doc_id: str = DocId) -> dict[str, Any]:
    p.require("supervisor")
    done = _svc(c).switch(doc_id, body.on, p.username)
    audit(c, p, "crisis_switched", doc_id, on=body.on)
    return done


@router.get("/status", response_model=out.CrisisStatus,
            summary="Emergency modes, known-issue banners and active crises (every signed-in user: the desktop)")
def crisis_status(c: C, p: P) -> dict[str, Any]:
    return _svc(c).status()


@router.get("/active", response_model=list[out.CrisisOut], summary="Active crises")
def active_crises(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _svc(c).active()


class Emergency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool = Field(description="true: switch the prepared emergency mode on; false: back to normal")
    mode: Literal["closed", "callback_only", "overflow"] = "closed"
    overflow_queue: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    message: str = Field(default="", max_length=1000, description="the announcement or chat banner")


@router.post("/emergency/{scope}", response_model=list[out.EmergencyMode],
             summary="The one switch: emergency mode on or off for a queue, a site ('site:<id>') or '*' "
                     "for the centre (audited)")
def emergency(body: Emergency, c: C, p: P,
              scope: str = Path(min_length=1, max_length=70,
                                pattern=EMERGENCY_SCOPE_PATTERN)) -> list[dict[str, Any]]:
    p.require("supervisor")
    svc = _svc(c)
    if body.on:
        modes = svc.set_emergency(scope, body.mode, p.username, body.overflow_queue, body.message)
        audit(c, p, "emergency_set", scope if scope != CENTRE else "centre", mode=body.mode,
              overflow_queue=body.overflow_queue, message=body.message)
    else:
        modes = svc.clear_emergency(scope, p.username)
        audit(c, p, "emergency_cleared", scope if scope != CENTRE else "centre")
    return modes


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")
    healthy: bool
    detail: str = Field(default="", max_length=500)


@router.put("/health/{channel}", response_model=out.ChannelHealth,
            summary="A monitor reports a channel or trunk (un)healthy (channel triggers watch it)")
def report_health(body: Health, c: C, p: P,
                  channel: str = Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).set_health(channel, body.healthy, body.detail, p.username)


@router.get("/health", response_model=list[out.ChannelHealth], summary="Channels and trunks as last reported")
def channel_health(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _svc(c).health()


@router.post("/crises/{crisis_id}/ack", response_model=out.Acknowledged,
             summary="Acknowledge an active crisis: its escalation stops (audited)")
def acknowledge(c: C, p: P, crisis_id: str = Path(min_length=1, max_length=64)) -> dict[str, Any]:
    p.require("supervisor")
    view = _svc(c).acknowledge(crisis_id, p.username)
    audit(c, p, "crisis_acknowledged", crisis_id)
    return {"crisis_id": view["id"], "acknowledged_by": view["acknowledged_by"],
            "acknowledged_at": view["acknowledged_at"]}


@links.post("/crisis/ack/{token}", response_model=out.Acknowledged,
            summary="The acknowledgement link of a notification (the token is the key; no sign-in)")
@links.get("/crisis/ack/{token}", response_model=out.Acknowledged,
           summary="The acknowledgement link of a notification, followed from a mail or a text")
def acknowledge_link(c: C, token: str = Path(min_length=16, max_length=64)) -> dict[str, Any]:
    view = _svc(c).acknowledge_token(token)
    return {"crisis_id": view["id"], "acknowledged_by": view["acknowledged_by"],
            "acknowledged_at": view["acknowledged_at"]}


@router.get("/crises/{crisis_id}/report", response_model=out.IncidentReport,
            summary="The post-incident report: timeline, figures against the weeks before, reasons, extra agent "
                    "hours (JSON; format=html: a printable page with its chart)",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
def incident_report(c: C, p: P, crisis_id: str = Path(min_length=1, max_length=64),
                    format: Literal["json", "html"] = Query("json")) -> Any:
    p.require("supervisor")
    if c.incident_reports is None:
        raise InvalidState("crisis readiness is not wired in this server")
    report = c.incident_reports.report(crisis_id)
    if format == "json":
        return report
    name = str(report["playbook_id"])
    html = incident_html.render(report, name, c.settings.timezone)
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="incident-{crisis_id}.html"'})

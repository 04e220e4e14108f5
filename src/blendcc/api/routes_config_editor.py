"""The configuration editor's endpoints: validate without saving, roll back, JSON Schemas, try a workflow."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from blendcc.api.deps import C, P, audit
from blendcc.api.models import config_editor as out
from blendcc.api.routes_config import ID, _body_model
from blendcc.app.admin.config_errors import InvalidDocument, from_pydantic
from blendcc.app.admin.configuration import KINDS
from blendcc.domain.channels import Channel
from blendcc.routing.coverage import unroutable
from blendcc.routing.strategies import strategy_names
from blendcc.routing.workflow import Workflow, choose, compile_workflow, contact_context, expand_targets

router = APIRouter(prefix="/api/config", tags=["configuration"])
KIND = Path(pattern="^(" + "|".join(KINDS) + ")$", description="a configuration kind")

#: field name -> the kind whose ids it holds, wherever the field appears in a document of any kind
REFS: dict[str, dict[str, str]] = {
    "queues": {"calendar_id": "calendars", "closed_overflow_queue": "queues", "no_agents_overflow_queue": "queues",
               "skills": "skills"},
    "agents": {"queues": "queues", "team_id": "teams", "skills": "skills"},
    "workflows": {"queue": "queues", "skills": "skills"},
    "campaigns": {"queue_id": "queues"},
    "ivr_flows": {"calendar": "calendars"},
}


def _check(c: Any, kind: str, doc_id: str, body: dict[str, Any]) -> BaseModel:
    """The same checks as PUT: the strict body model (unknown fields refused), then the service's checks."""
    try:
        parsed = _body_model(KINDS[kind]).model_validate(body)
    except ValidationError as exc:
        raise from_pydantic(exc) from None
    data = parsed.model_dump(mode="json")
    if data.get("id") is None:
        data.pop("id", None)
    doc: BaseModel = c.config.check(kind, doc_id, data)
    return doc


@router.get("/_schemas", response_model=out.Schemas, response_model_by_alias=True,
            summary="The JSON Schema of each configuration kind and which fields name other documents")
def schemas(p: P) -> dict[str, Any]:
    p.require("supervisor")
    return {"kinds": _schemas()}


@cache
def _schemas() -> dict[str, Any]:
    out = {k: {"schema": m.model_json_schema(), "refs": REFS.get(k, {})} for k, m in KINDS.items()}
    strategy = out["queues"]["schema"]["properties"]["strategy"]
    strategy["enum"] = strategy_names()  # a registry, not a Literal: offered as a choice all the same
    return out


@router.post("/{kind}/{doc_id}/validate", response_model=out.Validation,
             summary="Check a document as PUT would, without saving; each problem with its field path")
def validate(c: C, p: P, kind: str = KIND, doc_id: str = ID,
             body: dict[str, Any] = Body(description="the document as it would be PUT")) -> dict[str, Any]:
    p.require("admin")
    try:
        _check(c, kind, doc_id, body)
    except InvalidDocument as exc:
        return {"valid": False, "errors": exc.errors, "warnings": []}
    return {"valid": True, "errors": [], "warnings": [w.to_dict() for w in unroutable(c.config.catalog)]}


class RollbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="the version whose content becomes the newest version")


@router.post("/{kind}/{doc_id}/rollback", response_model=out.RolledBack,
             summary="Make an earlier version current again (stored as a new version; audited)")
def rollback(body: RollbackBody, c: C, p: P, kind: str = KIND, doc_id: str = ID) -> dict[str, Any]:
    p.require("admin")
    doc, version = c.config.rollback(kind, doc_id, body.version, p.username)
    audit(c, p, "config_rolled_back", f"{kind}/{doc_id}", version=version, restored=body.version)
    return {"version": version, "restored": body.version, "document": doc.model_dump(mode="json")}


class SampleContact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Channel = Channel.VOICE
    direction: str = Field(default="inbound", pattern="^(inbound|outbound)$")
    caller_id: str | None = Field(default=None, max_length=64)
    dialled_number: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=16)
    tier: str | None = Field(default=None, max_length=64)
    customer_id: str | None = Field(default=None, max_length=64)
    priority: int = Field(default=0, ge=0, le=100)
    subject: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=10000, description="message text: its words are `keywords`")
    ivr: dict[str, str] = Field(default_factory=dict, description="IVR choices, e.g. {\"menu\": \"2\"}")
    attributes: dict[str, Any] = Field(default_factory=dict)
    at: float | None = Field(default=None, ge=0, le=253402300799, allow_inf_nan=False,
                             description="epoch seconds for calendar checks (is_open); default now")


class WorkflowTry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    workflow: dict[str, Any] = Field(description="the draft workflow document (need not be saved)")
    contact: SampleContact = Field(default_factory=SampleContact)


@router.post("/workflows/_try", response_model=out.WorkflowTrial,
             summary="Route a sample contact through a draft workflow: the filter it matches, its queues and priority")
def try_workflow(body: WorkflowTry, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    doc_id = str(body.workflow.get("id") or "draft")
    wf = _check(c, "workflows", doc_id, {**body.workflow, "id": doc_id})
    assert isinstance(wf, Workflow)
    catalog = c.config.catalog
    compiled = compile_workflow(wf, catalog.queues, catalog.calendars)
    s = body.contact
    attrs = {**s.attributes, "caller_id": s.caller_id, "dialled_number": s.dialled_number, "language": s.language,
             "subject": s.subject, "text": s.text, "ivr": s.ivr}
    context = contact_context({k: v for k, v in attrs.items() if v is not None}, s.channel.value, s.direction,
                              s.customer_id, s.tier, s.priority)
    at = s.at if s.at is not None else c.clock.now()

    def is_open(cal: str) -> bool:
        found = catalog.calendars.get(cal)
        return found.is_open(at) if found is not None else False

    name, targets = choose(compiled, context, is_open)
    steps = [st.to_dict() for st in expand_targets(targets, catalog.queues, None)]
    first = steps[0]
    return {"filter": name, "queue_id": first["queue_id"],
            "priority": first["priority"] if first["priority"] is not None else s.priority, "steps": steps}

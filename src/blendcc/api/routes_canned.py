"""Canned responses: the agent's ``/`` search, CRUD (agents their personal ones, supervisors the team ones),
and rendering one for a contact with its placeholders filled."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, may_see_contact
from blendcc.app.channels.messaging.canned import CannedService
from blendcc.domain.canned import CannedResponse
from blendcc.domain.errors import InvalidState, NotFound

router = APIRouter(prefix="/api/canned", tags=["canned responses"])

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class CannedBody(BaseModel):
    """A canned response. ``scope`` personal: ``owner`` is your agent id; queue/skill: the queue or skill whose
    agents share it (supervisors). Placeholders: {customer.name}, {customer.email}, {customer.phone},
    {customer.tier}, {customer.id}, {customer.fields.<name>}, {agent.name}, {agent.id}, {contact.id},
    {contact.channel}, {contact.subject}, {contact.queue}; ``{{`` and ``}}`` are literal braces."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["personal", "queue", "skill"]
    owner: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    shortcut: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=10_000)


class CannedModel(CannedBody):
    model_config = ConfigDict(extra="ignore")

    id: str
    updated_at: float
    updated_by: str | None


class RenderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class Rendered(BaseModel):
    """The response's text for the contact; ``missing``: placeholders that had no value (left empty)."""

    id: str
    contact_id: str
    text: str
    missing: list[str]


class Deleted(BaseModel):
    deleted: str


def _service(c: Any) -> CannedService:
    if c.canned is None:
        raise InvalidState("canned responses are not wired in this server")
    service: CannedService = c.canned
    return service


def _out(r: CannedResponse) -> CannedModel:
    return CannedModel.model_validate(r.model_dump())


@router.get("", summary="Canned responses you may use, matching query (the agent's / shortcut)")
def find(c: C, p: P, query: str = Query("", max_length=100),
         limit: int = Query(20, ge=1, le=200)) -> list[CannedModel]:
    return [_out(r) for r in _service(c).find(p, query, limit)]


@router.post("", status_code=201, summary="Create a canned response (personal: yours; team: supervisors)")
def create(body: CannedBody, c: C, p: P) -> CannedModel:
    return _out(_service(c).save(p, body.model_dump()))


@router.get("/{response_id}", summary="One canned response")
def get_one(response_id: Id, c: C, p: P) -> CannedModel:
    return _out(_service(c).get(p, response_id))


@router.put("/{response_id}", summary="Replace a canned response you manage")
def replace(response_id: Id, body: CannedBody, c: C, p: P) -> CannedModel:
    return _out(_service(c).save(p, body.model_dump(), response_id))


@router.delete("/{response_id}", summary="Delete a canned response you manage")
def delete(response_id: Id, c: C, p: P) -> Deleted:
    _service(c).delete(p, response_id)
    return Deleted(deleted=response_id)


@router.post("/{response_id}/render", summary="The response's text for a contact, placeholders filled")
def render(response_id: Id, body: RenderBody, c: C, p: P) -> Rendered:
    service = _service(c)
    service.get(p, response_id)  # 404 for a response you may not use
    if c.store.interaction(body.contact_id) is None:
        raise NotFound(f"contact {body.contact_id} does not exist")
    may_see_contact(c, p, body.contact_id)
    return Rendered.model_validate(service.render(p, response_id, body.contact_id))

"""Problem management (docs/crisis.md "Problem management"): problem records, their linked contacts, the count over
time, the affected customers and their export to an outbound campaign's calling list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, audit, may_see_contact
from blendcc.api.models import problems as out
from blendcc.app.container import Container
from blendcc.app.crisis.problem_figures import ProblemFigures
from blendcc.app.crisis.problems import ProblemService
from blendcc.domain.errors import InvalidState

router = APIRouter(prefix="/api/problems", tags=["problems"])
ProblemId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
ContactId = Annotated[str, Path(min_length=1, max_length=128)]
Time = Annotated[float | None, Query(ge=0, le=4e9, description="epoch seconds")]


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dispositions: list[str] = Field(default_factory=list, max_length=50, description="matching dispositions")
    phrases: list[str] = Field(default_factory=list, max_length=50,
                               description="words or phrases in the customer's messages (topic keywords)")
    queues: list[str] = Field(default_factory=list, max_length=50, description="only contacts of these queues")
    channels: list[str] = Field(default_factory=list, max_length=50, description="only these channels")
    since: float | None = Field(default=None, ge=0, le=4e9, description="only contacts from this time on")


class ProblemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    rules: Rules
    status: Literal["open", "known_error"] = "open"
    kb_article_id: str | None = Field(default=None, min_length=1, max_length=64)
    crisis_id: str | None = Field(default=None, min_length=1, max_length=64)
    workaround: str = Field(default="", max_length=4000)


class ProblemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    rules: Rules | None = None
    status: Literal["open", "known_error"] | None = None
    kb_article_id: str | None = Field(default=None, min_length=1, max_length=64)
    crisis_id: str | None = Field(default=None, min_length=1, max_length=64)
    workaround: str | None = Field(default=None, max_length=4000)


class Resolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: str = Field(min_length=1, max_length=4000)


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=128)


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    campaign_id: str = Field(min_length=1, max_length=64)


def _svc(c: Container) -> ProblemService:
    if not isinstance(c.problems, ProblemService):
        raise InvalidState("problem management is not wired in this server")
    return c.problems


def _figures(c: Container) -> ProblemFigures:
    if not isinstance(c.problem_figures, ProblemFigures):
        raise InvalidState("problem management is not wired in this server")
    return c.problem_figures


@router.get("", response_model=list[out.ProblemOut], summary="Problem records, newest first")
def list_problems(c: C, p: P, status: Literal["open", "known_error", "resolved", "closed"] | None = None,
                  crisis_id: str | None = Query(default=None, min_length=1, max_length=64)) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _svc(c).list(status, crisis_id)


@router.post("", response_model=out.ProblemOut, status_code=201,
             summary="Open a problem record; the stored contacts that match are linked (the backfill)")
def open_problem(body: ProblemBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    row = _svc(c).open(body.model_dump(), p.username)
    audit(c, p, "config_changed", f"problems/{row['problem_id']}", backfilled=row["backfilled"])
    return row


@router.get("/{problem_id}", response_model=out.ProblemOut, summary="One problem record")
def get_problem(problem_id: ProblemId, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).get(problem_id)


@router.patch("/{problem_id}", response_model=out.ProblemOut,
              summary="Change a problem (title, status open/known_error, rules, article, crisis, workaround); new "
                      "rules link the stored contacts they match")
def update_problem(problem_id: ProblemId, c: C, p: P, body: ProblemPatch = Body(...)) -> dict[str, Any]:
    p.require("supervisor")
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "rules", "status", "workaround"):
        if name in changes and changes[name] is None:
            del changes[name]
    return _svc(c).update(problem_id, changes, p.username)


@router.post("/{problem_id}/resolve", response_model=out.ProblemOut,
             summary="Resolve a problem with its resolution (no more automatic links)")
def resolve_problem(problem_id: ProblemId, body: Resolve, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).resolve(problem_id, body.resolution, p.username)


@router.post("/{problem_id}/close", response_model=out.ProblemOut, summary="Close a resolved problem")
def close_problem(problem_id: ProblemId, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).close(problem_id, p.username)


@router.get("/{problem_id}/contacts", response_model=out.LinkPage,
            summary="The contacts linked to a problem, newest first (the drill-down)")
def problem_contacts(problem_id: ProblemId, c: C, p: P, limit: int = Query(default=100, ge=1, le=1000),
                     offset: int = Query(default=0, ge=0, le=1_000_000)) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).links(problem_id, limit, offset)


@router.post("/{problem_id}/contacts", response_model=out.Linked,
             summary="Link a contact by hand (supervisors; agents their own contacts)")
def link_contact(problem_id: ProblemId, body: LinkBody, c: C, p: P) -> dict[str, Any]:
    p.require("agent")
    may_see_contact(c, p, body.contact_id)
    return _svc(c).link(problem_id, body.contact_id, p.username)


@router.delete("/{problem_id}/contacts/{contact_id}", response_model=out.Linked,
               summary="Unlink a contact from a problem")
def unlink_contact(problem_id: ProblemId, contact_id: ContactId, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    _svc(c).unlink(problem_id, contact_id, p.username)
    return {"problem_id": problem_id, "contact_id": contact_id, "linked": False}


@router.get("/{problem_id}/counts", response_model=out.CountsOut,
            summary="Linked contacts per interval (15 min), hour or day: the chart's data")
def problem_counts(problem_id: ProblemId, c: C, p: P, bucket: Literal["interval", "hour", "day"] = "day",
                   start: Time = None, end: Time = None) -> dict[str, Any]:
    p.require("supervisor")
    return _figures(c).counts(problem_id, bucket, start, end)


@router.get("/{problem_id}/customers", response_model=out.AffectedOut,
            summary="The distinct customers of the linked contacts, with their contact details")
def problem_customers(problem_id: ProblemId, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _figures(c).affected(problem_id)


@router.post("/{problem_id}/campaign-list", response_model=out.ExportOut, response_model_by_alias=True,
             summary="Add the affected customers to an outbound campaign's calling list (do-not-call numbers left "
                     "out)")
def export_customers(problem_id: ProblemId, body: ExportBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    result = _figures(c).export(problem_id, body.campaign_id, p.username)
    audit(c, p, "data_exported", f"problems/{problem_id}", campaign_id=body.campaign_id,
          accepted=result["import"]["accepted"])
    return result

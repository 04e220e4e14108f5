"""Surveys: a signed link for a contact's customer (CSAT, NPS, CES), the public page that answers it, and the
figures per period (invitations, answers, response rate, CSAT top-two-box, NPS, CES mean)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from blendcc.analytics.surveys import SCALES
from blendcc.api.deps import C, P, may_see_contact
from blendcc.api.routes_help import HELP, language, render
from blendcc.app.container import Container
from blendcc.app.surveys.service import GROUPS, SurveyService
from blendcc.domain.errors import DomainError, InvalidState, NotFound

router = APIRouter(tags=["surveys"])
STRINGS: dict[str, dict[str, str]] = json.loads((HELP / "survey_strings.json").read_text(encoding="utf-8"))
Token = Annotated[str, Path(min_length=10, max_length=400, pattern=r"^[A-Za-z0-9_.\-]+$")]


class InviteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    survey: Literal["csat", "nps", "ces"] = "csat"
    via: Literal["link", "email", "sms", "chat"] = "link"


class InviteOut(BaseModel):
    contact_id: str
    survey: str
    url: str = Field(description="the survey page for the customer (absolute, from this request's host)")
    expires_at: float


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=0, le=10)
    comment: str | None = Field(None, max_length=2_000)


class AnswerOut(BaseModel):
    contact_id: str
    survey: str
    score: int


class FiguresOut(BaseModel):
    start: float
    end: float
    group: str
    rows: list[dict[str, Any]] = Field(description="per survey and group: invited, answers, response_rate, mean, "
                                                   "csat (top-two-box) or nps, low_answers")


def surveys(c: Container) -> SurveyService:
    if c.surveys is None:
        raise InvalidState("surveys are not wired in this server")
    service: SurveyService = c.surveys
    return service


@router.post("/api/surveys/invitations", status_code=201, summary="A survey link for a contact's customer")
def invite(body: InviteBody, request: Request, c: C, p: P) -> InviteOut:
    if c.store.interaction(body.contact_id) is None:
        raise NotFound(f"contact {body.contact_id} does not exist")
    may_see_contact(c, p, body.contact_id)
    made = surveys(c).invite(body.contact_id, body.survey, body.via)
    url = str(request.url_for("survey_page", token=made.token))
    return InviteOut(contact_id=made.contact_id, survey=made.survey, url=url, expires_at=made.expires_at)


@router.post("/api/surveys/{token}/answer", status_code=201, summary="Answer a survey (public: the link is the key)")
def answer(token: Token, body: AnswerBody, c: C) -> AnswerOut:
    done = surveys(c).answer(token, body.score, body.comment)
    return AnswerOut(contact_id=done.contact_id, survey=done.survey, score=done.score)


@router.get("/api/reports/surveys", summary="Survey figures over a period, per survey and group")
def figures(c: C, p: P, start: float = Query(ge=0, le=4e10), end: float = Query(ge=0, le=4e10),
            group: str = Query("all", description=", ".join(GROUPS))) -> FiguresOut:
    p.require("supervisor")
    return FiguresOut(start=start, end=end, group=group, rows=surveys(c).figures(start, end, group))


def _page(request: Request, lang: str | None, status: int = 200, **values: Any) -> HTMLResponse:
    code = language(request, lang)
    return render("survey.html", code, status, s=STRINGS[code], **values)


@router.get("/survey/{token}", response_class=HTMLResponse, include_in_schema=False)  # a page, not an API
def survey_page(token: str, request: Request, c: C, lang: str | None = Query(None, max_length=16)) -> HTMLResponse:
    try:
        _contact, survey, answered = surveys(c).opened(token)
    except NotFound:
        return _page(request, lang, 404, state="invalid")
    low, high = SCALES[survey]
    return _page(request, lang, state="answered" if answered else "ask", survey=survey,
                 scores=list(range(low, high + 1)), token=token)


@router.post("/survey/{token}", response_class=HTMLResponse, include_in_schema=False)
def survey_form(token: str, request: Request, c: C, score: Annotated[int, Form(ge=0, le=10)],
                comment: Annotated[str, Form(max_length=2_000)] = "",
                lang: str | None = Query(None, max_length=16)) -> HTMLResponse:
    try:
        surveys(c).answer(token, score, comment)
    except NotFound:
        return _page(request, lang, 404, state="invalid")
    except InvalidState:
        return _page(request, lang, 409, state="answered")
    except DomainError as exc:
        return _page(request, lang, 422, state="invalid", error=exc.message)
    return _page(request, lang, state="thanks")

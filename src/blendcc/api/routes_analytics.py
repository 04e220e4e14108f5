"""Interaction analytics (supervisors): message sentiment, its trend per queue or agent, contact reasons."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from blendcc.api.deps import C, P, audit
from blendcc.api.models import analytics as out
from blendcc.app.analytics.service import Analytics
from blendcc.domain.errors import NotFound

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

Id = Annotated[str | None, Query(min_length=1, max_length=200)]
Time = Annotated[float, Query(allow_inf_nan=False)]
BUCKETS = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}


def _an(c: C) -> Analytics:
    if c.analytics is None:
        raise NotFound("interaction analytics is not configured")
    return c.analytics


class ScoreRequest(BaseModel):
    text: str = Field(max_length=20_000)
    language: Literal["en", "pl", "ru", "zh", "fa"] | None = None


@router.post("/sentiment/score", response_model=out.Scored, summary="Score one text (language detected if not given)")
def score(body: ScoreRequest, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _an(c).sentiment.score_text(body.text, body.language)


@router.get("/sentiment/contacts/{contact_id}", response_model=out.ConversationSentiment,
            summary="A conversation's sentiment: each message, the customer's and agent's mean and end score")
def conversation(contact_id: Annotated[str, Path(min_length=1, max_length=200)], c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _an(c).sentiment.conversation(contact_id)


@router.get("/sentiment/trend", response_model=out.SentimentTrend, response_model_exclude_none=True,
            summary="Mean sentiment and label shares per queue, agent or disposition and hour/day/week")
def trend(c: C, p: P, start: Time, end: Time, by: Literal["queue", "agent", "disposition"] = "queue",
          bucket: Literal["hour", "day", "week"] = "day", author: Literal["customer", "agent", "all"] = "customer",
          queue_id: Id = None, agent_id: Id = None) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "analytics/sentiment", start=start, end=end, by=by)
    return _an(c).sentiment.trend(start, end, by, BUCKETS[bucket], author, queue_id, agent_id)


@router.get("/reasons", response_model=out.ReasonPareto,
            summary="Pareto of contact reasons (dispositions or topics) with shares and the 80% cut")
def reasons(c: C, p: P, start: Time, end: Time,
            source: Literal["disposition", "topic"] = "disposition", queue_id: Id = None) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "analytics/reasons", start=start, end=end, source=source)
    return _an(c).reasons.pareto(start, end, source, queue_id)


@router.get("/reasons/trend", response_model=out.ReasonTrend,
            summary="The top reasons' contacts per day or week (the Pareto's first rows, zeros included)")
def reason_trend(c: C, p: P, start: Time, end: Time, source: Literal["disposition", "topic"] = "disposition",
                 bucket: Literal["day", "week"] = "day", top: Annotated[int, Query(ge=1, le=20)] = 5,
                 queue_id: Id = None) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "analytics/reasons/trend", start=start, end=end, source=source)
    return _an(c).reasons.trend(start, end, source, BUCKETS[bucket], top, queue_id)


@router.get("/reasons/contacts", response_model=out.ReasonContacts,
            summary="Drill-down: the contacts of one reason in the period, newest first")
def reason_contacts(c: C, p: P, start: Time, end: Time, reason: Annotated[str, Query(min_length=1, max_length=200)],
                    source: Literal["disposition", "topic"] = "disposition",
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0, queue_id: Id = None) -> dict[str, Any]:
    p.require("supervisor")
    audit(c, p, "data_exported", "analytics/reasons/contacts", start=start, end=end, source=source, reason=reason)
    return _an(c).reasons.contacts(start, end, source, reason, limit, offset, queue_id)

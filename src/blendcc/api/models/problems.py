"""Response models of problem management (docs/crisis.md "Problem management")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RulesOut(BaseModel):
    dispositions: list[str]
    phrases: list[str]
    queues: list[str]
    channels: list[str]
    since: float | None


class ProblemOut(BaseModel):
    problem_id: str
    title: str
    status: str = Field(description="open, known_error, resolved or closed")
    rules: RulesOut
    kb_article_id: str | None
    crisis_id: str | None
    workaround: str
    resolution: str
    opened_at: float
    opened_by: str | None
    updated_at: float
    resolved_at: float | None
    resolved_by: str | None
    closed_at: float | None
    contacts: int = Field(description="contacts linked to the problem")
    backfilled: int | None = Field(default=None, description="contacts linked by this change's backfill")


class LinkOut(BaseModel):
    problem_id: str
    contact_id: str
    contact_at: float
    customer_id: str | None
    queue_id: str | None
    channel: str | None
    how: str = Field(description="auto, backfill or manual")
    reason: str = Field(description="what matched: disposition:<d>, phrase:<p>, or manual")
    linked_at: float
    linked_by: str | None


class LinkPage(BaseModel):
    problem_id: str
    total: int
    contacts: list[LinkOut]


class Linked(BaseModel):
    problem_id: str
    contact_id: str
    linked: bool


class Bucket(BaseModel):
    start: float
    contacts: int


class CountsOut(BaseModel):
    problem_id: str
    bucket: str
    start: float
    end: float
    total: int
    series: list[Bucket]


class CustomerOut(BaseModel):
    customer_id: str
    contacts: int
    last_contact_at: float
    name: str
    phones: list[str]
    emails: list[str]


class AffectedOut(BaseModel):
    problem_id: str
    customers: list[CustomerOut]
    contacts_without_customer: int


class ExportOut(BaseModel):
    problem_id: str
    campaign_id: str
    customers: int
    skipped_dnc: int = Field(description="customers whose every number is on a do-not-call list")
    without_phone: int
    import_: dict[str, Any] = Field(alias="import", description="the dialer's list-import report")

"""Response models of the customer routes: tags, merges, the timeline, the screen pop and privacy requests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from blendcc.api.models.main import Customer, Interaction


class CustomerList(BaseModel):
    customers: list[Customer]


class Merge(BaseModel):
    merge_id: str
    customer_id: str = Field(description="the customer merged into (kept)")
    from_customer_id: str = Field(description="the customer merged in (kept, marked merged_into while merged)")
    at: float
    identities: list[list[str]] = Field(description="[kind, value] pairs moved")
    contact_ids: list[str] = Field(description="contacts moved")
    rule: str | None = Field(description="admin or verified_identity (None for an undo)")
    by: str | None
    undone_at: float | None = None


class MergeResult(Merge):
    event: str = Field(description="CustomerMerged or CustomerUnmerged")
    customer: Customer = Field(description="the customer merged into, as it is now")


class MergeList(BaseModel):
    merges: list[Merge]


class TimelineItem(BaseModel):
    seq: int = Field(description="position in the event log (the order of the timeline)")
    at: float
    kind: str = Field(description="contact, contact_closed, connected, message, note, disposition, survey, "
                                  "recording, utterance (a line of a call's transcript: detail.speaker customer or "
                                  "agent), voicemail or campaign_attempt")
    contact_id: str | None
    channel: str | None
    text: str | None = Field(description="message or note text, subject, disposition notes, survey comment")
    detail: dict[str, Any] = Field(description="kind-specific facts (direction, agent, score, uri, result...)")
    sentiment: dict[str, Any] | None = Field(None, description="a customer's or agent's message or utterance: "
                                                                 "its sentiment {score in [-1, 1], label, language}")


class Timeline(BaseModel):
    customer_id: str
    items: list[TimelineItem]
    next_cursor: str | None = Field(description="pass as cursor for the next (older) page; null on the last")


class CrmData(BaseModel):
    status: str = Field(description="ok, unavailable, not_configured or no_customer")
    data: dict[str, Any] | None = Field(description="the CRM's answer (status ok)")
    error: str | None


class ScreenPop(BaseModel):
    contact_id: str
    customer: Customer | None
    last_contacts: list[Interaction]
    open_conversations: list[Interaction]
    crm: CrmData


class CustomerExport(BaseModel):
    customer: Customer
    identities: list[list[str]]
    contacts: list[Interaction]
    messages: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    recordings: list[dict[str, Any]]
    dispositions: list[dict[str, Any]]
    campaign_attempts: list[TimelineItem]
    merges: list[dict[str, Any]]


class Erasure(BaseModel):
    customer_id: str
    erased: list[str] = Field(description="the customer and the customers that were merged into it")
    contacts: int = Field(description="contacts whose personal data was erased (their facts stay)")
    recordings_deleted: int

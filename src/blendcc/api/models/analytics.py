"""Response models of interaction analytics: message sentiment, sentiment trends, contact reasons' Pareto."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Scored(BaseModel):
    score: float = Field(description="in [-1, 1]")
    label: str = Field(description="negative (< -0.25), neutral or positive (> 0.25), as KPIS.md")
    language: str = Field(description="en, pl, ru, zh or fa: detected from the text unless given")


class Shares(BaseModel):
    negative: float
    neutral: float
    positive: float


class SideSentiment(BaseModel):
    messages: int
    mean: float | None
    end: float | None = Field(description="the score of the side's last message")
    mean_label: str | None
    end_label: str | None
    shares: Shares


class ScoredMessage(Scored):
    message_id: str
    at: float
    author: str = Field(description="customer or agent (bot and system messages are not scored)")
    author_id: str | None
    kind: str = Field("message", description="message, or utterance (a line of the call's transcript)")
    text: str = Field("", description="what was written or said")


class ConversationSentiment(BaseModel):
    contact_id: str
    messages: list[ScoredMessage]
    customer: SideSentiment
    agent: SideSentiment


class TrendRow(BaseModel):
    queue: str | None = None
    agent: str | None = None
    disposition: str | None = Field(None, description="the contact's wrap-up code ('(none)' without one)")
    bucket_start: float
    messages: int
    mean: float | None
    shares: Shares


class SentimentTrend(BaseModel):
    start: float
    end: float
    by: str
    bucket_s: float
    author: str
    rows: list[TrendRow]


class ParetoRow(BaseModel):
    reason: str
    count: int
    share: float = Field(description="of the tagged contacts")
    cumulative: float
    vital_few: bool = Field(description="inside the 80% cut: rows up to the first reaching it")


class ReasonPareto(BaseModel):
    start: float
    end: float
    source: str = Field(description="disposition (the wrap-up code) or topic (the contact's first topic)")
    contacts: int
    tagged: int
    untagged: int
    cut: float
    rows: list[ParetoRow]


class ReasonSeries(BaseModel):
    reason: str
    counts: list[int] = Field(description="contacts per bucket (by creation), in the order of buckets")
    total: int


class ReasonTrend(BaseModel):
    start: float
    end: float
    source: str
    bucket_s: float
    queue_id: str | None
    buckets: list[float] = Field(description="each bucket's start (epoch seconds): start + i * bucket_s")
    series: list[ReasonSeries] = Field(description="the period's top reasons, most frequent first")


class ReasonContact(BaseModel):
    contact_id: str
    channel: str | None
    queue_id: str | None
    agent_id: str | None
    created_at: float
    state: str | None
    disposition: str | None
    topics: list[str]


class ReasonContacts(BaseModel):
    source: str
    reason: str
    total: int
    contacts: list[ReasonContact]

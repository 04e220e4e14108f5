"""Response models of the digital conversation KPIs (historical report and the wallboard's live figures)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DigitalKpis(BaseModel):
    """KPIS.md, digital conversations: durations in seconds, rates in 0..1, None without a denominator."""

    conversations_started: int
    resolved: int = Field(description="threads resolved (a reopened thread counts once, at its last resolution)")
    resolutions: int = Field(description="every resolution (the reopen rate's denominator)")
    reopened: int
    first_responses: int
    replies: int
    first_response_s: float | None = Field(description="first customer message to first agent message "
                                           "(bot and automatic messages excluded)")
    response_s: float | None = Field(description="mean over agent replies of the wait of the message answered")
    resolution_s: float | None = Field(description="first customer message to resolved, reopen gaps left out")
    first_response_bh_s: float | None = Field(description="first response time in the queue's business hours")
    response_bh_s: float | None = Field(description="response time in the queue's business hours")
    resolution_bh_s: float | None = Field(description="resolution time in the queue's business hours")
    reopen_rate: float | None
    customer_messages_per_conversation: float | None
    agent_messages_per_conversation: float | None
    concurrency: float | None = Field(description="time-weighted contacts at once while handling (agent rows)")
    bot_sessions: int
    bot_contained: int
    bot_containment: float | None
    csat: float | None = Field(description="top-two-box share of CSAT answers (4 or 5 of 5)")
    csat_mean: float | None
    csat_count: int


class DigitalReportRow(DigitalKpis):
    interval_start: float
    queue_id: str = Field(description="the queue ('' none, '*' not grouped by queue)")
    channel: str = Field(description="the channel ('*' when not grouped by channel)")
    agent_id: str = Field(description="the agent ('' none, '*' when not grouped by agent)")


class DigitalReportFilters(BaseModel):
    queue_id: str | None
    channel: str | None
    agent_id: str | None


class DigitalReport(BaseModel):
    start: float
    end: float
    interval: str
    group_by: str
    reopen_days: float
    filters: DigitalReportFilters
    rows: list[DigitalReportRow]
    total: DigitalKpis


class IvrKpis(BaseModel):
    """Calls that left an IVR flow (analytics/ivr_stats.py): to a queue, abandoned in the IVR or contained by it.
    IVR abandons and contained calls are never offered to a queue; rates are None without calls."""

    ivr_calls: int = Field(description="to_queue + ivr_abandoned + ivr_contained")
    to_queue: int = Field(description="calls the flow handed to routing (counted as offered by their queue)")
    ivr_abandoned: int = Field(description="callers who hung up while the flow ran")
    ivr_contained: int = Field(description="calls the flow ended itself (a hang-up node)")
    ivr_abandon_rate: float | None
    ivr_containment: float | None
    avg_ivr_abandon_s: float | None = Field(description="mean time in the IVR of the abandoned calls")
    avg_ivr_contained_s: float | None = Field(description="mean time in the IVR of the contained calls")


class IvrFlowRow(IvrKpis):
    flow_id: str
    dialled: str = Field(description="the dialled number ('' unknown, '*' when not grouped by it)")


class LiveIvr(BaseModel):
    """Today's IVR figures per flow and dialled number (the wallboard)."""

    day_start: float
    flows: list[IvrFlowRow]
    total: IvrKpis


class IvrReportRow(IvrFlowRow):
    interval_start: float


class IvrReport(BaseModel):
    start: float
    end: float
    interval: str
    filters: dict[str, str | None]
    rows: list[IvrReportRow]
    total: IvrKpis


class LiveDigital(BaseModel):
    """Today's digital KPIs per queue and per channel (the wallboard)."""

    day_start: float
    queues: dict[str, DigitalKpis]
    channels: dict[str, DigitalKpis]
    total: DigitalKpis

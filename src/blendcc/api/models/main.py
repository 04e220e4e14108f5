"""Response models of routes_main: auth and users, contacts, customers, the agent desktop, supervisor, stats."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.models.digital import DigitalKpis, LiveDigital, LiveIvr

Open = ConfigDict(extra="allow")


# ---------------------------------------------------------------------- auth and users


class TokenOut(BaseModel):
    access_token: str
    token_type: str = Field(description="always 'bearer'")
    role: str = Field(description="agent, supervisor or admin")
    agent_id: str | None
    expires_in: int = Field(description="seconds the token stays valid")


class UserOut(BaseModel):
    username: str
    role: str
    agent_id: str | None


# ---------------------------------------------------------------------- contacts


class ContactOutcome(BaseModel):
    """Where a contact ended up after a command: its queue, the agent offered, or why it was rejected."""

    contact_id: str
    customer_id: str | None = None
    state: str = Field(description="created, queued, offered or rejected")
    queue_id: str | None
    offered_to: str | None
    reason: str | None = Field(None, description="why the contact was rejected (state 'rejected')")


class ContactEvents(BaseModel):
    contact_id: str
    events: list[str] = Field(description="type names of the events the command produced, in order")


class Interaction(BaseModel):
    """One contact's row of the interaction projection."""

    contact_id: str
    channel: str
    direction: str
    customer_id: str | None
    priority: int
    attributes: dict[str, Any] = Field(description="the contact's attributes (open: set by the channel)")
    state: str
    outcome: str | None
    workflow_id: str | None
    filter_name: str | None
    created_at: float
    first_queued_at: float | None
    first_queue_id: str | None
    queue_id: str | None
    offered_at: float | None
    connected_at: float | None
    agent_id: str | None
    ended_at: float | None
    closed_at: float | None
    wait_s: float | None
    talk_s: float
    hold_s: float
    acw_s: float
    transfers: int
    overflows: int
    offers: int
    disposition: str | None
    notes: str | None


class TimelineEvent(BaseModel):
    """One stored event of a contact: ``seq``, ``type``, ``at`` and that event type's own fields."""

    model_config = Open  # each event type has its own fields (docs/architecture.md, domain/events.py)

    seq: int
    type: str
    at: float


# ---------------------------------------------------------------------- customers


class Customer(BaseModel):
    id: str
    name: str
    tier: str
    fields: dict[str, Any] = Field(description="the customer's own fields (open)")
    created_at: float
    last_agent_id: str | None
    last_contact_at: float | None
    identities: list[list[str]] = Field(description="[kind, value] pairs, sorted", json_schema_extra={
        "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}})
    tags: list[str] = Field(default_factory=list, description="sorted tags")
    merged_into: str | None = Field(default=None, description="set while this customer is merged into another")
    merge_id: str | None = Field(default=None, description="the merge that moved this customer (while merged)")
    erased_at: float | None = Field(default=None, description="when the personal data was erased")


class CustomerHistory(Customer):
    interactions: list[Interaction] = Field(description="the customer's contacts, newest first (200 at most)")


# ---------------------------------------------------------------------- agent desktop


class WorkItem(BaseModel):
    contact_id: str
    stage: str = Field(description="reserved, connected, held or wrap_up")
    queue_id: str | None
    channel: str
    offer_expires: float | None
    wrap_until: float | None
    customer_id: str | None
    attributes: dict[str, Any]
    priority: int | None
    state: str


class AgentView(BaseModel):
    """An agent's desktop state: presence, observable state and every contact it holds."""

    id: str
    name: str
    logged_in: bool
    presence: str
    state: str
    reason: str | None
    since: float
    skills: dict[str, int]
    queues: list[str]
    capacity: dict[str, int] = Field(description="contacts at once per channel")
    load: dict[str, int] = Field(description="contacts held per channel")
    work: list[WorkItem]
    at: float


# ---------------------------------------------------------------------- statistics


class QueueKpis(BaseModel):
    """Queue KPIs of KPIS.md; a rate with an empty denominator is null."""

    offered: int
    handled: int
    abandoned: int
    short_abandoned: int
    timed_out: int
    overflowed_out: int
    transferred: int
    abandon_rate: float | None
    service_level: float | None
    asa_s: float | None
    avg_abandon_wait_s: float | None
    max_wait_handled_s: float
    aht_s: float | None
    avg_talk_s: float | None
    avg_hold_s: float | None
    avg_acw_s: float | None
    transfer_rate: float | None


class AgentKpis(BaseModel):
    logged_in_s: float
    available_s: float
    reserved_s: float
    handling_s: float
    aux_s: float
    aux_by_reason: dict[str, float]
    handled: int
    occupancy: float | None
    utilization: float | None
    availability: float | None
    contacts_per_hour: float | None


class AgentsByState(BaseModel):
    """Logged-in agents per wallboard state ("held": every conversation on hold)."""

    available: int
    reserved: int
    busy: int
    held: int = 0
    wrap_up: int
    aux: int


class WallboardTargets(BaseModel):
    sl_target: float = Field(description="the queue's service-level goal (share answered within the threshold)")
    sl_threshold_s: float = Field(description="the service-level threshold T, seconds")
    long_wait_s: float = Field(description="a contact waiting longer is a long wait (default: T)")


class QueueChannelTile(WallboardTargets):
    """One queue x channel on the wallboard: waiting now, today's KPIs, agents able to take the channel."""

    queue_id: str
    queue_name: str
    channel: str
    waiting: int
    longest_wait_s: float
    agents: AgentsByState
    agents_offline: int
    today: QueueKpis


class LiveQueue(WallboardTargets):
    id: str
    name: str
    waiting: int
    offered_now: int
    longest_wait_s: float
    agents: AgentsByState
    agents_offline: int = 0
    today: QueueKpis
    digital: DigitalKpis
    channels: list[QueueChannelTile] = Field(default_factory=list)


class LiveAgent(BaseModel):
    id: str
    name: str
    team_id: str | None
    state: str = Field(description="available, reserved, busy, held, wrap_up, aux or offline")
    reason: str | None
    since: float
    time_in_state_s: float
    queues: list[str] = Field(default_factory=list)
    contacts: list[str]
    load: dict[str, int]
    handled_today: int
    occupancy_today: float | None
    utilization_today: float | None


class WallboardTotals(BaseModel):
    waiting: int
    longest_wait_s: float
    agents: dict[str, int]


class EmergencyMode(BaseModel):
    """An emergency mode in force: a queue (or the centre, scope '*') closed, callback-only or overflowing."""

    scope: str
    mode: str = Field(description="closed, callback_only or overflow")
    overflow_queue: str | None = None
    message: str = Field("", description="the announcement or chat banner text")
    since: float
    by: str | None = None
    crisis_id: str | None = None


class StrandedContact(BaseModel):
    """A contact waiting where no logged-in agent could take it (membership, channel capacity, skills)."""

    contact_id: str
    queue_id: str
    channel: str
    waiting_s: float
    reason: str


class LiveStats(BaseModel):
    """The wallboard (also pushed on /ws/supervisor as ``stream: "stats"`` frames); natural order."""

    at: float
    day_start: float
    timezone: str = Field("UTC", description="the centre's time zone (today and the clock)")
    seq: int = Field(0, description="the last stored event this frame reflects")
    states: list[str] = Field(default_factory=list)
    totals: WallboardTotals | None = None
    queues: list[LiveQueue]
    agents: list[LiveAgent]
    digital: LiveDigital
    ivr: LiveIvr | None = Field(None, description="today's IVR figures per flow and dialled number")
    stranded: list[StrandedContact] = Field(default_factory=list)
    emergency: list[EmergencyMode] = Field(default_factory=list,
                                           description="emergency modes in force (scope '*': the whole centre)")


class QueueReportRow(QueueKpis):
    interval_start: float
    queue_id: str
    channel: str = Field(description="the channel, or '*' when not split by channel")


class QueueReportFilters(BaseModel):
    queue_id: str | None
    channel: str | None


class QueueReport(BaseModel):
    start: float
    end: float
    interval: str
    filters: QueueReportFilters
    rows: list[QueueReportRow]
    total: QueueKpis


class AgentReportRow(AgentKpis):
    agent_id: str


class AgentReportFilters(BaseModel):
    agent_id: str | None


class AgentReport(BaseModel):
    start: float
    end: float
    filters: AgentReportFilters
    rows: list[AgentReportRow]

"""Request and response models of the agent desktop's API (routes_desktop): today, wrap-up options,
callbacks, manual dial and the transfer directory."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.models.main import ContactEvents

# ---------------------------------------------------------------------- today


class CurrentState(BaseModel):
    state: str = Field(description="available, reserved, busy, wrap_up, aux or offline")
    reason: str | None = Field(description="the aux reason code")
    since: float
    seconds: float = Field(description="time in the current state")


class AgentToday(BaseModel):
    """My own figures since midnight of the centre's business day (KPIS.md definitions)."""

    agent_id: str
    day_start: float
    at: float
    timezone: str
    state: CurrentState
    handled: int = Field(description="contacts connected to me today")
    handled_by_channel: dict[str, int]
    completed: int = Field(description="my contacts whose wrap-up is complete (AHT divides by these)")
    aht_s: float | None = Field(description="(talk + hold + after-contact work) / completed; null without any")
    talk_s: float
    hold_s: float
    acw_s: float
    occupancy: float | None = Field(description="handling / (handling + available + reserved)")
    utilization: float | None
    logged_in_s: float
    available_s: float
    handling_s: float
    aux_s: float
    aux_by_reason: dict[str, float]


# ---------------------------------------------------------------------- wrap-up


class DispositionOption(BaseModel):
    code: str
    label: str
    action: str | None = Field(None, description="a campaign code's effect on its record (done, retry, callback...)")


class CallbackOption(BaseModel):
    possible: bool
    phone: str | None = Field(description="the customer's number the callback would dial")
    reason: str | None = Field(description="why no callback is possible")
    disposition: str | None = Field(description="a campaign call: the disposition that schedules a callback")


class WrapUpOptions(BaseModel):
    contact_id: str
    queue_id: str
    channel: str
    campaign_id: str | None
    stage: str
    dispositions: list[DispositionOption]
    disposition_required: bool = Field(description="a disposition from the list is required (non-empty list)")
    notes_required: bool
    wrap_up_timed: bool
    wrap_up_until: float | None = Field(description="when a timed wrap-up ends (UTC epoch s)")
    callback: CallbackOption


class WrapUpDone(ContactEvents):
    callback_id: str | None = Field(None, description="the callback the wrap-up scheduled (inbound contacts)")


# ---------------------------------------------------------------------- callbacks


class NewCallback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=3, max_length=40)
    due_at: float = Field(ge=0, le=4_102_444_800, allow_inf_nan=False, description="UTC epoch seconds")
    customer_id: str | None = Field(None, max_length=64)
    note: str = Field("", max_length=2000)
    personal: bool = Field(True, description="only I am reminded; false: for queue_id")
    queue_id: str | None = Field(None, max_length=64)


class CancelCallback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=200)


class Callback(BaseModel):
    """One scheduled callback (the projection's row)."""

    callback_id: str
    state: str = Field(description="scheduled, cancelled or done")
    phone: str
    due_at: float
    customer_id: str | None
    agent_id: str | None = Field(description="personal to this agent; null: for the queue")
    queue_id: str | None
    note: str
    source_contact_id: str | None
    created_at: float
    created_by: str | None
    closed_at: float | None
    closed_by: str | None


class AgentCallback(BaseModel):
    """One of my personal callbacks: a scheduled one (source 'scheduled') or a dialer record's ('dialer')."""

    id: str = Field(description="callback id, or 'campaign/record' for a dialer callback")
    source: str
    customer_id: str | None
    customer_name: str | None
    phone: str
    note: str
    due_at: float
    campaign_id: str | None
    record_id: str | None
    queue_id: str | None
    contact_id: str | None = Field(description="the contact the callback was scheduled from")


# ---------------------------------------------------------------------- manual dial


class DialCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=1, max_length=40)
    campaign_id: str | None = Field(None, max_length=64)


class DialBody(DialCheckBody):
    customer_id: str | None = Field(None, max_length=64)


class DialCheckItem(BaseModel):
    check: str = Field(description="number, dnc, calling_window, agent_state or campaign")
    ok: bool
    message: str


class DialCheck(BaseModel):
    phone: str = Field(description="the number in E.164 when it is valid")
    campaign_id: str | None
    timezone: str | None = Field(description="the callee's zone the calling window is checked in")
    ok: bool
    checks: list[DialCheckItem]


class DialPlaced(DialCheck):
    contact_id: str = Field(description="the call's id: the outbound contact's once answered")


class AgentCampaign(BaseModel):
    id: str
    name: str = Field(description="the campaign's name (its id when it has none)")
    mode: str = Field(description="preview, progressive, power or predictive")
    queue_id: str = Field(description="the queue (one of mine) whose agents take its calls")
    state: str = Field(description="running, paused or stopped")
    preview_dial: bool = Field(description="I may take a record to preview and dial now (a running preview campaign)")
    manual_dial: bool = Field(description="I may dial a number by hand in it now (a running campaign; my own state "
                                          "is checked when I dial)")
    why_not: str | None = Field(description="why no dial may be started on it now")


# ---------------------------------------------------------------------- directory


class DirectoryQueue(BaseModel):
    id: str
    name: str
    waiting: int
    longest_wait_s: float
    agents_available: int
    agents_logged_in: int


class DirectoryAgent(BaseModel):
    id: str
    name: str
    logged_in: bool
    state: str
    reason: str | None
    since: float
    free: dict[str, int] = Field(description="contacts more I could take per channel now")
    queues: list[str]


class Directory(BaseModel):
    queues: list[DirectoryQueue]
    agents: list[DirectoryAgent]
    at: float

"""Response and request models of the supervisor's agent grid and its actions (routes_supervision)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GridContact(BaseModel):
    contact_id: str
    channel: str
    queue_id: str | None
    stage: str = Field(description="reserved (ringing), connected, held, wrap_up...")
    state: str = Field(description="the contact's state (offered, connected, on_hold, wrap_up...)")


class GridAdherence(BaseModel):
    scheduled: str | None = Field(description="the scheduled activity now (work, break, lunch...); null: none")
    in_adherence: bool | None = Field(description="the actual state matches the scheduled activity; null: "
                                      "not scheduled now")
    today: float | None = Field(description="today's adherence so far (KPIS.md); null without a schedule")


class GridRow(BaseModel):
    id: str
    name: str
    team_id: str | None
    logged_in: bool
    state: str = Field(description="available, reserved, busy, wrap_up, aux or offline")
    reason: str | None = Field(description="the aux reason code")
    since: float
    seconds: float = Field(description="time in the current state")
    queues: list[str]
    skills: dict[str, int]
    contacts: list[GridContact]
    handled: int = Field(description="contacts connected to the agent today")
    aht_s: float | None = Field(description="today's average handle time; null before a completed contact")
    occupancy: float | None = Field(description="handling / (handling + available + reserved) today")
    adherence: GridAdherence


class GridFilters(BaseModel):
    team: str | None
    queue: str | None
    skill: str | None


class GridOptions(BaseModel):
    teams: list[str]
    queues: list[str]
    skills: list[str]


class AgentGrid(BaseModel):
    """Every configured agent (filtered) now, with today's figures since midnight in the centre's zone."""

    at: float
    day_start: float
    timezone: str
    agents: list[GridRow]
    filters: GridFilters
    options: GridOptions = Field(description="what the filters offer: configured teams, queues, skills")


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=1000, description="shown on the agent's desktop as a banner with your name")


class MessageSent(BaseModel):
    agent_id: str
    text: str
    from_: str = Field(alias="from", description="the supervisor's user name")
    at: float
    logged_in: bool = Field(description="false: the agent is offline (an open desktop still shows it)")

    model_config = ConfigDict(populate_by_name=True)

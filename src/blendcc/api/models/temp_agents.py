"""Request and response models of the temporary agents' API (routes_temp_agents)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TempBatchBody(BaseModel):
    """A batch to onboard: its name, when its logins stop working, and the roster (CSV text)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Storm surge helpers", "expires_at": 1796000000.0,
        "csv": "name,login,skills,team\nAnna Berg,anna.berg@example.com,billing:3;french:2,storm\n"}]})

    name: str = Field(min_length=1, max_length=100, description="a name supervisors recognise")
    expires_at: float = Field(ge=0, le=1e11, allow_inf_nan=False,
                              description="UTC epoch seconds: no login and no token of the batch works from then on")
    csv: str = Field(min_length=1, max_length=1_000_000,
                     description="the roster: a header line naming the columns name, login (or email), skills "
                                 "(skill:level pairs separated by ';'), team, queues (optional; ';' between "
                                 "them); one agent per line")
    crisis_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$",
                                  description="the crisis the batch helps with (optional)")


class TempAgentOut(BaseModel):
    agent_id: str
    username: str
    name: str
    team_id: str | None
    skills: dict[str, int] = Field(description="as granted: levels capped, only allowed skills")
    requested: dict[str, int] = Field(description="as the roster asked")
    queues: list[str] = Field(description="the queues it serves (the roster's, else those its skills qualify for)")


class TempProfile(BaseModel):
    max_level: int
    allowed: list[str] = Field(description="the only skills granted (empty: any)")


class TempBatch(BaseModel):
    id: str
    name: str
    expires_at: float
    created_by: str
    created_at: float
    crisis_id: str | None
    removed_at: float | None
    removed_by: str | None
    state: str = Field(description="active, expired (logins no longer work) or removed")
    count: int = Field(description="how many agents")
    profile: TempProfile
    agents: list[TempAgentOut]


class TempCredential(BaseModel):
    username: str
    agent_id: str
    password: str = Field(description="the initial password, shown this once (only its hash is kept)")


class TempBatchCreated(BaseModel):
    batch: TempBatch
    credentials: list[TempCredential]

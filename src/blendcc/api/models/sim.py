"""Response models of routes_sim and routes_ivr: simulation reports, the history replay, IVR prompts and runs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Estimate(BaseModel):
    """A KPI over the replications: mean and 95% confidence interval (null bounds with one replication)."""

    mean: float | None
    ci95: list[float | None] = Field(description="[low, high]", min_length=2, max_length=2)
    n: int


#: scope (a queue id, '*' for all queues, '@agents') -> KPI name -> estimate
Block = dict[str, dict[str, Estimate]]


class SimRun(BaseModel):
    seed: int | str
    arrivals: int
    finished: int
    open_at_end: int
    events: int
    sim_end_s: float


class SimInterval(BaseModel):
    """One interval: ``start`` and, per scope (queue id, '*', '@agents'), its KPI estimates."""

    model_config = ConfigDict(extra="allow")  # keys are the scenario's queue ids

    start: str


class SimReport(BaseModel):
    scenario: str
    seed: int | str
    replications: int
    interval_s: int
    runs: list[SimRun]
    total: Block
    intervals: list[SimInterval] | None = Field(None, description="per-interval rows (when asked for)")


class ReplayRow(BaseModel):
    day: str = Field(description="ISO date, or 'total'")
    actual: dict[str, float | None] = Field(description="queue KPIs of the log (KPIS.md names)")
    simulated: dict[str, float | None] = Field(description="the same KPIs simulated (means over replications)")
    ci95_half_width: dict[str, float | None] = Field(description="per KPI; null with one replication")


class BadLine(BaseModel):
    line: int
    reason: str


class Replay(BaseModel):
    replications: int
    seed: int
    sl_threshold_s: float
    short_abandon_s: float
    staffing: str
    bad_lines: list[BadLine]
    days: list[ReplayRow]
    total: ReplayRow


# ---------------------------------------------------------------------- IVR


class PromptInfo(BaseModel):
    id: str
    source: str = Field(description="tts or upload")
    seconds: float
    sample_rate: int
    text: str | None
    language: str | None
    voice: str | None
    name: str | None


class IvrStep(BaseModel):
    input: dict[str, Any] | None = Field(description="the caller's input ({type, ...}), null for automatic steps")
    automatic: bool
    at: float
    node: str | None
    status: str
    actions: list[dict[str, Any]] = Field(description="actions the flow asked for: {type, ...its own fields}")


class IvrSession(BaseModel):
    """Where the call is in the flow and what it collected (``ivr`` becomes the contact's ivr attributes)."""

    flow_id: str
    node: str | None
    status: str
    waiting: str | None
    outcome: str | None
    ivr: dict[str, str]
    attributes: dict[str, Any] = Field(description="attributes set by the flow (open)")
    path: list[str]
    attempts: int
    customer_known: bool | None
    tier: str | None
    customer_id: str | None
    position: int | None
    expected_wait_s: float | None


class IvrSimulation(BaseModel):
    flow_id: str
    warnings: list[str]
    steps: list[IvrStep]
    session: IvrSession

"""Response models of the WFM routes: forecasts, intraday, the Erlang calculator, staffing, schedules, adherence."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from blendcc.api.models.sim import Estimate

# ---------------------------------------------------------------------- forecasting


class ForecastRow(BaseModel):
    interval_start: str = Field(description="local ISO 8601 date-time")
    queue: str
    channel: str
    volume: float
    aht_s: float | None
    volume_lo: float | None = Field(None, description="lower end of the volume's prediction interval")
    volume_hi: float | None = Field(None, description="upper end of the volume's prediction interval")


class HorizonError(BaseModel):
    day: int
    wape: float | None
    mape: float | None
    actual: float | None
    mae: float | None = None


class BacktestModel(BaseModel):
    model: str
    wape: float | None
    mape: float | None
    mae: float | None = Field(None, description="mean absolute error per scored interval")
    weight: float = Field(0.0, description="the model's weight in the combined forecast")
    chosen: bool
    error: str | None = Field(description="why the model could not be fitted, if it failed")
    per_horizon: list[HorizonError]


class Backtest(BaseModel):
    horizon_days: int
    origins: int
    chosen: str | None
    models: list[BacktestModel]


class SeriesSummary(BaseModel):
    queue: str
    channel: str
    interval_min: int
    model: str
    first_day: str
    days: int
    total_volume: float
    backtest: Backtest | None
    special_days: dict[str, str] = Field(description="date -> how the day is forecast")
    excluded_history_days: list[str]
    notes: list[str]
    weights: dict[str, float] = Field(default_factory=dict, description="the forecast's models and weights")
    level: float = Field(0.8, description="level of the volume_lo..volume_hi prediction interval")
    aht_backtest: dict[str, Any] | None = Field(None, description="AHT profiles' handle-time WAPE, the chosen one")


class ForecastOut(BaseModel):
    rows: list[ForecastRow]
    overridden_intervals: int
    series: list[SeriesSummary]


class QueueForecastOut(ForecastOut):
    queue_id: str
    history: list[ForecastRow] | None = Field(None, description="with history_shown_days: the last days of history")


class IntradayInterval(BaseModel):
    interval_start: str
    forecast: float | None
    actual: float | None
    reforecast: float | None
    aht_s: float | None
    required: int | None
    gap: float | None


class IntradayChannel(BaseModel):
    model_config = {"extra": "allow"}  # the re-forecast model may add diagnostics

    channel: str
    model: str
    ratio: float | None
    damped_ratio: float | None
    elapsed_intervals: int
    actual_so_far: float
    forecast_so_far: float
    rest_of_day_forecast: float
    intervals: list[IntradayInterval]


class Intraday(BaseModel):
    queue_id: str
    at: float
    day: str
    interval_min: int
    staffed: int
    sl_target: float
    sl_threshold_s: float
    channels: list[IntradayChannel]


# ---------------------------------------------------------------------- staffing


class ErlangMetrics(BaseModel):
    agents: int
    p_wait: float | None
    p_abandon: float | None
    asa_s: float | None
    mean_wait_all_s: float | None
    service_level: float | None
    occupancy: float | None


class ErlangOut(BaseModel):
    model: str = Field(description="Erlang C, or Erlang A with patience")
    erlangs: float
    arrival_rate_per_s: float
    required: int | None = Field(description="agents the targets need (null when only N was evaluated)")
    fte: float | None
    shrinkage: float
    metrics: ErlangMetrics | None
    table: list[ErlangMetrics]


class StaffingSummary(BaseModel):
    model_config = {"extra": "allow"}  # per queue/channel columns follow the forecast's dimensions

    queue: str | None = None
    channel: str | None = None
    intervals: int
    volume: float
    peak_required: int
    required_hours: float
    fte_hours: float
    scheduled_hours: float | None = None
    understaffed_intervals: int | None = None


class StaffingInterval(BaseModel):
    model_config = {"extra": "allow"}  # extra forecast columns are carried through

    interval_start: str
    queue: str | None = None
    channel: str | None = None
    volume: float
    aht_s: float | None
    erlangs: float | None
    required: int
    fte: float | None
    service_level: float | None
    p_wait: float | None
    asa_s: float | None
    p_abandon: float | None = None
    occupancy: float | None


class StaffingPlan(BaseModel):
    model: str
    interval_min: int
    shrinkage: float
    summary: list[StaffingSummary]
    intervals: list[StaffingInterval]


class QueueTargetOut(BaseModel):
    sl_target: float | None
    asa_target_s: float | None
    max_abandon: float | None


class Candidate(BaseModel):
    """One simulated candidate: agents per searched group, its cost and each queue's shortfall (> 0 misses
    the worst target by that share of it, <= 0 is the margin left)."""

    index: int
    step: str
    counts: dict[str, int]
    agents: int
    cost: float
    meets: bool
    shortfall: dict[str, float]


class ChosenCandidate(Candidate):
    queues: dict[str, dict[str, Estimate]] = Field(description="queue -> KPI -> estimate")


class QueueLoadOut(BaseModel):
    rate_per_s: float
    aht_s: float
    erlangs: float
    patience_s: float | None
    sl_threshold_s: float
    independent_agents: int


class ErlangBaseline(BaseModel):
    queues: dict[str, QueueLoadOut]
    model: str
    independent_total: int
    pooled_total: int
    start: dict[str, int] = Field(description="least-cost split by group covering the Erlang bounds")


class SimStaffing(BaseModel):
    """The cheapest agents per group meeting every queue's target (one search)."""

    searched_groups: list[str]
    fixed_groups: dict[str, int]
    targets: dict[str, QueueTargetOut]
    replications: int
    seed: int
    warmup_s: float
    criterion: str
    evaluations_made: int
    max_evaluations: int
    stopped: str
    locally_minimal: bool
    best: ChosenCandidate | None = Field(description="the cheapest candidate meeting every target, if any")
    erlang: ErlangBaseline = Field(description="the Erlang baseline the search started from")
    evaluations: list[Candidate]


class IntervalStaffingOut(BaseModel):
    interval: int
    start: str
    result: SimStaffing | None


class SimStaffingPerInterval(BaseModel):
    scenario: str
    intervals: list[IntervalStaffingOut]


# ---------------------------------------------------------------------- schedules and adherence


class Segment(BaseModel):
    activity: str
    start: str
    end: str


class ScheduleDayOut(BaseModel):
    model_config = {"extra": "allow"}  # a published schedule document

    id: str
    agent_id: str
    date: str
    team_id: str | None
    template_id: str | None
    segments: list[Segment]


class Published(BaseModel):
    id: str
    version: int


class PublishedOut(BaseModel):
    published: list[Published]


class CoverageRow(BaseModel):
    interval_start: str
    required: float
    scheduled: float
    under: float
    over: float


class SolveOut(BaseModel):
    model_config = {"extra": "allow"}  # the solver's summary may grow diagnostics

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time_s: float
    interval_min: int
    shifts: int
    under_agent_intervals: float
    over_agent_intervals: float
    under_agent_hours: float
    over_agent_hours: float
    schedules: list[ScheduleDayOut]
    coverage: list[CoverageRow]
    published: list[Published]


class ActivityAdherence(BaseModel):
    scheduled_s: float
    in_adherence_s: float
    adherence: float | None


class AdherenceFigures(BaseModel):
    scheduled_s: float
    in_adherence_s: float
    out_of_adherence_s: float
    adherence: float | None
    scheduled_working_s: float
    logged_in_s: float
    conformance: float | None
    by_activity: dict[str, ActivityAdherence]


class AgentAdherence(AdherenceFigures):
    agent_id: str
    team_id: str | None


class TeamAdherence(AdherenceFigures):
    team_id: str | None


class AdherenceFilters(BaseModel):
    team: str | None
    agent_id: str | None


class AdherenceReport(BaseModel):
    start: float
    end: float
    filters: AdherenceFilters
    agents: list[AgentAdherence]
    teams: list[TeamAdherence]
    total: AdherenceFigures


class Alert(BaseModel):
    agent_id: str
    team_id: str | None
    scheduled: str
    state: str
    reason: str | None
    since: float
    raised_at: float
    out_for_s: float


class Alerts(BaseModel):
    at: float
    grace_s: float
    alerts: list[Alert]


class JobSeriesProgress(BaseModel):
    name: str = Field(description="queue/channel")
    done: int
    total: int


class JobProgress(BaseModel):
    done: int = Field(description="backtest fits done, summed over the series started so far")
    total: int = Field(description="backtest fits in all, summed over the series started so far")
    series: list[JobSeriesProgress]


class JobError(BaseModel):
    error: str
    detail: str


class ForecastJobOut(BaseModel):
    id: str
    what: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    created_at: float
    started_at: float | None
    finished_at: float | None
    cancel_requested: bool = Field(description="a cancel was asked; the job stops at its next fit")
    progress: JobProgress
    result: QueueForecastOut | ForecastOut | None = Field(
        None, description="when done: what POST /api/wfm/forecast answers (GET .../queues/{id} for a queue's job)")
    error: JobError | None = Field(None, description="when failed: why")


class ForecastJobList(BaseModel):
    jobs: list[ForecastJobOut]

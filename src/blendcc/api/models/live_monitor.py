"""Response models of the intraday board and the campaign monitor."""

from __future__ import annotations

from pydantic import BaseModel, Field


class BoardInterval(BaseModel):
    interval_start: str = Field(description="the interval's start, ISO 8601 in the centre's time zone")
    forecast: float | None = Field(description="contacts forecast from the history before today")
    reforecast: float | None = Field(description="the forecast scaled by the day's damped actual/forecast ratio "
                                                 "(intervals not yet complete)")
    offered: int | None = Field(description="contacts offered (None: the interval has not begun)")
    handled: int | None
    abandoned: int | None
    service_level: float | None
    asa_s: float | None
    abandon_rate: float | None
    aht_s: float | None
    required: int | None = Field(description="Erlang C (A with patience_s) agents for the forecast volume and AHT")
    logged_in: float | None = Field(description="average agents of the queue logged in during the interval")
    staffed: float | None = Field(description="average agents of the queue logged in and not in aux")


class BoardTotals(BaseModel):
    offered: int
    handled: int
    abandoned: int
    service_level: float | None
    asa_s: float | None
    abandon_rate: float | None
    forecast_so_far: float | None
    forecast_day: float | None


class IntradayBoard(BaseModel):
    queue_id: str
    day: str
    timezone: str
    at: float
    interval_min: int
    elapsed_intervals: int
    sl_target: float
    sl_threshold_s: float
    staffing_model: str = Field(description="erlang_c, or erlang_a with patience_s")
    has_forecast: bool
    ratio: float | None
    damped_ratio: float | None
    staffed_now: int | None
    totals: BoardTotals
    intervals: list[BoardInterval]


class CampaignMonitorRow(BaseModel):
    campaign_id: str
    name: str
    queue_id: str
    state: str
    reason: str | None
    since: float | None
    mode: str
    regulatory_mode: str
    lines_per_agent: float
    abandon_cap: float
    abandon_target: float
    agents_staffed: int = Field(description="agents of the campaign's queue logged in and not in aux")
    calls_in_progress: int | None = Field(description="ringing + waiting for an agent + connected (None: not "
                                                      "being dialled)")
    dial_level: float | None = Field(description="calls in progress per staffed agent")
    p_live: float | None = Field(description="the pacing estimate of the live-answer probability")
    ringing: int | None
    waiting_for_agent: int | None
    attempts_24h: int
    live_answers_24h: int
    connected_24h: int
    abandoned_24h: int
    live_answer_rate_24h: float | None = Field(description="live answers / attempts over the last 24 hours")
    abandon_rate_24h: float
    abandon_rate_30d: float
    regulatory_rate: float = Field(description="the rate the regulatory mode is judged on (us: 30 days, uk: 24 h)")
    over_cap: bool
    records: int
    records_attempted: int
    penetration: float | None = Field(description="records dialled at least once / records")
    records_by_state: dict[str, int]
    outcomes_24h: dict[str, int]

"""Response model of routes_whatif: the surge what-if report (per interval, baseline and surge, agents needed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from blendcc.api.models.sim import Estimate


class Surge(BaseModel):
    start_s: float
    end_s: float
    volume: float
    aht: float


class Side(BaseModel):
    """One side's KPIs (SL, ASA, abandonment and occupancy per KPIS.md; null: none in the interval)."""

    offered: Estimate | None
    service_level: Estimate | None
    asa_s: Estimate | None
    abandon_rate: Estimate | None
    occupancy: Estimate | None


class PlaybookSide(Side):
    """The surge with the playbooks' actions; ``turned_away``: callers rejected by a closed or callback-only
    emergency mode (not offered, so not in the rates)."""

    turned_away: Estimate | None


class Needed(BaseModel):
    """Agents needed in the interval: Erlang's first guess and the smallest simulated count meeting the target."""

    rate_per_hour: float
    erlang: int
    simulated: int | None
    sl_at_simulated: float | None
    sl_one_fewer: float | None
    evaluations: dict[str, float | None]


class Interval(BaseModel):
    start: str
    in_surge: bool
    published_agents: int
    baseline: Side
    surge: Side
    surge_staffed: Side
    staffed_agents: int
    needed: Needed | None
    erlang_extra: int | None
    simulated_extra: int | None
    surge_playbook: PlaybookSide | None = None


class Totals(BaseModel):
    baseline: Side
    surge: Side
    surge_staffed: Side
    extra_agent_hours_erlang: float
    extra_agent_hours_simulated: float
    intervals_not_met_within_bound: int


class StaffingSearch(BaseModel):
    replications: int
    window_s: float
    warmup_s: float


class WhatIf(BaseModel):
    name: str
    surge: Surge
    sl_target: float
    sl_threshold_s: float
    interval_s: int
    seed: int
    replications: int
    staffing_search: StaffingSearch
    total: Totals
    intervals: list[Interval]
    playbooks: list[str] | None = None
    playbook_tick_s: float | None = None
    surge_playbook_total: PlaybookSide | None = None
    crises_started: list[int] | None = None
    crisis_timeline: list[dict[str, Any]] | None = None

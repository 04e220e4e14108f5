"""Simulator endpoint: POST /api/sim/run -- a scenario document in, the KPI report with confidence intervals out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import P
from blendcc.domain.errors import ValidationFailed

router = APIRouter(prefix="/api/sim", tags=["simulator"])

#: Work one request may ask for; bigger studies belong to ``blendcc simulate`` on a planner's machine.
MAX_ARRIVALS_PER_REPLICATION = 200_000
MAX_ARRIVALS_TOTAL = 1_000_000
MAX_AGENTS = 2_000
#: Below this many arrivals in all, replications run in the request's thread (no process start-up).
IN_PROCESS_ARRIVALS = 50_000


class SimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] = Field(description="the scenario document (docs/simulator.md), as JSON")
    replications: int = Field(default=5, ge=1, le=50)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    intervals: bool = Field(default=True, description="include the per-interval rows")


@router.post("/run")
def run_simulation(body: SimRequest, p: P) -> dict[str, Any]:
    """Run the scenario on the real routing engine; KPIs per interval and in total, mean and 95% CI."""
    p.require("supervisor")
    from blendcc.sim.run import simulate
    from blendcc.sim.scenario import parse_scenario

    scenario = parse_scenario(body.scenario)  # ValidationFailed -> 422 with the first problems
    per_rep = scenario.expected_arrivals()
    agents = sum(g.size for g in scenario.agents)
    if per_rep > MAX_ARRIVALS_PER_REPLICATION:
        raise ValidationFailed(f"scenario expects {per_rep:,.0f} arrivals per replication; the API runs at most "
                               f"{MAX_ARRIVALS_PER_REPLICATION:,} (use 'blendcc simulate' for bigger studies)")
    if per_rep * body.replications > MAX_ARRIVALS_TOTAL:
        raise ValidationFailed(f"{body.replications} replications of {per_rep:,.0f} arrivals exceed the API's "
                               f"{MAX_ARRIVALS_TOTAL:,} arrivals per request; use fewer replications or the CLI")
    if agents > MAX_AGENTS:
        raise ValidationFailed(f"scenario has {agents:,} agents; the API simulates at most {MAX_AGENTS:,}")
    workers = 1 if per_rep * body.replications <= IN_PROCESS_ARRIVALS else None
    report = simulate(scenario, replications=body.replications, seed=body.seed, workers=workers)
    return report.to_dict(intervals=body.intervals)

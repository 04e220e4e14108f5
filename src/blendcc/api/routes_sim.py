"""Simulator endpoints: POST /api/sim/run (a scenario in, the KPI report with 95% CIs out) and the history replay."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.compute import run_bounded
from blendcc.api.deps import C, P
from blendcc.api.jobs import replay_job, simulate_job
from blendcc.api.models import common
from blendcc.api.models import sim as out
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


@router.post("/run", response_model=out.SimReport, response_model_exclude_unset=True)
def run_simulation(body: SimRequest, c: C, p: P) -> dict[str, Any]:
    """Run the scenario on the real routing engine; KPIs per interval and in total, mean and 95% CI.
    The run is stopped at the server's computation deadline (503)."""
    p.require("supervisor")
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
    return run_bounded(simulate_job, scenario, body.replications, body.seed, workers, body.intervals,
                       deadline_s=c.settings.compute_deadline_s, what="the simulation")


#: A month of the bank's log is about 3.3 MB; the replay endpoint refuses bigger bodies.
MAX_LOG_BYTES = 16 * 1024 * 1024


@router.post("/replay/bank1999", response_model=out.Replay,
             openapi_extra=common.upload_body("text/plain", form=False))
async def replay_bank1999(request: Request, c: C, p: P, days: str | None = None,
                          replications: int = 3, seed: int = Query(1, ge=0, le=2**63 - 1),
                          staffing: str = "presence") -> dict[str, Any]:
    """Replay an Anonymous Bank 1999 call log (the ``january.txt`` format, sent as the request body) in the
    simulator and compare it with what happened, per day and in total (``days``: ISO dates, comma-separated;
    default every day of the log). Same computation as ``blendcc replay bank1999``."""
    p.require("supervisor")
    from blendcc.adapters.importers.bank1999 import parse_bank1999
    from blendcc.sim.history import REPLAY_STAFFING

    if not 1 <= replications <= 10:
        raise ValidationFailed("replications must be between 1 and 10 (use 'blendcc replay' for bigger studies)")
    if staffing not in REPLAY_STAFFING:
        raise ValidationFailed(f"staffing must be one of {', '.join(REPLAY_STAFFING)}")
    body = await request.body()
    if len(body) > MAX_LOG_BYTES:
        raise ValidationFailed(f"the call log is larger than {MAX_LOG_BYTES // 2**20} MiB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the call log must be UTF-8 (or ASCII) text") from None
    parsed = parse_bank1999(text.splitlines())
    if not parsed.records:
        raise ValidationFailed("the body holds no call records in the Anonymous Bank 1999 format"
                               + (f" (line {parsed.problems[0].line_no}: {parsed.problems[0].reason})"
                                  if parsed.problems else ""))
    chosen = None
    if days:
        try:
            chosen = [date.fromisoformat(d.strip()) for d in days.split(",") if d.strip()]
        except ValueError:
            raise ValidationFailed(f"days: {days!r} is not a comma-separated list of ISO dates") from None
    result = await run_in_threadpool(lambda: run_bounded(
        replay_job, parsed.records, chosen, replications, seed, staffing,
        deadline_s=c.settings.compute_deadline_s, what="the replay"))
    return {**result, "bad_lines": [{"line": b.line_no, "reason": b.reason} for b in parsed.problems[:100]]}

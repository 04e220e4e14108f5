"""Surge what-if endpoints: POST /api/sim/whatif (a scenario document) and /api/sim/whatif/bank1999 (a call log):
the same report as ``blendcc whatif``, as JSON or (``format=html``) the page with its chart."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.compute import run_bounded
from blendcc.api.deps import C, P
from blendcc.api.jobs_whatif import whatif_history_job, whatif_scenario_job
from blendcc.api.models import common
from blendcc.api.models import whatif as out
from blendcc.domain.errors import ValidationFailed

router = APIRouter(prefix="/api/sim/whatif", tags=["simulator"])

#: Work one request may ask for; longer studies belong to ``blendcc whatif``.
MAX_ARRIVALS = 100_000
#: Arrivals of one steady-state evaluation of the busiest interval, times the replications.
MAX_STEADY_ARRIVALS = 300_000
MAX_AGENTS = 2_000
MAX_LOG_BYTES = 16 * 1024 * 1024
Format = Literal["json", "html"]
STEADY_WINDOW_S = 7_200.0  # StaffingOptions' default window
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {"schema": {"type": "string"}}},
                                               "description": "the report (JSON, or HTML with format=html)"}}


def _respond(result: Any, fmt: Format) -> Any:
    if fmt == "html":
        return Response(content=result, media_type="text/html; charset=utf-8")
    return result


def _agents(text: str | None) -> list[int] | None:
    if text is None or not text.strip():
        return None
    try:
        counts = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValidationFailed(f"agents: {text!r} is not a comma-separated list of whole numbers") from None
    if not counts or any(not 0 <= n <= MAX_AGENTS for n in counts):
        raise ValidationFailed(f"agents: give counts between 0 and {MAX_AGENTS}")
    return counts


def peak_rate(scenario: Any) -> float:
    """An upper bound of the busiest report interval's arrival rate (per second), summed over the streams."""
    from blendcc.sim.scenario import Replay

    width = float(scenario.report_interval_s)
    total = 0.0
    for s in scenario.arrivals:
        p = s.process
        if isinstance(p, Replay):
            counts: dict[int, int] = {}
            for c in p.records():
                counts[int(c.t_s // width)] = counts.get(int(c.t_s // width), 0) + 1
            total += max(counts.values(), default=0) / width
        elif p.rate_per_s is not None:
            total += p.rate_per_s
        else:
            total += max(p.per_interval or [0.0]) / (p.interval_s or 1.0)
    return total


def _factor(pct: float, name: str) -> float:
    if not (math.isfinite(pct) and -100.0 < pct <= 900.0):
        raise ValidationFailed(f"{name}: a change in percent above -100 and at most 900, got {pct:g}")
    return 1.0 + pct / 100.0


class SurgeWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_s: float = Field(ge=0, description="seconds from the scenario start")
    end_s: float = Field(gt=0)
    volume_pct: float = Field(default=40.0, description="volume change in percent (40: +40%)")
    aht_pct: float = Field(default=0.0, description="handle-time change in percent")


def _playbooks(c: Any, docs: list[dict[str, Any]] | None, ids: list[str] | None) -> list[dict[str, Any]]:
    """Playbook documents to run in the surge: given whole, or by id from the configuration store (404 if not
    stored); validated here (422 with the first problem)."""
    from pydantic import ValidationError

    from blendcc.crisis.playbook import Playbook

    out: list[dict[str, Any]] = []
    for i, doc in enumerate(docs or ()):
        try:
            out.append(Playbook.model_validate(doc).model_dump(mode="json"))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValidationFailed(f"playbooks[{i}]: {'.'.join(str(x) for x in first['loc'])}: "
                                   f"{first['msg']}") from None
    if ids:
        service = getattr(c, "crisis", None)
        if service is None:
            raise ValidationFailed("stored playbooks are not available in this server; send the documents")
        out += [service.playbooks.get(i)[0].model_dump(mode="json") for i in ids]
    if len({d["id"] for d in out}) != len(out):
        raise ValidationFailed("two playbooks with the same id")
    return out


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] = Field(description="the baseline scenario document (one queue, one agent group)")
    surge: SurgeWindow
    sl_target: float = Field(default=0.8, gt=0, lt=1)
    sl_threshold_s: float | None = Field(default=None, gt=0, le=3600)
    agents: list[int] | None = Field(default=None, description="published agents per report interval")
    replications: int = Field(default=5, ge=1, le=10)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    playbooks: list[dict[str, Any]] | None = Field(default=None, max_length=10, description=(
        "crisis playbook documents to run in the surge (as PUT /api/crisis/playbooks/{id} takes, with their id)"))
    playbook_ids: list[str] | None = Field(default=None, max_length=10, description="stored playbooks to run")
    playbook_tick_s: float = Field(default=1.0, ge=1, le=300, description="evaluate the playbooks every this "
                                   "many simulated seconds (live: every second)")


@router.post("", response_model=out.WhatIf,
             responses=HTML)
def whatif_scenario(body: WhatIfRequest, c: C, p: P, format: Format = "json") -> Any:
    """A surge on a scenario: per report interval SL, ASA, abandonment and occupancy with and without it on the
    published staffing, and the agents needed (Erlang, then simulation). Stopped at the compute deadline (503)."""
    p.require("supervisor")
    from blendcc.sim.scenario import parse_scenario
    from blendcc.sim.whatif import Surge
    from blendcc.sim.whatif_staffing import single_pool

    scenario = parse_scenario(body.scenario)
    single_pool(scenario)
    s = body.surge
    volume, aht = _factor(s.volume_pct, "volume_pct"), _factor(s.aht_pct, "aht_pct")
    Surge(start_s=s.start_s, end_s=s.end_s, volume=volume, aht=aht).check(scenario)
    if scenario.expected_arrivals() * max(volume, 1.0) > MAX_ARRIVALS:
        raise ValidationFailed(f"the surged scenario expects more than {MAX_ARRIVALS:,} arrivals; use 'blendcc whatif'")
    if peak_rate(scenario) * max(volume, 1.0) * STEADY_WINDOW_S * body.replications > MAX_STEADY_ARRIVALS:
        raise ValidationFailed(f"the busiest interval would simulate more than {MAX_STEADY_ARRIVALS:,} arrivals per "
                               "agent count searched; use fewer replications or 'blendcc whatif'")
    if sum(g.size for g in scenario.agents) > MAX_AGENTS:
        raise ValidationFailed(f"the API simulates at most {MAX_AGENTS:,} agents")
    agents = body.agents
    if agents is not None and (not agents or any(not 0 <= n <= MAX_AGENTS for n in agents)):
        raise ValidationFailed(f"agents: give counts between 0 and {MAX_AGENTS}")
    playbooks = _playbooks(c, body.playbooks, body.playbook_ids)
    result = run_bounded(whatif_scenario_job, scenario, s.start_s, s.end_s, volume, aht, body.sl_target,
                         body.sl_threshold_s, agents, body.replications, body.seed, format, playbooks,
                         body.playbook_tick_s, deadline_s=c.settings.compute_deadline_s, what="the what-if")
    return _respond(result, format)


@router.post("/bank1999", response_model=out.WhatIf, openapi_extra=common.upload_body("text/plain", form=False),
             responses=HTML)
async def whatif_bank1999(request: Request, c: C, p: P, start: date | None = Query(None, alias="from"),
                          days: int = Query(3, ge=1, le=7), surge: float = 40.0, aht: float = 0.0,
                          sl_target: float = Query(0.8, gt=0, lt=1),
                          sl_threshold: float | None = Query(None, gt=0, le=3600),
                          interval: int = 60, agents: str | None = None, replications: int = Query(3, ge=1, le=10),
                          seed: int = Query(1, ge=0, le=2**63 - 1), format: Format = "json",
                          playbook: list[str] | None = Query(None, max_length=10,
                                                             description="a stored playbook to run (repeatable)"),
                          playbook_tick: float = Query(1.0, ge=1, le=300)) -> Any:
    """A surge on an Anonymous Bank 1999 call log (sent as the body): the days from ``from`` replayed as ``blendcc
    replay`` does, volume +``surge``% and handle time +``aht``%; same report as ``blendcc whatif``. With
    ``playbook`` (stored playbooks' ids) the surge is simulated again with them running."""
    p.require("supervisor")
    from blendcc.adapters.importers.bank1999 import parse_bank1999

    if interval not in (15, 30, 45, 60):
        raise ValidationFailed("interval must be 15, 30, 45 or 60 minutes")
    volume, handle = _factor(surge, "surge"), _factor(aht, "aht")
    counts = _agents(agents)
    playbooks = _playbooks(c, None, playbook)
    body = await request.body()
    if len(body) > MAX_LOG_BYTES:
        raise ValidationFailed(f"the call log is larger than {MAX_LOG_BYTES // 2**20} MiB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the call log must be UTF-8 (or ASCII) text") from None
    parsed = parse_bank1999(text.splitlines())
    offered = sorted({r.day for r in parsed.records if r.offered})
    if not offered:
        raise ValidationFailed("the body holds no offered calls in the Anonymous Bank 1999 format")
    first = start or offered[0]
    result = await run_in_threadpool(lambda: run_bounded(
        whatif_history_job, parsed.records, first, days, interval * 60, volume, handle, sl_target, sl_threshold,
        counts, replications, seed, format, playbooks, playbook_tick, deadline_s=c.settings.compute_deadline_s,
        what="the what-if"))
    return _respond(result, format)

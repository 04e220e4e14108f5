"""The supervisor's agent grid (GET /api/supervisor/agents) and messages to an agent's desktop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from blendcc.api.deps import C, P, audit
from blendcc.api.models import supervision as out
from blendcc.app.supervision.actions import actions_of
from blendcc.app.supervision.agent_grid import GridFilter, grid_of

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])


@router.get("/agents", response_model=out.AgentGrid,
            summary="The agent grid: every agent's state, reason, time in state, contacts, today's handled / "
            "AHT / occupancy and adherence now; filter by team, queue and skill")
def agent_grid(c: C, p: P, team: str | None = None, queue: str | None = None, skill: str | None = None,
               agent: Annotated[list[str] | None, Query(max_length=500, description="only these agents (the "
                                                        "rows the console re-reads after events)")] = None,
               ) -> dict[str, Any]:
    p.require("supervisor")
    return grid_of(c).rows(GridFilter(team or None, queue or None, skill or None), set(agent) if agent else None)


@router.get("/agents/{agent_id}/row", response_model=out.GridRow,
            summary="One agent's row of the grid (the console re-reads it after the agent's events)")
def agent_grid_row(agent_id: str, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return grid_of(c).row(agent_id)


@router.post("/agents/{agent_id}/message", response_model=out.MessageSent,
             summary="Send a message to the agent's desktop (a banner with your name); audited")
def message_agent(agent_id: str, body: out.MessageBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    sent = actions_of(c).message(agent_id, body.text, by=p.username)
    audit(c, p, "agent_messaged", agent_id, text=sent["text"])
    return sent

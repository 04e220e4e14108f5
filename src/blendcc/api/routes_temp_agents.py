"""Temporary agents (docs/crisis.md): onboard a batch from a CSV roster, list batches, remove one in one step."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from blendcc.api.deps import C, P
from blendcc.api.models import temp_agents as out
from blendcc.app.admin.temp_agents import TempAgents
from blendcc.domain.errors import InvalidState

router = APIRouter(prefix="/api/temp-agents", tags=["temporary agents"])
BatchId = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


def _svc(c: C) -> TempAgents:
    if not isinstance(c.temp_agents, TempAgents):
        raise InvalidState("temporary agents are not wired in this server")
    return c.temp_agents


@router.get("/batches", response_model=list[out.TempBatch], summary="Every batch of temporary agents, newest first")
def list_temp_batches(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _svc(c).list()


@router.post("/batches", response_model=out.TempBatchCreated, status_code=201,
             summary="Onboard a batch from a CSV roster: all agents or none (422 names each bad line); "
                     "returns each login's initial password once")
def create_temp_batch(body: out.TempBatchBody, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).onboard(body.name, body.csv, body.expires_at, p.username, body.crisis_id)


@router.get("/batches/{batch_id}", response_model=out.TempBatch, summary="One batch")
def get_temp_batch(c: C, p: P, batch_id: str = BatchId) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).get(batch_id)


@router.delete("/batches/{batch_id}", response_model=out.TempBatch,
               summary="Remove a batch in one step: agents logged out of routing, logins disabled, agent documents "
                       "deleted (history, events and audit kept); 409 if already removed")
def remove_temp_batch(c: C, p: P, batch_id: str = BatchId) -> dict[str, Any]:
    p.require("supervisor")
    return _svc(c).remove(batch_id, p.username)

"""Response models shared by every router: the error body and the small acknowledgements."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error answer of the API (4xx and 5xx): a stable code and a human-readable message."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"error": "not_found", "detail": "contact c-42 does not exist"}]})

    error: str = Field(description="stable code: unauthenticated, forbidden, not_found, conflict, invalid, "
                                   "too_large, throttled, unavailable, http or internal")
    detail: str = Field(description="what was wrong, for a person")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="configuration documents (/api/config/...) only: each problem as "
                                  "{\"loc\": [field path], \"msg\": ...}; loc [] is the whole document")


class Deleted(BaseModel):
    deleted: str = Field(description="the id that was deleted")


class Health(BaseModel):
    status: str = Field(description="'ok' while the server answers")
    version: str
    last_seq: int = Field(description="sequence number of the last event the writer committed")
    role: str = Field(default="single", description="'single' (one node), or in a cluster 'leader' (routes) or "
                      "'standby' (forwards /api requests to the leader; ADR 0053)")
    listeners: dict[str, bool] = Field(
        default_factory=dict, description="the leader-only listeners and loops (smtp, imap:<mailbox>, dialing, "
        "crisis, callbacks, temp-agents) and whether each runs on this node: on the routing leader only (ADR 0063)")


class Readiness(BaseModel):
    status: str = Field(description="'ready' when the node can serve (else the answer is 503)")
    last_seq: int = Field(description="the last sequence number in the event store")
    checks: dict[str, str] = Field(description="each dependency's state: store, bus ('in-process' without Redis)")


def media(description: str, *media_types: str, binary: bool = True) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers a file rather than JSON: its media types and a string schema."""
    schema: dict[str, str] = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {200: {"description": description, "content": {m: {"schema": dict(schema)} for m in media_types}}}


def upload_body(*media_types: str, form: bool = True) -> dict[str, Any]:
    """``openapi_extra=`` of a route that reads its body itself: text in these media types (and a multipart
    field ``file`` when ``form``)."""
    content: dict[str, Any] = {m: {"schema": {"type": "string"}} for m in media_types}
    if form:
        content["multipart/form-data"] = {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}}}}
    return {"requestBody": {"required": True, "content": content}}

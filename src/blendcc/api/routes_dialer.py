"""Campaign endpoints: campaign CRUD, list import, DNC lists, start/pause/stop, records, stats."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from blendcc.api.deps import C, P, audit
from blendcc.api.models import common
from blendcc.api.models import dialer as out
from blendcc.app.container import Container
from blendcc.app.outbound.campaigns import CampaignService
from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.dnc import DncEntry
from blendcc.dialer.records import DialRecord, records_csv
from blendcc.domain.errors import DomainError, ValidationFailed

router = APIRouter(prefix="/api", tags=["campaigns"])

ID = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
SCOPE = Path(min_length=1, max_length=64, pattern=r"^(\*|[A-Za-z0-9_.\-]+)$",
             description="'global' (or '*') for the global list, else a campaign id")
REGION = Query(default=None, min_length=2, max_length=2, description="ISO region for national numbers")
MAX_UPLOAD = 50 * 1024 * 1024


class StateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=200)


class DncNumberBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=200)
    region: str | None = Field(default=None, min_length=2, max_length=2,
                               description="for national numbers (default: the campaign's region; global: US)")


class DispositionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: str = Field(min_length=1, max_length=64)
    callback_at: float | None = Field(default=None, ge=0, le=4_102_444_800, description="UTC epoch seconds "
                                      "(before 2100)")
    personal: bool = False
    agent_id: str | None = Field(default=None, max_length=64)


class Unavailable(DomainError):
    code = "unavailable"


def _svc(c: Container) -> CampaignService:
    if c.campaigns is None:
        raise Unavailable("the dialer is not configured in this deployment")
    return c.campaigns


def _campaign(svc: CampaignService, doc: CampaignConfig) -> dict[str, Any]:
    return {**doc.model_dump(mode="json"), "state": svc.state(doc.id)}


def _record(r: DialRecord) -> dict[str, Any]:
    return r.to_dict()


def _dnc(e: DncEntry) -> dict[str, Any]:
    return {"scope": "global" if e.scope == "*" else e.scope, "phone": e.phone, "reason": e.reason,
            "added_at": e.added_at}


async def _upload(request: Request) -> tuple[str, str]:
    """The uploaded text and its name: a raw body (text/csv, text/plain) or multipart field 'file'."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        item = form.get("file")
        if item is None or isinstance(item, str):
            raise ValidationFailed("multipart upload needs a file field named 'file'")
        data = await item.read()
        name = item.filename or "upload"
    else:
        data = await request.body()
        name = "upload"
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(f"the upload is larger than {MAX_UPLOAD // (1024 * 1024)} MB; split it")
    if not data.strip():
        raise ValidationFailed("the upload is empty")
    if b"\x00" in data:  # PostgreSQL cannot store NUL; no list or DNC file has one
        raise ValidationFailed("the file holds NUL characters (0x00): it is not a text file")
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252"), name
        except UnicodeDecodeError:
            raise ValidationFailed("the file is neither UTF-8 nor Windows-1252 text") from None


# ---------------------------------------------------------------------- campaigns


@router.get("/campaigns", response_model=list[out.CampaignOut], summary="List campaigns with their state")
def list_campaigns(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    svc = _svc(c)
    return [_campaign(svc, d) for d in svc.campaigns()]


@router.get("/campaigns/{campaign_id}", response_model=out.CampaignOut)
def get_campaign(c: C, p: P, campaign_id: str = ID) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    return _campaign(svc, svc.get(campaign_id))


@router.put("/campaigns/{campaign_id}", response_model=out.CampaignVersion,
            summary="Create or replace a campaign (new version)")
def put_campaign(c: C, p: P, campaign_id: str = ID, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    p.require("admin")
    svc = _svc(c)
    doc, version = svc.put(campaign_id, body, p.username)
    audit(c, p, "config_changed", f"campaigns/{campaign_id}", version=version)
    return {"version": version, "document": _campaign(svc, doc)}


@router.delete("/campaigns/{campaign_id}", response_model=common.Deleted, summary="Delete a stopped campaign")
def delete_campaign(c: C, p: P, campaign_id: str = ID) -> dict[str, Any]:
    p.require("admin")
    _svc(c).delete(campaign_id, p.username)
    audit(c, p, "config_deleted", f"campaigns/{campaign_id}")
    return {"deleted": campaign_id}


def _change(c: Container, p: Any, campaign_id: str, action: str, body: StateBody | None) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    reason = (body.reason if body is not None else None) or f"{action} by {p.username}"
    fn = {"start": svc.start, "pause": svc.pause, "stop": svc.stop}[action]
    return {"campaign_id": campaign_id, "state": fn(campaign_id, reason)}


@router.post("/campaigns/{campaign_id}/start", response_model=out.CampaignStateChange,
             summary="Start (or resume) dialing a campaign")
def start(c: C, p: P, campaign_id: str = ID, body: StateBody | None = None) -> dict[str, Any]:
    return _change(c, p, campaign_id, "start", body)


@router.post("/campaigns/{campaign_id}/pause", response_model=out.CampaignStateChange,
             summary="Pause a running campaign")
def pause(c: C, p: P, campaign_id: str = ID, body: StateBody | None = None) -> dict[str, Any]:
    return _change(c, p, campaign_id, "pause", body)


@router.post("/campaigns/{campaign_id}/stop", response_model=out.CampaignStateChange, summary="Stop a campaign")
def stop(c: C, p: P, campaign_id: str = ID, body: StateBody | None = None) -> dict[str, Any]:
    return _change(c, p, campaign_id, "stop", body)


@router.get("/campaigns/{campaign_id}/state", response_model=out.CampaignState)
def campaign_state(c: C, p: P, campaign_id: str = ID) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    svc.get(campaign_id)
    return {"campaign_id": campaign_id, **svc.states()[campaign_id]}


# ---------------------------------------------------------------------- lists and records


@router.post("/campaigns/{campaign_id}/lists", response_model=out.ListImportOut,
             summary="Import a CSV contact list (body or multipart 'file')",
             openapi_extra=common.upload_body("text/csv"))
async def import_list(request: Request, c: C, p: P, campaign_id: str = ID, region: str | None = REGION,
                      source: str | None = Query(default=None, max_length=200)) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    text, name = await _upload(request)
    report = await run_in_threadpool(svc.import_list, campaign_id, text, source or name, region)
    return report.to_dict()


@router.get("/campaigns/{campaign_id}/lists", response_model=list[out.ListImportOut],
            summary="Past list imports and their reports")
def list_imports(c: C, p: P, campaign_id: str = ID) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [r.to_dict() for r in _svc(c).imports(campaign_id)]


@router.get("/campaigns/{campaign_id}/records", response_model=out.RecordPage)
def records(c: C, p: P, campaign_id: str = ID, state: str | None = Query(default=None, max_length=20),
            limit: int = Query(default=100, ge=1, le=1000),
            offset: int = Query(default=0, ge=0, le=10_000_000)) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    rows = svc.records(campaign_id, state, limit, offset)
    return {"counts": svc.repo.record_counts(campaign_id), "records": [_record(r) for r in rows]}


@router.get("/campaigns/{campaign_id}/records.csv", response_class=Response,
            responses=common.media("The records as CSV", "text/csv", binary=False),
            summary="Every record of a campaign as CSV (state, attempts, outcome, the list's columns)")
def export_records(c: C, p: P, campaign_id: str = ID) -> PlainTextResponse:
    p.require("supervisor")
    svc = _svc(c)
    rows = svc.records(campaign_id, limit=None)
    audit(c, p, "data_exported", f"campaigns/{campaign_id}/records.csv", rows=len(rows))
    return PlainTextResponse(records_csv(rows), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{campaign_id}-records.csv"'})


@router.get("/campaigns/{campaign_id}/records/{record_id}", response_model=out.DialRecordOut,
            summary="One record (supervisors; agents of the campaign's pool, for the screen pop)")
def record(c: C, p: P, campaign_id: str = ID, record_id: str = Path(min_length=1, max_length=64)) -> dict[str, Any]:
    svc = _svc(c)
    if not p.at_least("supervisor"):
        svc.check_queue_agent(campaign_id, p.agent_id)
    return _record(svc.record(campaign_id, record_id))


def _queue_member(c: C, p: P, campaign_id: str = ID) -> None:
    """A supervisor, or an agent of the campaign's queue: 403 before the body is validated (a dependency
    runs before FastAPI checks the body), like reading the record."""
    if p.at_least("supervisor"):
        return
    if p.agent_id is None:
        p.require("supervisor")
    _svc(c).check_queue_agent(campaign_id, p.agent_id)


@router.post("/campaigns/{campaign_id}/records/{record_id}/disposition", response_model=out.DialRecordOut,
             summary="Apply a wrap-up code to a record (callback, retry, dnc, done...): a supervisor, or the "
                     "agent holding the record's call or preview")
def dispose(body: DispositionBody, c: C, p: P, _member: Annotated[None, Depends(_queue_member)],
            campaign_id: str = ID, record_id: str = Path(min_length=1, max_length=64)) -> dict[str, Any]:
    supervisor = p.at_least("supervisor")
    svc = _svc(c)
    if body.callback_at is not None and not math.isfinite(body.callback_at):
        raise ValidationFailed("callback_at must be a finite epoch time")
    personal = (body.agent_id or p.agent_id) if body.personal else None
    if body.personal and personal is None:
        raise ValidationFailed("a personal callback needs agent_id (or an agent user)")
    if supervisor:
        updated = svc.dispose(campaign_id, record_id, body.disposition, callback_at=body.callback_at,
                              personal_agent=personal)
    else:
        assert p.agent_id is not None
        updated = svc.dispose_as_agent(campaign_id, record_id, p.agent_id, body.disposition,
                                       callback_at=body.callback_at, personal_agent=personal)
    return _record(updated)


@router.delete("/campaigns/{campaign_id}/records", response_model=out.RecordsCleared,
               summary="Delete every record of a stopped campaign")
def clear_records(c: C, p: P, campaign_id: str = ID) -> dict[str, Any]:
    p.require("admin")
    return {"deleted": _svc(c).clear_records(campaign_id)}


# ---------------------------------------------------------------------- stats


@router.get("/campaigns/{campaign_id}/stats", response_model=out.CampaignStats,
            summary="Campaign figures and abandonment (24 h, 30 d)")
def stats(c: C, p: P, campaign_id: str = ID, start: float | None = Query(default=None, allow_inf_nan=False),
          end: float | None = Query(default=None, allow_inf_nan=False)) -> dict[str, Any]:
    p.require("supervisor")
    for name, v in (("start", start), ("end", end)):
        if v is not None and not math.isfinite(v):
            raise ValidationFailed(f"{name} must be a finite epoch time")
    return _svc(c).stats(campaign_id, start, end).to_dict()


# ---------------------------------------------------------------------- DNC


@router.post("/dnc/{scope}", response_model=out.DncImport,
             summary="Import a DNC file (one number per line, or CSV with 'phone')",
             openapi_extra=common.upload_body("text/plain", "text/csv"))
async def import_dnc(request: Request, c: C, p: P, scope: str = SCOPE, region: str | None = REGION,
                     reason: str = Query(default="", max_length=200)) -> dict[str, Any]:
    p.require("supervisor")
    svc = _svc(c)
    text, _ = await _upload(request)
    result = await run_in_threadpool(svc.import_dnc, scope, text, region, reason)
    return {**result, "scope": "global" if result["scope"] == "*" else result["scope"]}


@router.get("/dnc/{scope}", response_model=list[out.DncEntryOut])
def dnc_entries(c: C, p: P, scope: str = SCOPE, limit: int = Query(default=100, ge=1, le=1000),
                offset: int = Query(default=0, ge=0, le=10_000_000)) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [_dnc(e) for e in _svc(c).dnc_entries(scope, limit, offset)]


@router.post("/dnc/{scope}/numbers", response_model=out.DncEntryOut,
             status_code=201, summary="Add one number to a DNC list")
def add_dnc(body: DncNumberBody, c: C, p: P, scope: str = SCOPE) -> dict[str, Any]:
    p.require("supervisor")
    return _dnc(_svc(c).add_dnc(scope, body.phone, body.region, body.reason))


@router.delete("/dnc/{scope}/numbers/{phone}", response_model=out.DncRemoved,
               summary="Remove one number from a DNC list")
def remove_dnc(c: C, p: P, scope: str = SCOPE, phone: str = Path(min_length=1, max_length=40),
               region: str | None = REGION) -> dict[str, Any]:
    p.require("admin")
    _svc(c).remove_dnc(scope, phone, region)
    return {"removed": phone}

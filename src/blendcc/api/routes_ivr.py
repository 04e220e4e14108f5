"""IVR endpoints: prompt upload/rendering and audio, and flow simulation for flow authors.

Flows themselves are configuration documents: PUT/GET/DELETE /api/config/ivr_flows/{id}.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from blendcc.adapters.prompts import PromptStore, prompt_directory
from blendcc.api.deps import C, P
from blendcc.api.models import common
from blendcc.api.models import sim as out
from blendcc.app.admin.configuration import pydantic_message
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.customer import IdentityKind
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ivr.flow import DTMF, LANGUAGE_PATTERN, PROMPT_ID_PATTERN, IvrFlow, PromptRef
from blendcc.ivr.messages import Action, CallerHungUp, Dtmf, Event, LookupResult, PromptFinished, QueueUpdate, Timeout
from blendcc.ivr.script import ScriptInput, flow_warnings, run_script
from blendcc.ivr.session import IvrContext

router = APIRouter(prefix="/api/ivr", tags=["ivr"])
PROMPT_ID = Path(min_length=1, max_length=64, pattern=PROMPT_ID_PATTERN)
MAX_INPUTS = 500


def prompt_store(request: Request) -> PromptStore:
    """The app's prompt store (settings ``prompts_dir``, else ``prompt_cache_dir``, unless one was attached)."""
    store = getattr(request.app.state, "ivr_prompts", None)
    if store is None:
        c = request.app.state.container
        store = PromptStore(prompt_directory(c.settings))
        request.app.state.ivr_prompts = store
    assert isinstance(store, PromptStore)
    return store


# ---------------------------------------------------------------------- prompts


class TextPrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN)
    voice: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


@router.post("/prompts", response_model=out.PromptInfo,
             status_code=201, summary="Render text (JSON) or convert an uploaded WAV file",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": TextPrompt.model_json_schema()},
                 "audio/wav": {"schema": {"type": "string", "format": "binary"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}, "prompt_id": {"type": "string"}}}}}}})
async def create_prompt(request: Request, c: C, p: P,
                        prompt_id: str | None = Query(default=None, min_length=1, max_length=64,
                                                      pattern=PROMPT_ID_PATTERN)) -> dict[str, Any]:
    """JSON ``{"text", "language", "voice"}`` is spoken by espeak-ng (the same text is rendered once);
    a WAV body (``audio/wav``) or a multipart field ``file`` is converted with sox. Either way the
    prompt is 8 kHz mono 16-bit PCM; use its ``id`` as ``prompt_id`` in flows."""
    p.require("admin")
    store = prompt_store(request)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            body = TextPrompt.model_validate(json.loads(await request.body()))
        except ValidationError as exc:
            raise ValidationFailed(pydantic_message(exc)) from None
        except ValueError:
            raise ValidationFailed("body: not valid JSON") from None
        info = await run_in_threadpool(store.render, body.text, body.language, body.voice)
        return info.view()
    name: str | None = None
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        item = form.get("file")
        if item is None or isinstance(item, str):
            raise ValidationFailed("multipart upload needs a file field named 'file'")
        data = await item.read()
        name = item.filename
        field_id = form.get("prompt_id")
        if isinstance(field_id, str) and field_id:
            prompt_id = field_id
    else:
        data = await request.body()
    info = await run_in_threadpool(store.upload, data, prompt_id, name)
    return info.view()


@router.get("/prompts", response_model=list[out.PromptInfo], summary="Every prompt")
def list_prompts(request: Request, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return [i.view() for i in prompt_store(request).list()]


@router.get("/prompts/{prompt_id}", response_model=out.PromptInfo, summary="One prompt: source, text, language, length")
def get_prompt(request: Request, p: P, prompt_id: str = PROMPT_ID) -> dict[str, Any]:
    p.require("supervisor")
    return prompt_store(request).info(prompt_id).view()


@router.get("/prompts/{prompt_id}/audio", summary="The prompt's audio: WAV, or raw G.711 (ulaw/alaw)",
            response_class=Response,
            responses=common.media("The audio", "audio/wav", "audio/basic", "audio/x-alaw-basic"))
def prompt_audio(request: Request, p: P, prompt_id: str = PROMPT_ID,
                 format: Literal["wav", "ulaw", "alaw"] = "wav") -> Response:
    p.require("supervisor")
    data = prompt_store(request).encoded(prompt_id, format)
    media = {"wav": "audio/wav", "ulaw": "audio/basic", "alaw": "audio/x-alaw-basic"}[format]
    return Response(data, media_type=media)


@router.delete("/prompts/{prompt_id}", response_model=common.Deleted, summary="Delete a prompt")
def delete_prompt(request: Request, p: P, prompt_id: str = PROMPT_ID) -> dict[str, Any]:
    p.require("admin")
    prompt_store(request).delete(prompt_id)
    return {"deleted": prompt_id}


# ---------------------------------------------------------------------- simulation


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_known: bool = True
    tier: str | None = None
    customer_id: str | None = None


class QueueState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int | None = Field(default=None, ge=0)
    expected_wait_s: float | None = Field(default=None, ge=0, le=86400 * 7, allow_inf_nan=False)


class ScriptItem(BaseModel):
    """One input; exactly one of the event fields. ``after_s``: seconds since the previous input."""

    model_config = ConfigDict(extra="forbid")

    dtmf: str | None = Field(default=None, min_length=1, max_length=64)
    timeout: bool = False
    hangup: bool = False
    prompt_finished: bool = False
    lookup: Customer | None = None
    queue: QueueState | None = None
    after_s: float = Field(default=1.0, ge=0, le=86400, allow_inf_nan=False)


class SimulateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[str | ScriptItem] = Field(default_factory=list, max_length=MAX_INPUTS,
                                           description="'1', '4556...#', 'timeout', 'hangup', or objects")
    caller_id: str | None = Field(default=None, max_length=64)
    dialled: str | None = Field(default=None, max_length=64)
    at: float | None = Field(default=None, ge=0, le=253402300799, allow_inf_nan=False,
                             description="epoch seconds of the call (default: now)")
    customer: Customer | None = Field(default=None,
                                      description="answer to lookups (default: the customer store, by phone)")
    attributes: dict[str, Any] = Field(default_factory=dict)


class SimulateInline(SimulateRequest):
    flow: dict[str, Any]


def _event(item: str | ScriptItem) -> ScriptInput:
    if isinstance(item, str):
        word = item.strip().lower()
        named: dict[str, Event] = {"timeout": Timeout(), "hangup": CallerHungUp(),
                                   "prompt_finished": PromptFinished()}
        if word in named:
            return ScriptInput(named[word])
        if word and all(ch in DTMF for ch in word):
            return ScriptInput(Dtmf(word))
        raise ValidationFailed(f"input {item!r}: DTMF keys (0-9 * #), 'timeout', 'hangup' or 'prompt_finished'")
    chosen: list[Event] = []
    if item.dtmf is not None:
        if not all(ch in DTMF for ch in item.dtmf):
            raise ValidationFailed(f"dtmf {item.dtmf!r}: only 0-9, * and #")
        chosen.append(Dtmf(item.dtmf))
    if item.timeout:
        chosen.append(Timeout())
    if item.hangup:
        chosen.append(CallerHungUp())
    if item.prompt_finished:
        chosen.append(PromptFinished())
    if item.lookup is not None:
        chosen.append(LookupResult(item.lookup.customer_known, item.lookup.tier, item.lookup.customer_id))
    if item.queue is not None:
        chosen.append(QueueUpdate(item.queue.position, item.queue.expected_wait_s))
    if len(chosen) != 1:
        raise ValidationFailed("each input object needs exactly one of dtmf, timeout, hangup, prompt_finished, "
                               "lookup, queue")
    return ScriptInput(chosen[0], item.after_s)


def action_view(action: Action) -> dict[str, Any]:
    """An action as JSON: ``{"type": "Play", "prompt": {...}, "loop": false}``."""
    out: dict[str, Any] = {"type": type(action).__name__}
    for f in fields(action):
        value = getattr(action, f.name)
        if isinstance(value, PromptRef):
            value = value.model_dump(exclude_none=True)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[f.name] = value
    return out


def event_view(event: Event | None) -> dict[str, Any] | None:
    if event is None:
        return None
    return {"type": type(event).__name__, **{f.name: getattr(event, f.name) for f in fields(event)}}


def _simulate(c: Any, request: Request, flow: IvrFlow, body: SimulateRequest) -> dict[str, Any]:
    inputs = [_event(i) for i in body.inputs]
    calendars = {d.id: d for d in c.config.list("calendars") if isinstance(d, BusinessHours)}
    store = prompt_store(request)

    def exists(pid: str) -> bool:
        try:
            store.path(pid)
        except NotFound:
            return False
        return True

    def lookup(number: str) -> LookupResult:
        if body.customer is not None:
            return LookupResult(body.customer.customer_known, body.customer.tier, body.customer.customer_id)
        try:
            found = c.customers.find(IdentityKind.PHONE, number)
        except (NotFound, ValueError, ValidationFailed):
            return LookupResult(False)
        return LookupResult(True, found.get("tier"), found.get("id"))

    context = IvrContext(caller_id=body.caller_id, dialled=body.dialled, attributes=body.attributes,
                         calendars=calendars)
    at = body.at if body.at is not None else c.clock.now()
    run = run_script(flow, context, inputs, at, lookup)
    assert run.session is not None
    return {
        "flow_id": flow.id,
        "warnings": flow_warnings(flow, set(calendars), exists),
        "steps": [{"input": event_view(s.input), "automatic": s.automatic, "at": s.at, "node": s.node,
                   "status": s.status, "actions": [action_view(a) for a in s.actions]} for s in run.steps],
        "session": run.session.view(),
    }


@router.post("/flows/{flow_id}/simulate", response_model=out.IvrSimulation,
             summary="Run a stored flow over a list of caller inputs")
def simulate_stored(body: SimulateRequest, request: Request, c: C, p: P,
                    flow_id: str = Path(min_length=1, max_length=64)) -> dict[str, Any]:
    """Each step lists the actions the flow asks for; prompts of play nodes finish at once and caller
    lookups are answered from ``customer`` or the customer store. The final session holds the choices
    (``ivr``) the contact would carry into routing."""
    p.require("supervisor")
    flow = c.config.get("ivr_flows", flow_id)
    assert isinstance(flow, IvrFlow)
    return _simulate(c, request, flow, body)


@router.post("/simulate", response_model=out.IvrSimulation, summary="Run a flow document that is not saved yet")
def simulate_inline(body: SimulateInline, request: Request, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    try:
        flow = IvrFlow.model_validate({"id": "draft", **body.flow})
    except ValidationError as exc:
        raise ValidationFailed(pydantic_message(exc)) from None
    return _simulate(c, request, flow, body)

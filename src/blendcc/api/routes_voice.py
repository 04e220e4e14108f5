"""Voice channel endpoints: live calls, phones, recordings (on demand, download), listen-in, consulted transfer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, audit
from blendcc.api.models import common
from blendcc.api.models import voice as out
from blendcc.domain.errors import InvalidState, NotFound

router = APIRouter(prefix="/api/voice", tags=["voice"])


def _stack(c: Any) -> Any:
    if c.voice is None:
        raise InvalidState("voice is not enabled on this server (BLENDCC_SIP_ENABLED=true)")
    return c.voice


class RecordingAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["start", "stop"]


class ListenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=1, max_length=64, description="SIP user whose registered phone is rung")


@router.get("/calls", response_model=list[out.LiveCall], summary="Live voice calls handled by this server")
def calls(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    stack = _stack(c)
    return stack.call(stack.voice.view)  # type: ignore[no-any-return]


@router.get("/phones", response_model=list[out.Phone], summary="Registered SIP phones (agent and supervisor users)")
def phones(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return _stack(c).phones()  # type: ignore[no-any-return]


@router.post("/contacts/{contact_id}/recording", response_model=out.Recording, response_model_exclude_unset=True,
             summary="Start or stop recording a connected call (on demand)")
def recording(contact_id: str, body: RecordingAction, c: C, p: P) -> dict[str, Any]:
    stack = _stack(c)
    if not p.at_least("supervisor") and not (p.agent_id and c.agents.owns(p.agent_id, contact_id)):
        p.require("supervisor")
    fn = stack.voice.start_recording if body.action == "start" else stack.voice.stop_recording
    return stack.call(lambda: fn(contact_id))  # type: ignore[no-any-return]


@router.get("/contacts/{contact_id}/recordings", response_model=list[out.RecordingLink],
            response_model_exclude_unset=True, summary="Recordings of a contact")
def recordings(contact_id: str, c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    stack = _stack(c)
    out = stack.call(lambda: stack.voice.recordings(contact_id))
    return [{k: v for k, v in r.items() if k != "path"} | {"url": _url(r)} for r in out]


def _url(r: dict[str, Any]) -> str:
    return f"/api/voice/{r['file']}" if r.get("kind") == "voicemail" else f"/api/voice/recordings/{r['file']}"


@router.get("/voicemail", response_model=list[out.Voicemail],
            summary="Voicemail messages (all mailboxes or one), newest first")
def voicemails(c: C, p: P, mailbox: str | None = None) -> list[dict[str, Any]]:
    p.require("supervisor")
    out = _stack(c).voice.voicemails(mailbox)
    return [m | {"url": f"/api/voice/{m['file']}"} for m in out]


@router.get("/voicemail/{mailbox}/{name}", summary="Download a voicemail message (WAV)", response_class=Response,
            responses=common.media("The message", "audio/wav"))
def voicemail_download(mailbox: str, name: str, c: C, p: P) -> FileResponse:
    p.require("supervisor")
    path = _stack(c).voice.voicemail_file(mailbox, name)
    audit(c, p, "voicemail_downloaded", f"{mailbox}/{name}")
    return FileResponse(path, media_type="audio/wav", filename=name)


@router.get("/callbacks", response_model=list[out.CallbackAttempt],
            summary="Recent call-back attempts and their outcomes (newest last)")
def callbacks(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    stack = _stack(c)
    return stack.call(lambda: list(stack.voice.callback_log))  # type: ignore[no-any-return]


@router.get("/recordings/{name}", summary="Download a recording (WAV)", response_class=Response,
            responses=common.media("The recording", "audio/wav"))
def download(name: str, c: C, p: P) -> FileResponse:
    p.require("supervisor")
    stack = _stack(c)
    folder = Path(stack.settings.recording_dir).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or path.suffix != ".wav" or not path.is_file():
        raise NotFound(f"recording {name} does not exist")
    audit(c, p, "recording_downloaded", name)
    return FileResponse(path, media_type="audio/wav", filename=name)


@router.post("/contacts/{contact_id}/listen", response_model=out.ListenInStarted,
             summary="Supervisor listen-in: ring a phone that hears both sides")
def listen(contact_id: str, body: ListenIn, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    stack = _stack(c)
    out = stack.call(lambda: stack.voice.listen_in(contact_id, body.phone))
    audit(c, p, "call_listened", contact_id, phone=body.phone)
    return out  # type: ignore[no-any-return]


class Consult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent: str = Field(min_length=1, max_length=64, description="the agent to consult (its phone rings)")


def _agent_of(p: Any) -> str:
    if p.agent_id is None:
        raise InvalidState("consulted transfers are made by the agent holding the call (an agent user)")
    return str(p.agent_id)


@router.post("/contacts/{contact_id}/consult", response_model=out.ConsultStarted,
             summary="Consulted transfer: hold the caller, ring an agent")
def consult(contact_id: str, body: Consult, c: C, p: P) -> dict[str, Any]:
    stack, agent = _stack(c), _agent_of(p)
    return stack.call(lambda: stack.voice.consult(contact_id, agent, body.agent))  # type: ignore[no-any-return]


@router.post("/contacts/{contact_id}/consult/complete", response_model=out.ConsultCompleted,
             summary="Hand the caller to the consulted agent")
def consult_complete(contact_id: str, c: C, p: P) -> dict[str, Any]:
    stack, agent = _stack(c), _agent_of(p)
    return stack.call(lambda: stack.voice.complete_consult(contact_id, agent))  # type: ignore[no-any-return]


@router.post("/contacts/{contact_id}/consult/cancel", response_model=out.ConsultCancelled,
             summary="End the consultation and take the caller back")
def consult_cancel(contact_id: str, c: C, p: P) -> dict[str, Any]:
    stack, agent = _stack(c), _agent_of(p)
    return stack.call(lambda: stack.voice.cancel_consult(contact_id, agent))  # type: ignore[no-any-return]

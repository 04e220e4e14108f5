"""Web chat over HTTP and the ``/ws/webchat`` WebSocket (docs/webchat.md): public routes (the session's own
token where one is needed, throttled by client address), and the agent's typing and read marks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Path, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from blendcc.api.deps import AgentP, C, may_see_contact
from blendcc.api.models import webchat as m
from blendcc.api.uploads import multipart_file
from blendcc.api.ws_auth import receive_text
from blendcc.app.admin.auth import RateLimited
from blendcc.app.channels.webchat.service import WebchatService
from blendcc.app.container import Container
from blendcc.domain.errors import DomainError, InvalidState, Unauthenticated, ValidationFailed
from blendcc.domain.throttle import Throttle, ThrottlePolicy
from blendcc.domain.webchat import ChatSession

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["webchat"])
ws_router = APIRouter()

INSTANCE = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
SESSION = Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
#: the first frame must come within this time (else close 4401)
HELLO_TIMEOUT_S = 10.0
#: a bigger client frame closes the socket with 1009
MAX_FRAME_BYTES = 64 * 1024
SEND_QUEUE = 1000


def _service(c: Container) -> WebchatService:
    if not isinstance(c.webchat, WebchatService):
        raise InvalidState("web chat is not wired in this server")
    return c.webchat


def _throttle(request: Request, c: Container, what: str) -> None:
    """At most ``webchat_throttle_free`` session or offline requests per client address before back-off."""
    throttle = getattr(request.app.state, "webchat_throttle", None)
    if throttle is None:
        policy = ThrottlePolicy(free_failures=c.settings.webchat_throttle_free, base_delay_s=1.0, max_delay_s=300.0,
                                forget_after_s=600.0)
        throttle = Throttle(c.clock, {"webchat-addr": policy})
        request.app.state.webchat_throttle = throttle
    key = ("webchat-addr", f"{what}:{request.client.host if request.client else '?'}")
    wait = throttle.retry_after([key])
    if wait > 0:
        raise RateLimited(f"too many web-chat {what} requests from this address; wait {wait:.0f} s", wait)
    throttle.failed([key])


def _bearer(request: Request, service: WebchatService, session_id: str) -> ChatSession:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the chat session's token: 'Authorization: Bearer <token>'")
    return service.authenticate(session_id, token.strip())


# ---------------------------------------------------------------------- public HTTP


@router.get("/webchat/{instance}/config", response_model=m.WebchatConfig, name="webchat_config",
            summary="A web-chat widget's look, topics and whether the centre is open (public)")
def webchat_config(c: C, instance: str = INSTANCE) -> dict[str, Any]:
    return _service(c).config(instance)


@router.post("/webchat/{instance}/sessions", response_model=m.SessionCreated, status_code=201,
             name="webchat_session", summary="Start a chat with the pre-chat answers (public, throttled); "
                                              "409 'closed' outside business hours")
def webchat_session(body: m.NewSession, request: Request, c: C, instance: str = INSTANCE) -> dict[str, Any]:
    service = _service(c)
    service.instance(instance)
    _throttle(request, c, "session")
    session, token = service.start(instance, body.name, body.email, body.phone, body.topic, body.language)
    if c.kb_usage is not None:
        c.kb_usage.contacted(body.help_session, session.id)
    return {"session_id": session.id, "token": token, "expires_at": session.expires_at}


@router.post("/webchat/{instance}/offline", response_model=m.OfflineAccepted, status_code=202,
             name="webchat_offline", summary="The offline form: becomes an email conversation (public, throttled)")
def webchat_offline(body: m.OfflineMessage, request: Request, c: C, instance: str = INSTANCE) -> dict[str, Any]:
    service = _service(c)
    service.instance(instance)
    _throttle(request, c, "offline")
    reference = service.offline(instance, body.name, body.email, body.topic, body.message)
    if c.kb_usage is not None:
        c.kb_usage.contacted(body.help_session, reference)
    return {"reference": reference}


@router.post("/webchat/sessions/{session_id}/attachments", response_model=m.AttachmentOut, status_code=201,
             name="webchat_upload", summary="Upload a file to send in the chat (the session's bearer token)",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def webchat_upload(request: Request, c: C, session_id: str = SESSION) -> dict[str, Any]:
    service = _service(c)
    await run_in_threadpool(_bearer, request, service, session_id)
    file = await multipart_file(request)
    return await run_in_threadpool(service.attach, session_id, file.name, file.media_type, file.data)


@router.get("/webchat/sessions/{session_id}/attachments/{attachment_id}", name="webchat_download",
            response_class=Response, responses={200: {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}},
            summary="A file of the chat (the session's bearer token)")
def webchat_download(request: Request, c: C, session_id: str = SESSION,
                     attachment_id: str = Path(min_length=1, max_length=100)) -> Response:
    service = _service(c)
    _bearer(request, service, session_id)
    info, data = service.attachment(session_id, attachment_id)
    name = str(info.get("name") or "file").replace('"', "")
    return Response(data, media_type=str(info.get("media_type") or "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})


@router.post("/webchat/sessions/{session_id}/transcript", response_model=m.TranscriptAccepted, status_code=202,
             name="webchat_transcript", summary="Email the transcript (the session's bearer token)")
def webchat_transcript(request: Request, c: C, body: m.TranscriptRequest | None = None,
                       session_id: str = SESSION) -> dict[str, Any]:
    service = _service(c)
    _bearer(request, service, session_id)
    return {"to": service.transcript(session_id, body.email if body else None)}


# ---------------------------------------------------------------------- the agent's side


@router.post("/contacts/{contact_id}/typing", response_model=m.TypingSent, name="contact_typing", tags=["messages"],
             summary="The agent is typing (or stopped) in a web chat: shown to the customer")
def contact_typing(contact_id: str, body: m.Typing, c: C, p: AgentP) -> dict[str, Any]:
    may_see_contact(c, p, contact_id)
    _service(c).agent_typing(contact_id, p.agent_id or "", body.on)
    return {"contact_id": contact_id, "on": body.on}


@router.post("/contacts/{contact_id}/read", response_model=m.ReadMarked, name="contact_read", tags=["messages"],
             summary="The agent read the customer's web-chat messages up to this one: marks shown to the customer")
def contact_read(contact_id: str, body: m.ReadMark, c: C, p: AgentP) -> dict[str, Any]:
    may_see_contact(c, p, contact_id)
    return {"contact_id": contact_id, "read": _service(c).agent_read(contact_id, p.agent_id or "", body.message_id)}


# ---------------------------------------------------------------------- the customer's socket


class _Outbox:
    """Frames from any thread into the socket's asyncio queue (in order)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(SEND_QUEUE)

    def push(self, frame: dict[str, Any]) -> None:
        def put() -> None:
            try:
                self.queue.put_nowait(frame)
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueFull):
                    self.queue.put_nowait(None)

        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(put)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message[:300]}


@ws_router.websocket("/ws/webchat")
async def webchat_socket(ws: WebSocket) -> None:
    container: Container = ws.app.state.container
    await ws.accept()
    service = container.webchat
    if not isinstance(service, WebchatService):
        await ws.close(code=1011, reason="web chat is not wired")
        return
    try:
        text = await asyncio.wait_for(receive_text(ws), HELLO_TIMEOUT_S)
    except TimeoutError:
        await ws.close(code=4401, reason="send {type: hello, session_id, token} first")
        return
    except WebSocketDisconnect:
        return
    hello = _object(text)
    if hello is None or hello.get("type") != "hello" or not isinstance(hello.get("session_id"), str) \
            or not isinstance(hello.get("token"), str):
        await ws.close(code=4401, reason="first frame must be {type: hello, session_id, token}")
        return
    after = hello.get("after") or 0
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        after = 0
    try:
        session = await run_in_threadpool(service.authenticate, hello["session_id"], hello["token"])
    except DomainError as exc:
        await ws.close(code=4401, reason=exc.message[:120])
        return
    outbox = _Outbox(asyncio.get_running_loop())
    remove = service.listen(session.id, outbox.push)
    try:
        welcome = await run_in_threadpool(service.welcome, service.session(session.id), after)
        await ws.send_text(json.dumps(welcome))
        sender = asyncio.create_task(_send(ws, outbox, welcome["seq"]))
        try:
            await _read(ws, service, session.id, outbox.push)
        finally:
            sender.cancel()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        remove()


async def _send(ws: WebSocket, outbox: _Outbox, welcomed: int) -> None:
    """Pump pushed frames to the socket (messages already in the welcome are not sent twice)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            frame = await outbox.queue.get()
            if frame is None:
                await ws.close(code=1013, reason="client too slow; reconnect")
                return
            message = frame.get("message")
            if frame.get("type") == "message" and isinstance(message, dict) \
                    and int(message.get("seq") or 0) <= welcomed:
                continue
            await ws.send_text(json.dumps(frame, default=str))


async def _read(ws: WebSocket, service: WebchatService, session_id: str,
                push: Callable[[dict[str, Any]], None]) -> None:
    while True:
        text = await receive_text(ws)
        if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
            await ws.close(code=1009, reason=f"frame larger than {MAX_FRAME_BYTES} bytes")
            return
        frame = _object(text)
        if frame is None:
            push(_error("invalid", "a frame is a JSON object"))
            continue
        try:
            if frame.get("type") == "message" and await _message(service, session_id, frame, push):
                continue
            reply = await run_in_threadpool(_handle, service, session_id, frame, push)
        except DomainError as exc:
            reply = _error(exc.code, exc.message)
        except (KeyError, TypeError, ValueError) as exc:
            reply = _error("invalid", f"bad frame: {exc}")
        if reply is not None:
            push(reply)


async def _message(service: WebchatService, session_id: str, frame: dict[str, Any],
                   push: Callable[[dict[str, Any]], None]) -> bool:
    """A message frame on the hot path: handed to the writer and acknowledged when stored, without a
    thread of the pool waiting (False: the session needs the general path, e.g. its bot)."""
    client_id, body, attachments = _message_fields(frame)
    loop = asyncio.get_running_loop()
    stored: asyncio.Future[dict[str, Any] | BaseException] = loop.create_future()

    def done(outcome: dict[str, Any] | BaseException) -> None:
        def settle() -> None:
            if not stored.done():
                stored.set_result(outcome)

        with contextlib.suppress(RuntimeError):  # the loop closed (shutting down)
            loop.call_soon_threadsafe(settle)

    if not service.submit(session_id, client_id, body, attachments, push, done):
        return False
    outcome = await stored
    if isinstance(outcome, BaseException):
        raise outcome
    push({"type": "ack", "client_id": client_id, "message": outcome})
    return True


def _message_fields(frame: dict[str, Any]) -> tuple[str, str, list[str]]:
    client_id, body = frame.get("client_id"), frame.get("body", "")
    attachments = frame.get("attachments") or []
    if not isinstance(client_id, str) or not isinstance(body, str) or not isinstance(attachments, list) \
            or not all(isinstance(a, str) for a in attachments):
        raise ValidationFailed("a message frame is {type: message, client_id: str, body: str, attachments: [ids]}")
    if not body.strip() and not attachments:
        raise ValidationFailed("a message needs a body or an attachment")
    return client_id, body, attachments


def _handle(service: WebchatService, session_id: str, frame: dict[str, Any],
            push: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
    kind = frame.get("type")
    if kind == "ping":
        return {"type": "pong"}
    if kind == "message":
        client_id, body, attachments = _message_fields(frame)
        message = service.send(session_id, client_id, body, attachments, origin=push)
        return {"type": "ack", "client_id": client_id, "message": message}
    if kind == "typing":
        service.typing(session_id, bool(frame.get("on")))
        return None
    if kind == "read":
        message_id = frame.get("message_id")
        if not isinstance(message_id, str):
            raise ValidationFailed("a read frame names the message_id")
        service.read(session_id, message_id)
        return None
    if kind == "end":
        service.end(session_id, by="customer")
        return None
    if kind == "rate":
        score, comment = frame.get("score"), frame.get("comment")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise ValidationFailed("score is an integer from 1 to 5")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 2000):
            raise ValidationFailed("comment is a string of at most 2000 characters")
        service.rate(session_id, score, comment)
        return None
    raise ValidationFailed(f"unknown frame type {kind!r}")


def _object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

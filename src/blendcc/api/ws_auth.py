"""WebSocket authentication: the bearer subprotocol or a first auth message, re-auth, expiry and revocation.

Protocol (docs/security.md, "WebSockets"):
- ``Sec-WebSocket-Protocol: blendcc.v1, bearer.<token>``: the server answers with ``blendcc.v1``; or
- no bearer subprotocol: the first message, within ``ws_auth_timeout_s``, is ``{"type": "auth", "token": "..."}``
  and the server answers ``{"stream": "auth", "type": "Authenticated", "username": ..., "role": ...}``.
- ``{"type": "auth", "token": "..."}`` on an open socket replaces its token (a fresh token extends the socket's
  life; the same answer comes back).
- ``?token=`` in the URL is refused (4401) and never used. Close codes: 4401 not (or no longer) authenticated,
  4403 wrong role, 4400 a malformed handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from blendcc.app.admin.auth import Principal
from blendcc.app.container import Container
from blendcc.domain.errors import DomainError

SUBPROTOCOL = "blendcc.v1"
BEARER_PREFIX = "bearer."
QUERY_REFUSED = "token in the URL refused: send subprotocol bearer.<token> or a first {type: auth} message"

#: (close code, reason) when a principal may not use a stream, else None
Check = Callable[[Principal], "tuple[int, str] | None"]
Closing = tuple[int, str]
#: a stream's handler of one client message type (``SocketSession.handlers``), e.g. ``phone.answer``
Handler = Callable[[dict[str, Any]], Awaitable[None]]
log = logging.getLogger(__name__)


class SocketRegistry:
    """The open sockets by username, so that a revocation (any thread) wakes that user's sockets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, set[SocketSession]] = {}

    def add(self, session: SocketSession) -> None:
        with self._lock:
            self._by_user.setdefault(session.username, set()).add(session)

    def remove(self, session: SocketSession) -> None:
        with self._lock:
            sessions = self._by_user.get(session.username)
            if sessions is not None:
                sessions.discard(session)
                if not sessions:
                    del self._by_user[session.username]

    def count(self, username: str) -> int:
        with self._lock:
            return len(self._by_user.get(username, ()))

    def revoked(self, username: str) -> None:
        """``AuthService.on_revoked`` callback: the user's sockets re-verify their tokens now."""
        with self._lock:
            sessions = list(self._by_user.get(username, ()))
        for session in sessions:
            session.wake()


def registry_of(ws: WebSocket) -> SocketRegistry:
    registry: SocketRegistry = ws.app.state.sockets
    return registry


class SocketSession:
    """One authenticated socket: its current token, and a wake-up to re-verify it."""

    def __init__(self, ws: WebSocket, container: Container, token: str, principal: Principal, check: Check):
        self.ws = ws
        self.container = container
        self.token = token
        self.principal = principal
        self.check = check
        #: client message ``type`` -> the stream's handler (a stream adds its own: phone.*, ...)
        self.handlers: dict[str, Handler] = {}
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.subprotocol: str | None = None

    async def ready(self) -> None:
        """Complete the handshake (bearer subprotocol) or answer the first auth message: call it once the
        stream has subscribed to its events."""
        if self.ws.client_state.name == "CONNECTING":
            await self.ws.accept(subprotocol=self.subprotocol)
        else:
            await self.ws.send_text(json.dumps(authenticated(self.principal)))

    @property
    def username(self) -> str:
        return self.principal.username

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # the server's loop already closed: nothing left to wake
            self.loop.call_soon_threadsafe(self._wake.set)

    async def verify(self, token: str) -> Principal | Closing:
        try:
            who = await run_in_threadpool(self.container.auth.verify, token)
        except DomainError as exc:
            return 4401, exc.message[:120]
        refused = self.check(who)
        return refused if refused is not None else who

    async def watch(self) -> Closing:
        """Re-verify the token when woken (revocation) or every ``ws_recheck_s`` (expiry, other processes);
        return the close code and reason once it no longer verifies."""
        interval = self.container.settings.ws_recheck_s
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()
            result = await self.verify(self.token)
            if not isinstance(result, Principal):
                return result

    async def dispatch(self, text: str) -> bool:
        """Hand a client message whose ``type`` has a handler to it (a failing handler answers nothing and the
        socket stays open); False when no handler takes it."""
        if not self.handlers:
            return False
        message = _json_object(text)
        handler = self.handlers.get(str(message.get("type"))) if message is not None else None
        if message is None or handler is None:
            return False
        try:
            await handler(message)
        except Exception:
            log.exception("socket handler for %s failed", message.get("type"))
        return True

    async def read(self, reply: Callable[[dict[str, Any]], None]) -> Closing:
        """Read client messages until the socket closes: pings are ignored, ``{type: auth}`` renews the token,
        a type in ``handlers`` is handed to the stream's handler (in order, one at a time).
        Returns a close code and reason when a renewal is refused."""
        while True:
            text = await receive_text(self.ws)
            if await self.dispatch(text):
                continue  # a stream's handler took it
            message = _json_object(text)
            if message is None or message.get("type") != "auth":
                continue  # pings and anything else a client may send
            token = message.get("token")
            if not isinstance(token, str) or not token:
                return 4400, "auth message needs a token"
            result = await self.verify(token)
            if not isinstance(result, Principal):
                return result
            if result.username != self.username:
                return 4403, "a socket cannot change its user"
            self.token, self.principal = token, result
            reply(authenticated(result))


async def receive_text(ws: WebSocket) -> str:
    """The next text (or UTF-8 binary) message; raises WebSocketDisconnect when the client leaves."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    if message.get("text") is not None:
        return str(message["text"])
    data = message.get("bytes") or b""
    return data.decode("utf-8", "replace")


def authenticated(who: Principal) -> dict[str, Any]:
    return {"stream": "auth", "type": "Authenticated", "username": who.username, "role": who.role}


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def open_session(ws: WebSocket, check: Check) -> SocketSession | None:
    """Authenticate the socket; on failure accept and close it (with a reason) and return None.

    With the bearer subprotocol the token is checked before the handshake completes; the stream subscribes
    and then calls ``SocketSession.ready()``, so a client never misses an event published right after its
    handshake (or, with the first-message auth, after its ``Authenticated`` answer)."""
    container: Container = ws.app.state.container
    offered = list(ws.scope.get("subprotocols") or [])
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered else None
    bearer = [p[len(BEARER_PREFIX):] for p in offered if p.startswith(BEARER_PREFIX)]

    async def refuse(code: int, reason: str) -> None:
        if ws.client_state.name == "CONNECTING":
            await ws.accept(subprotocol=subprotocol)
        await ws.close(code=code, reason=reason)

    if "token" in ws.query_params:
        await refuse(4401, QUERY_REFUSED)
        return None
    if bearer and subprotocol is None:
        await refuse(4400, f"offer the {SUBPROTOCOL} subprotocol with bearer.<token>")
        return None
    if bearer:
        token = bearer[0]
    else:
        await ws.accept(subprotocol=subprotocol)
        try:
            text = await asyncio.wait_for(receive_text(ws), container.settings.ws_auth_timeout_s)
        except TimeoutError:
            await refuse(4401, "authentication timed out: send {type: auth, token} first")
            return None
        message = _json_object(text)
        first = message.get("token") if message is not None and message.get("type") == "auth" else None
        if not isinstance(first, str):
            await refuse(4401, "first message must be {type: auth, token}")
            return None
        token = first
    session = SocketSession(ws, container, token, Principal("", "agent", None), check)
    result = await session.verify(token)
    if not isinstance(result, Principal):
        await refuse(*result)
        return None
    session.principal = result
    session.subprotocol = subprotocol
    return session

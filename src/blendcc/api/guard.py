"""The request guard (a pure ASGI middleware): bearer token checked before any body byte is read, body
size limited per route, and input hygiene (Unicode, NUL, finite numbers) refused at the edge.

Order for an HTTP request: (1) ``/api`` routes outside :data:`PUBLIC_ROUTES` need a valid bearer token
(401 at once, the body unread); the verified principal is put in ``scope["state"]["principal"]`` for
:func:`blendcc.api.deps.principal`; (2) a declared ``Content-Length`` above the route's limit is refused
with 413 unread; (3) the body is read up to the limit (chunked bodies are counted; one byte more is a
413); (4) path, query and JSON body are checked (:mod:`blendcc.api.hygiene`; 422 naming the field);
(5) the buffered body is replayed to the application. WebSocket and lifespan traffic pass untouched.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from blendcc.api.errors import STATUS
from blendcc.api.hygiene import Refused, check_json_body, check_target
from blendcc.domain.errors import DomainError

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024

#: The ``/api`` routes anyone may call without a token, as (method, path). Everything outside ``/api``
#: (``/``, ``/health``, ``/docs``, ``/redoc``, ``/openapi.json``, ``/static/...``) is public too, and
#: WebSockets authenticate themselves. A future public route (a webhook) joins this set, nothing else.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset({
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/api/auth/oidc/login"),  # single sign-on: the browser arrives without a token
    ("GET", "/api/auth/oidc/callback"),
    ("GET", "/widget.js"),  # the web-chat widget's script, embedded by customers' sites (routes_widget)
    ("GET", "/demo/chat"),  # the widget's demo page (only with `serve --demo`)
})

#: Public ``/api`` routes with a path parameter, as (method, path pattern): the web chat's, which
#: authenticate with the chat session's own token where they need one (``routes_webchat``).
PUBLIC_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GET", re.compile(r"/api/webchat/[^/]+/config")),
    ("POST", re.compile(r"/api/webchat/[^/]+/sessions")),
    ("POST", re.compile(r"/api/webchat/[^/]+/offline")),
    ("POST", re.compile(r"/api/webchat/sessions/[^/]+/attachments")),
    ("GET", re.compile(r"/api/webchat/sessions/[^/]+/attachments/[^/]+")),
    ("POST", re.compile(r"/api/webchat/sessions/[^/]+/transcript")),
    ("POST", re.compile(r"/api/surveys/[^/]+/answer")),  # the signed survey link is the key
)

#: Body limit of public routes (they take a small JSON document at most).
PUBLIC_BODY_LIMIT = 64 * 1024

#: Routes that take more than the default body limit (``Settings.max_body_bytes``, 1 MiB): method, path
#: pattern, bytes. Keep in step with docs/security.md ("Limits").
BODY_LIMITS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("POST", re.compile(r"/api/campaigns/[^/]+/lists"), 50 * MIB),  # dialer list CSV (routes_dialer.MAX_UPLOAD)
    ("POST", re.compile(r"/api/dnc/[^/]+"), 50 * MIB),  # DNC list file
    ("POST", re.compile(r"/api/ivr/prompts"), 20 * MIB),  # prompt WAV upload
    ("POST", re.compile(r"/api/sim/replay/bank1999"), 16 * MIB + 64 * 1024),  # call log (routes_sim.MAX_LOG_BYTES)
    ("POST", re.compile(r"/api/wfm/forecast"), 40 * MIB),  # up to 500,000 posted points
    ("POST", re.compile(r"/api/wfm/staffing"), 16 * MIB),  # up to 100,000 intervals
    ("POST", re.compile(r"/api/wfm/staffing/simulate"), 8 * MIB),  # scenario document
    ("POST", re.compile(r"/api/sim/run"), 8 * MIB),  # scenario document (inline replay contacts)
    ("POST", re.compile(r"/api/wfm/schedules/solve"), 8 * MIB),  # a month of intervals, 2,000 agents
    ("PUT", re.compile(r"/api/wfm/schedules"), 8 * MIB),  # up to 5,000 agent-days
    ("POST", re.compile(r"/api/webchat/sessions/[^/]+/attachments"), 25 * MIB + 64 * 1024),  # a chat file
    ("POST", re.compile(r"/api/contacts/[^/]+/attachments"), 25 * MIB + 64 * 1024),  # an agent's chat file
)

_JSON_TYPE = re.compile(r"^application/([\w.+-]*\+)?json\b", re.IGNORECASE)


def body_limit(method: str, path: str, default: int) -> int:
    """The body limit of one route, in bytes."""
    for m, pattern, limit in BODY_LIMITS:
        if m == method and pattern.fullmatch(path):
            return limit
    if (method, path) in PUBLIC_ROUTES or _public_pattern(method, path):
        return PUBLIC_BODY_LIMIT
    return default


def _public_pattern(method: str, path: str) -> bool:
    return any(m == method and p.fullmatch(path) for m, p in PUBLIC_PATTERNS)


def is_public(method: str, path: str) -> bool:
    """True for the requests that need no bearer token (see :data:`PUBLIC_ROUTES`)."""
    return (not (path == "/api" or path.startswith("/api/")) or method == "OPTIONS" or (method, path) in PUBLIC_ROUTES
            or _public_pattern(method, path))


class TooLarge(Exception):
    pass


class RequestGuard:
    """Pure ASGI middleware; ``verify(token) -> Principal`` is ``container.auth.verify``."""

    def __init__(self, app: ASGIApp, verify: Callable[[str], Any], max_body_bytes: int = MIB):
        self.app = app
        self.verify = verify
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = _headers(scope)
        if not is_public(method, path):
            principal = await self._authenticate(headers.get("authorization", ""), send)
            if principal is None:
                return
            scope.setdefault("state", {})["principal"] = principal
        limit = body_limit(method, path, self.max_body_bytes)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        try:
            check_target(scope.get("raw_path") or path.encode("utf-8", "surrogateescape"),
                         scope.get("query_string", b""))
        except Refused as exc:
            await _error(send, 422, "invalid", str(exc))
            return
        if declared in (None, "0") and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body: nothing to count or check
            return
        try:
            body, more = await _read(receive, limit)
        except TooLarge:
            await _too_large(send, limit)
            return
        try:
            _check_body(headers.get("content-type", ""), body)
        except Refused as exc:
            await _error(send, 422, "invalid", str(exc))
            return
        await self.app(scope, _replay(body, more, receive), send)

    async def _authenticate(self, header: str, send: Send) -> Any:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await _error(send, 401, "unauthenticated",
                         "missing bearer token: POST /api/auth/token, then send 'Authorization: Bearer <token>'")
            return None
        try:
            return await run_in_threadpool(self.verify, token.strip())
        except DomainError as exc:
            await _error(send, STATUS.get(exc.code, 400), exc.code, exc.message)
        except DBAPIError as exc:
            log.error("database error while checking a token: %s", exc.__class__.__name__)
            await _error(send, 503, "unavailable", "the database is unavailable; try again")
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


def _check_body(content_type: str, body: bytes) -> None:
    ctype = content_type.strip()
    if not body:
        return
    if not ctype or _JSON_TYPE.match(ctype):  # FastAPI parses a body without a content type as JSON
        check_json_body(body)
    # other bodies (CSV, call logs, WAV, multipart) are decoded by their routes, which refuse NUL in text


async def _read(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole body, at most ``limit`` bytes (:class:`TooLarge` beyond); ``more`` is False when a
    disconnect ended it early."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if complete:
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}
        return await receive()

    return replay


async def _too_large(send: Send, limit: int) -> None:
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit:,} bytes"
    await _error(send, 413, "too_large", f"the request body is larger than this route's limit of {size}")


async def _error(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

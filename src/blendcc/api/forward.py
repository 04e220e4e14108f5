"""Several nodes (ADR 0053): a standby node forwards every /api request to the routing leader and relays its answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

#: set on a forwarded request: a node that is not the leader either answers 503 instead of forwarding again
FORWARDED = b"x-blendcc-forwarded-by"
#: request headers not copied to the leader (httpx sets its own), and response headers not copied back
_HOP = {b"host", b"content-length", b"connection", b"transfer-encoding", b"keep-alive", b"upgrade"}
_HOP_BACK = {"content-length", "connection", "transfer-encoding", "content-encoding", "keep-alive"}
TIMEOUT_S = 30.0


class ForwardToLeader:
    """ASGI middleware. On the leader (or with no cluster) it passes everything through. On a standby an
    HTTP request under ``/api/`` goes to the leader's address (read from the lease) with its method, path,
    query, headers and body; the leader's status, headers and body come back. No leader known, or the leader
    did not answer: 503 (the client retries; a contact created with its own id is retry-safe)."""

    def __init__(self, app: ASGIApp, cluster: Callable[[], Any]) -> None:
        self.app = app
        self.cluster = cluster
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cluster = self.cluster()
        if (cluster is None or scope["type"] != "http" or not str(scope["path"]).startswith("/api/")
                or cluster.is_leader):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP]
        address = cluster.leader_address
        if any(k.lower() == FORWARDED for k, _ in headers):
            await _unavailable(send, "this node is not the routing leader either; retry")
            return
        if not address or address == cluster.address:
            await _unavailable(send, "no routing leader right now (a standby is taking over); retry in a second")
            return
        body = await _body(receive)
        headers.append((FORWARDED, str(cluster.node_id).encode()))
        url = address + str(scope.get("root_path", "")) + str(scope["path"])
        query = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT_S)
        try:
            r = await self._client.request(scope["method"], url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("forwarding %s %s to the leader at %s failed: %s", scope["method"], scope["path"],
                        address, exc)
            await _unavailable(send, "the routing leader did not answer; retry (it may have been applied: "
                                     "create contacts with your own contact_id to retry safely)")
            return
        content = r.content
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in r.headers.multi_items()
               if k.lower() not in _HOP_BACK]
        out.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": r.status_code, "headers": out})
        await send({"type": "http.response.body", "body": content})


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _unavailable(send: Send, detail: str) -> None:
    body = json.dumps({"error": "unavailable", "detail": detail}).encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"retry-after", b"1")]})
    await send({"type": "http.response.body", "body": body})

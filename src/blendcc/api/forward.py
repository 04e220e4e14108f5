"""Several nodes (ADR 0053): a standby forwards /api requests, and relays WebSockets, to the routing leader."""

from __future__ import annotations

import asyncio
import contextlib
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
#: what a standby forwards: the API, providers' webhooks (they create contacts), crisis acknowledgement links;
#: pages, assets, /health, /ready and /metrics are answered by the node itself
FORWARDED_PATHS = ("/api/", "/webhooks/", "/crisis/")


class ForwardToLeader:
    """ASGI middleware. On the leader (or with no cluster) it passes everything through. On a standby an
    HTTP request under ``/api/`` goes to the leader's address (read from the lease) with its method, path,
    query, headers and body; the leader's status, headers and body come back. No leader known, or the leader
    did not answer: 503 (the client retries; a contact created with its own id is retry-safe). The same for
    ``FORWARDED_PATHS``' other prefixes; a WebSocket is relayed (``relay_websocket``)."""

    def __init__(self, app: ASGIApp, cluster: Callable[[], Any]) -> None:
        self.app = app
        self.cluster = cluster
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cluster = self.cluster()
        if cluster is None or cluster.is_leader:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            address = cluster.leader_address
            if address == cluster.address or any(k.lower() == FORWARDED for k, _ in scope["headers"]):
                address = None  # never relay to itself, nor relay a relayed socket again
            await relay_websocket(scope, receive, send, address, str(cluster.node_id))
            return
        if scope["type"] != "http" or not str(scope["path"]).startswith(FORWARDED_PATHS):
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
        client = scope.get("client")
        if client:  # the leader's throttles and audit see the caller, if it trusts this node (uvicorn's
            # FORWARDED_ALLOW_IPS lists the nodes): the chain so far plus the address this node saw
            chain = [v.decode("latin-1") for k, v in headers if k.lower() == b"x-forwarded-for"]
            headers = [(k, v) for k, v in headers if k.lower() != b"x-forwarded-for"]
            headers.append((b"x-forwarded-for", ", ".join([*chain, str(client[0])]).encode("latin-1")))
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


#: WebSocket handshake headers the relay does not copy (the client library makes its own)
_WS_SKIP = {b"host", b"connection", b"upgrade", b"origin", b"content-length", b"sec-websocket-key",
            b"sec-websocket-version", b"sec-websocket-extensions", b"sec-websocket-protocol"}


async def relay_websocket(scope: Scope, receive: Receive, send: Send, address: str | None, node_id: str) -> None:
    """A standby's WebSocket (an agent's desktop, the console, a web chat): opened to the leader with the same
    path, subprotocols (the bearer token) and Origin, and relayed both ways; when the leader goes away the client's
    socket closes (1012) and it reconnects, through the load balancer, to a node that relays to the new leader."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if not address:
        await send({"type": "websocket.close", "code": 1013, "reason": "no routing leader right now; retry"})
        return
    url = "ws" + address[4:] + str(scope["path"])
    if scope.get("query_string"):
        url += "?" + bytes(scope["query_string"]).decode("latin-1")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"] if k.lower() not in _WS_SKIP]
    origin = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"origin"), None)
    headers.append((FORWARDED.decode(), node_id))
    try:
        upstream = await connect(url, additional_headers=headers, subprotocols=scope.get("subprotocols") or None,
                                 origin=origin, open_timeout=5, max_size=None, compression=None)
    except InvalidStatus as exc:
        reason = f"refused by the leader ({exc.response.status_code})"
        await send({"type": "websocket.close", "code": 1008, "reason": reason})
        return
    except (OSError, TimeoutError) as exc:
        log.warning("relaying a WebSocket to the leader at %s failed: %s", address, exc)
        await send({"type": "websocket.close", "code": 1013, "reason": "the routing leader did not answer; retry"})
        return
    await send({"type": "websocket.accept", "subprotocol": upstream.subprotocol})

    async def to_leader() -> None:
        while True:
            m = await receive()
            if m["type"] == "websocket.disconnect":
                return
            data = m.get("text") if m.get("text") is not None else m.get("bytes")
            if data is not None:
                await upstream.send(data)

    async def to_client() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for data in upstream:
                if isinstance(data, str):
                    await send({"type": "websocket.send", "text": data})
                else:
                    await send({"type": "websocket.send", "bytes": data})

    tasks = [asyncio.ensure_future(to_leader()), asyncio.ensure_future(to_client())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*pending, return_exceptions=True)
    if tasks[1] in done:  # the leader closed (or died): close the client's socket with its code
        code = upstream.close_code if upstream.close_code not in (None, 1005, 1006) else 1012
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": code, "reason": (upstream.close_reason or "")[:120]})
    await upstream.close()

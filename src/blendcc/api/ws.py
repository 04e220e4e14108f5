"""WebSocket streams: each agent gets its own offers and contact updates; supervisors get everything."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from blendcc.app.auth import Principal
from blendcc.app.container import Container
from blendcc.domain.errors import DomainError

log = logging.getLogger(__name__)
router = APIRouter()

QUEUE_LIMIT = 2000


class _Pipe:
    """Carries bus messages (published on the writer thread) into one socket's asyncio queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def put(self, message: dict[str, Any]) -> None:
        def _put() -> None:
            try:
                self.queue.put_nowait(message)
            except asyncio.QueueFull:
                self.overflowed = True
                with contextlib.suppress(asyncio.QueueFull):
                    self.queue.put_nowait(None)

        self.loop.call_soon_threadsafe(_put)


async def _authenticate(ws: WebSocket) -> tuple[Container, Principal] | None:
    c: Container = ws.app.state.container
    token = ws.query_params.get("token") or ""
    try:
        return c, c.auth.verify(token)
    except DomainError as exc:
        await ws.close(code=4401, reason=exc.message[:120])
        return None


async def _pump(ws: WebSocket, pipe: _Pipe) -> None:
    async def reader() -> None:
        while True:
            await ws.receive_text()  # clients may send pings; nothing else is expected

    read_task = asyncio.create_task(reader())
    try:
        while True:
            get = asyncio.create_task(pipe.queue.get())
            done, _ = await asyncio.wait({get, read_task}, return_when=asyncio.FIRST_COMPLETED)
            if read_task in done:
                get.cancel()
                break
            message = get.result()
            if message is None:
                await ws.close(code=1013, reason="client too slow; reconnect")
                break
            await ws.send_text(json.dumps(message, default=str))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        read_task.cancel()


@router.websocket("/ws/agent")
async def agent_stream(ws: WebSocket) -> None:
    await ws.accept()
    auth = await _authenticate(ws)
    if auth is None:
        return
    c, who = auth
    if who.agent_id is None:
        await ws.close(code=4403, reason="not an agent user")
        return
    agent_id = who.agent_id
    pipe = _Pipe(asyncio.get_running_loop())
    mine: set[str] = set()
    views = c.views

    def on_event(topic: str, message: Mapping[str, Any]) -> None:
        cid = message.get("contact_id")
        aid = message.get("agent_id") or message.get("from_agent_id")
        mtype = message.get("type")
        if mtype == "ContactOffered" and aid == agent_id and isinstance(cid, str):
            mine.add(cid)
            pipe.put({"stream": "offer", **message, **views.offer_details(cid)})
            return
        if aid == agent_id or (isinstance(cid, str) and cid in mine):
            pipe.put({"stream": topic, **message})
        if isinstance(cid, str) and aid == agent_id and mtype in ("WrapUpCompleted", "OfferRevoked",
                                                                  "ContactTransferred"):
            mine.discard(cid)  # after a transfer only this agent's own leg events (by agent id) still come

    unsubscribe: list[Callable[[], None]] = []

    def attach(view: dict[str, Any]) -> None:
        """Subscribe as the snapshot is taken (under the writer lock; events are published under it), so
        no event falls between the snapshot and the stream."""
        mine.update(w["contact_id"] for w in view["work"])
        unsubscribe.extend([c.bus.subscribe("contact", on_event), c.bus.subscribe("agent", on_event)])

    try:
        try:
            view = views.attach_agent(agent_id, attach)
        except DomainError as exc:
            await ws.close(code=4404, reason=exc.message[:120])
            return
        await ws.send_text(json.dumps({"stream": "snapshot", "agent": view}, default=str))
        await _pump(ws, pipe)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for fn in unsubscribe:
            fn()


@router.websocket("/ws/supervisor")
async def supervisor_stream(ws: WebSocket) -> None:
    await ws.accept()
    auth = await _authenticate(ws)
    if auth is None:
        return
    c, who = auth
    if not who.at_least("supervisor"):
        await ws.close(code=4403, reason="supervisor role needed")
        return
    pipe = _Pipe(asyncio.get_running_loop())

    def on_message(topic: str, message: Mapping[str, Any]) -> None:
        pipe.put({"stream": topic, **message})

    unsubscribe = [c.bus.subscribe(t, on_message) for t in ("contact", "agent", "stats", "wfm")]
    try:
        await _pump(ws, pipe)
    finally:
        for fn in unsubscribe:
            fn()

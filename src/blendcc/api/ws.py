"""WebSocket streams: each agent gets its own offers and contact updates; supervisors get everything."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from blendcc.api import ws_phone
from blendcc.api.ws_auth import SocketSession, open_session, registry_of
from blendcc.api.ws_directory import DirectoryFeed, directory_handler
from blendcc.api.ws_fanout import Followed, fanout_of
from blendcc.api.ws_screen_pop import with_screen_pop
from blendcc.app.admin.auth import Principal
from blendcc.domain.errors import DomainError

log = logging.getLogger(__name__)
router = APIRouter()

QUEUE_LIMIT = 2000


class _Pipe:
    """Carries bus messages (published on the writer thread) into one socket's asyncio queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_LIMIT)  # messages, pending messages, None
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

    def put_pending(self, build: Callable[[], Coroutine[Any, Any, dict[str, Any]]]) -> None:
        """Queue a message built by ``build()`` on the loop: it keeps its place in the stream (later
        messages wait for it), while it is built."""
        def _put() -> None:
            task = self.loop.create_task(build())
            try:
                self.queue.put_nowait(task)
            except asyncio.QueueFull:
                task.cancel()
                self.overflowed = True
                with contextlib.suppress(asyncio.QueueFull):
                    self.queue.put_nowait(None)

        self.loop.call_soon_threadsafe(_put)


async def _pump(ws: WebSocket, pipe: _Pipe, session: SocketSession) -> None:
    """Send the pipe's messages until the client leaves, its token stops verifying (expiry, revocation) or a
    re-auth is refused; the last two close the socket with 4401/4403 and a reason."""
    registry = registry_of(ws)
    registry.add(session)
    session.wake()  # one check now: a revocation between the handshake and this registration is not missed
    read_task = asyncio.create_task(session.read(pipe.put))
    watch_task = asyncio.create_task(session.watch())
    try:
        while True:
            get = asyncio.create_task(pipe.queue.get())
            done, _ = await asyncio.wait({get, read_task, watch_task}, return_when=asyncio.FIRST_COMPLETED)
            ended = next((t for t in (watch_task, read_task) if t in done), None)
            if ended is not None:
                get.cancel()
                if ended.exception() is None:
                    code, reason = ended.result()
                    await ws.close(code=code, reason=reason)
                break
            message = get.result()
            if isinstance(message, asyncio.Future):  # a message still being built (the offer's screen pop)
                message = await message
            if message is None:
                await ws.close(code=1013, reason="client too slow; reconnect")
                break
            await ws.send_text(json.dumps(message, default=str))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        registry.remove(session)
        read_task.cancel()
        watch_task.cancel()


def _agent_only(who: Principal) -> tuple[int, str] | None:
    return (4403, "not an agent user") if who.agent_id is None else None


def _supervisor_only(who: Principal) -> tuple[int, str] | None:
    return None if who.at_least("supervisor") else (4403, "supervisor role needed")


@router.websocket("/ws/agent")
async def agent_stream(ws: WebSocket) -> None:
    session = await open_session(ws, _agent_only)
    if session is None:
        return
    c, agent_id = session.container, session.principal.agent_id
    assert agent_id is not None  # _agent_only

    def same_agent(who: Principal) -> tuple[int, str] | None:
        return _agent_only(who) or (None if who.agent_id == agent_id else (4403, "the user's agent changed"))

    session.check = same_agent
    pipe = _Pipe(asyncio.get_running_loop())
    phone = ws_phone.phone_signalling(c, agent_id, pipe.put)  # the browser phone's signalling on this socket
    if phone is not None:
        session.handlers.update(phone.handlers())
    else:
        session.handlers.update(ws_phone.phone_unavailable(pipe.put))
    mine = Followed()  # indexed by the fan-out as it changes
    views = c.views

    def on_event(topic: str, message: Mapping[str, Any]) -> None:
        if topic == "crisis":  # the emergency status and known-issue banners: every desktop shows them
            pipe.put({"stream": topic, **message})
            return
        cid = message.get("contact_id")
        aid = message.get("agent_id") or message.get("from_agent_id")
        mtype = message.get("type")
        if mtype == "ContactOffered" and aid == agent_id and isinstance(cid, str):
            mine.add(cid)
            offer = {"stream": "offer", **message, **views.offer_details(cid)}
            pipe.put_pending(lambda: with_screen_pop(c, pipe.put, offer))
            return
        if aid == agent_id or (isinstance(cid, str) and cid in mine):
            pipe.put({"stream": topic, **message})
        if isinstance(cid, str) and aid == agent_id and mtype in ("WrapUpCompleted", "OfferRevoked",
                                                                  "ContactTransferred"):
            mine.discard(cid)  # after a transfer only this agent's own leg events (by agent id) still come

    unsubscribe: list[Callable[[], None]] = []
    directory = DirectoryFeed(c.bus, pipe.put)  # opt-in: {"type": "directory", "on": true}
    session.handlers["directory"] = directory_handler(directory)
    unsubscribe.append(directory.stop)

    def attach(view: dict[str, Any]) -> None:
        """Subscribe as the snapshot is taken (under the writer lock; events are published under it), so
        no event falls between the snapshot and the stream."""
        mine.update(w["contact_id"] for w in view["work"])
        unsubscribe.append(fanout_of(ws.app.state, c.bus.subscribe).listen(agent_id, mine, on_event))

    try:
        try:
            view = views.attach_agent(agent_id, attach)
        except DomainError as exc:
            await session.ready()
            await ws.close(code=4404, reason=exc.message[:120])
            return
        await session.ready()
        await ws.send_text(json.dumps({"stream": "snapshot", "agent": view}, default=str))
        await _pump(ws, pipe, session)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for fn in unsubscribe:
            fn()
        if phone is not None:
            with contextlib.suppress(Exception):
                await phone.closed()


@router.websocket("/ws/supervisor")
async def supervisor_stream(ws: WebSocket) -> None:
    session = await open_session(ws, _supervisor_only)
    if session is None:
        return
    c = session.container
    pipe = _Pipe(asyncio.get_running_loop())
    # the console's browser phone: registered as the supervisor's username, the phone a listen-in rings
    phone = ws_phone.phone_signalling(c, session.principal.username, pipe.put)
    session.handlers.update(phone.handlers() if phone is not None else ws_phone.phone_unavailable(pipe.put))

    def on_message(topic: str, message: Mapping[str, Any]) -> None:
        pipe.put({"stream": topic, **message})

    topics = ("contact", "agent", "stats", "wfm", "alert", "monitor", "crisis")
    unsubscribe = [c.bus.subscribe(t, on_message) for t in topics]
    try:
        await session.ready()
        # the console resynchronises from this frame after every (re)connect, as the desktop does
        await ws.send_text(json.dumps({"stream": "snapshot"}))
        await _pump(ws, pipe, session)
    finally:
        for fn in unsubscribe:
            fn()
        if phone is not None:
            with contextlib.suppress(Exception):
                await phone.closed()

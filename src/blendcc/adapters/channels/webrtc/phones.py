"""The browser-phone registry: which agents have a live desktop phone, and their WebRTC calls.

The gateway asks ``ring`` first for an agent's call: when the agent's desktop registered a phone, the call
becomes a ``SipLeg`` whose ``call`` is a ``WebRtcCall`` (duck-typing the SIP ``Call`` the gateway uses:
``state``, ``bye()``, ``remote_media``, ``app``, ``on_event``, ``call_id``, caller id) and whose relay endpoint
sends to the call's ``WebRtcMedia`` bridge. Events: ``answered``, ``failed`` (480 ring timeout or phone gone,
486 declined), ``ended`` (the agent hung up, or the phone did not come back within the grace period).

Signalling messages pushed to the desktop (stream ``phone``): ``registered``, ``ring``, ``answer``,
``ended``, ``cancelled``, ``error``. Everything here runs on the gateway's event loop; the socket-facing
coroutines hop onto it when called from another loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from blendcc.adapters.channels.webrtc.media import WebRtcMedia

log = logging.getLogger(__name__)
T = TypeVar("T")
Push = Callable[[dict[str, Any]], None]
_ids = itertools.count(1)


class PhoneError(ValueError):
    """A signalling request that cannot be honoured (unknown call, another agent's call, ended call)."""


@dataclass(eq=False)
class PhoneSession:
    """One desktop's phone: how to push to its socket; ``live`` until the socket closes."""

    agent_id: str
    push: Push
    live: bool = True
    grace: asyncio.TimerHandle | None = field(default=None, repr=False)


class WebRtcCall:
    """What the gateway uses of a SIP ``Call``, for a call rung on a browser phone."""

    def __init__(self, phones: BrowserPhones, agent_id: str, caller_id: str | None, contact_id: str,
                 kind: str) -> None:
        self.phones = phones
        self.call_id = f"webrtc-{next(_ids)}"
        self.agent_id = agent_id
        self.caller_id = caller_id
        self.caller_name: str | None = None
        self.dialled: str | None = None
        self.contact_id = contact_id
        self.kind = kind
        self.state = "early"  # early -> confirmed -> ended, as a SIP dialog
        self.remote_media: Any = None  # no SDP towards the relay: the gateway keeps the remote we set
        self.app: Any = None
        self.on_event: Callable[[Any, str, Any], None] = lambda call, name, detail: None
        self.media: WebRtcMedia | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.relay: tuple[str, int] | None = None  # the relay endpoint the bridge sends to

    def ring_message(self) -> dict[str, Any]:
        return {"stream": "phone", "type": "ring", "call": self.call_id, "contact_id": self.contact_id,
                "caller": self.caller_id, "kind": self.kind}

    def bye(self) -> None:
        """The server hangs up (customer gone, transfer, gateway closing): tell the desktop, free the media."""
        if self.state == "ended":
            return
        was = self.state
        self._finish()
        self.phones.push(self.agent_id, {"stream": "phone", "type": "cancelled" if was == "early" else "ended",
                                         "call": self.call_id, "reason": "server"})

    def cancel(self) -> None:
        self.bye()

    def _finish(self) -> None:
        self.state = "ended"
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.phones.calls.pop(self.call_id, None)
        if self.media is not None:
            media, self.media = self.media, None
            try:
                asyncio.get_running_loop().create_task(media.close())
            except RuntimeError:  # no loop any more (shutdown): nothing left to await
                media.closed = True

    def emit(self, name: str, detail: Any = None) -> None:
        try:
            self.on_event(self, name, detail)
        except Exception:
            log.exception("browser call event handler failed (%s)", name)


class BrowserPhones:
    """Agent id -> the desktop's phone session; call id -> the call; rings, answers and ends calls."""

    def __init__(self, ice_servers: list[dict[str, Any]] | None = None, ring_timeout_s: float = 30.0,
                 grace_s: float = 10.0, prefer_g711: bool = True) -> None:
        self.ice_servers = list(ice_servers or [])
        self.prefer_g711 = prefer_g711
        self.ring_timeout_s = ring_timeout_s
        self.grace_s = grace_s
        self.sessions: dict[str, PhoneSession] = {}
        self.calls: dict[str, WebRtcCall] = {}
        self.loop: asyncio.AbstractEventLoop | None = None  # the gateway's loop (set by ``attach``)
        self.gateway: Any = None

    def attach(self, gateway: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.gateway, self.loop = gateway, loop

    def push(self, agent_id: str, message: dict[str, Any]) -> None:
        session = self.sessions.get(agent_id)
        if session is not None and session.live:
            session.push(message)

    def has_phone(self, agent_id: str) -> bool:
        session = self.sessions.get(agent_id)
        return session is not None and session.live

    # ------------------------------------------------------------------ gateway side
    def ring(self, gateway: Any, user: str, caller_id: str | None, contact_id: str, kind: str) -> Any:
        """Ring the agent's browser phone: a leg on a relay endpoint, or None when it has no live phone."""
        if not self.has_phone(user):
            return None
        call = WebRtcCall(self, user, caller_id, contact_id, kind)
        leg = gateway.browser_leg(kind, call)
        call.relay = (_reachable(leg.rtp.host), leg.rtp.port)
        self.calls[call.call_id] = call
        call.timer = asyncio.get_running_loop().call_later(self.ring_timeout_s,
                                                           lambda: self._fail(call, 480, "timeout"))
        self.push(user, call.ring_message())
        return leg

    def _fail(self, call: WebRtcCall, status: int, reason: str) -> None:
        if call.state != "early":
            return
        call._finish()
        self.push(call.agent_id, {"stream": "phone", "type": "cancelled", "call": call.call_id, "reason": reason})
        call.emit("failed", status)

    def _end(self, call: WebRtcCall, reason: str) -> None:
        if call.state == "ended":
            return
        if call.state == "early":
            self._fail(call, 480, reason)
            return
        call._finish()
        self.push(call.agent_id, {"stream": "phone", "type": "ended", "call": call.call_id, "reason": reason})
        call.emit("ended", reason)

    # ------------------------------------------------------------------ socket side
    async def register(self, agent_id: str, push: Push) -> PhoneSession:
        return await self._on_loop(self._register(agent_id, push))

    async def _register(self, agent_id: str, push: Push) -> PhoneSession:
        old = self.sessions.get(agent_id)
        if old is not None and old.grace is not None:
            old.grace.cancel()
        session = self.sessions[agent_id] = PhoneSession(agent_id, push)
        mine = [c for c in self.calls.values() if c.agent_id == agent_id]
        push({"stream": "phone", "type": "registered", "ice_servers": self.ice_servers,
              "calls": [{"call": c.call_id, "state": c.state, "contact_id": c.contact_id} for c in mine]})
        for c in mine:
            if c.state == "early":
                push(c.ring_message())
        return session

    async def unregister(self, agent_id: str, session: PhoneSession, closed: bool) -> None:
        """The desktop has no phone any more (``closed=False``: calls still ringing fail now) or its socket
        closed (``closed=True``: its calls end unless a phone registers again within the grace period)."""
        await self._on_loop(self._unregister(agent_id, session, closed))

    async def _unregister(self, agent_id: str, session: PhoneSession, closed: bool) -> None:
        if self.sessions.get(agent_id) is not session:
            return  # a newer socket took over
        session.live = False
        if not closed:
            for c in [c for c in self.calls.values() if c.agent_id == agent_id and c.state == "early"]:
                self._fail(c, 480, "unregistered")
            return
        loop = asyncio.get_running_loop()
        session.grace = loop.call_later(self.grace_s, lambda: self._gone(agent_id, session))

    def _gone(self, agent_id: str, session: PhoneSession) -> None:
        if self.sessions.get(agent_id) is not session:
            return
        del self.sessions[agent_id]
        for c in [c for c in self.calls.values() if c.agent_id == agent_id]:
            self._end(c, "phone_gone")

    async def answer(self, agent_id: str, call_id: str, sdp: str, tag: str | None = None) -> None:
        """The browser's offer for a ringing call (answer) or a call in progress (re-offer after reconnect);
        ``tag`` (the browser's name for this offer) comes back with the answer."""
        await self._on_loop(self._answer(agent_id, call_id, sdp, tag))

    async def _answer(self, agent_id: str, call_id: str, sdp: str, tag: str | None) -> None:
        call = self._own(agent_id, call_id)
        if call.media is None:
            if call.relay is None:
                raise PhoneError("the call has no media")
            media = call.media = WebRtcMedia(call.relay, self.ice_servers, prefer_g711=self.prefer_g711)
            local = await media.open()
            if call.state == "ended":
                await media.close()
                raise PhoneError("the call ended")
            leg = call.app
            if leg is not None:
                leg.rtp.remote = local
        media = call.media
        answer = await media.negotiate(sdp)
        if call.state == "ended":
            raise PhoneError("the call ended")
        self.push(agent_id, {"stream": "phone", "type": "answer", "call": call_id, "sdp": answer, "tag": tag})
        if call.state == "early":
            if call.timer is not None:
                call.timer.cancel()
                call.timer = None
            call.state = "confirmed"
            call.emit("answered")

    async def decline(self, agent_id: str, call_id: str) -> None:
        await self._on_loop(self._decline(agent_id, call_id))

    async def _decline(self, agent_id: str, call_id: str) -> None:
        call = self._own(agent_id, call_id)
        if call.state != "early":
            raise PhoneError("only a ringing call can be declined")
        self._fail(call, 486, "declined")

    async def hangup(self, agent_id: str, call_id: str) -> None:
        await self._on_loop(self._hangup(agent_id, call_id))

    async def _hangup(self, agent_id: str, call_id: str) -> None:
        call = self._own(agent_id, call_id)
        if call.state == "early":
            self._fail(call, 486, "declined")
        else:
            self._end(call, "agent")

    def _own(self, agent_id: str, call_id: str) -> WebRtcCall:
        call = self.calls.get(call_id)
        if call is None or call.agent_id != agent_id:  # another agent's call is reported as unknown
            raise PhoneError(f"no call {call_id} on this phone")
        return call

    async def _on_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self.loop
        if loop is None or loop is asyncio.get_running_loop():
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


def _reachable(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0") else host

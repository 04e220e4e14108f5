"""The browser phone's signalling on /ws/agent and /ws/supervisor: phone.register/unregister/answer/decline/hangup.

The socket's own phone is the only one whose calls these messages can touch (docs/browser-phone.md): the
agent's id on /ws/agent, the supervisor's username on /ws/supervisor (the phone a listen-in rings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blendcc.api.ws_auth import Handler

Push = Callable[[dict[str, Any]], None]
log = logging.getLogger(__name__)
MAX_SDP = 65536  # a browser's audio offer is a few kilobytes


class PhoneSignalling:
    """One agent socket's phone: its handlers, and what to do when the socket closes."""

    def __init__(self, phones: Any, agent_id: str, push: Push) -> None:
        """``agent_id``: the phone's name in the registry (an agent id, or a supervisor's username)."""
        self.phones = phones  # BrowserPhones (container.phones), from the adapters through the container
        self.agent_id = agent_id
        self.push = push
        self.session: Any = None

    def handlers(self) -> dict[str, Handler]:
        return {"phone.register": self.register, "phone.unregister": self.unregister,
                "phone.answer": self.answer, "phone.decline": self.decline, "phone.hangup": self.hangup,
                "phone.status": self.status}

    async def status(self, message: dict[str, Any]) -> None:
        """Whether this centre rings browser phones (the desktop shows the phone's controls only then)."""
        self.push({"stream": "phone", "type": "status", "available": True})

    def _error(self, message: dict[str, Any], text: str) -> None:
        self.push({"stream": "phone", "type": "error", "call": message.get("call"), "message": text})

    async def register(self, message: dict[str, Any]) -> None:
        self.session = await self.phones.register(self.agent_id, self.push)

    async def unregister(self, message: dict[str, Any]) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            await self.phones.unregister(self.agent_id, session, closed=False)

    async def closed(self) -> None:
        """The socket closed: calls in progress wait for a reconnect for the grace period."""
        if self.session is not None:
            session, self.session = self.session, None
            await self.phones.unregister(self.agent_id, session, closed=True)

    async def answer(self, message: dict[str, Any]) -> None:
        call, sdp = message.get("call"), message.get("sdp")
        if not isinstance(call, str) or not isinstance(sdp, str) or not sdp:
            self._error(message, "phone.answer needs call and sdp (the browser's offer)")
            return
        if len(sdp) > MAX_SDP:
            self._error(message, f"the offer is larger than {MAX_SDP} characters")
            return
        tag = message.get("tag")
        await self._do(message, self.phones.answer(self.agent_id, call, sdp, tag if isinstance(tag, str) else None))

    async def decline(self, message: dict[str, Any]) -> None:
        await self._call(message, self.phones.decline)

    async def hangup(self, message: dict[str, Any]) -> None:
        await self._call(message, self.phones.hangup)

    async def _call(self, message: dict[str, Any], action: Callable[[str, str], Any]) -> None:
        call = message.get("call")
        if not isinstance(call, str):
            self._error(message, f"{message.get('type')} needs call")
            return
        await self._do(message, action(self.agent_id, call))

    async def _do(self, message: dict[str, Any], pending: Any) -> None:
        if self.session is None:
            pending.close()  # the coroutine is never awaited: no phone registered on this socket
            self._error(message, "register the phone first (phone.register)")
            return
        try:
            await pending
        except ValueError as exc:  # PhoneError: unknown or another agent's call, ended call; a bad offer
            self._error(message, str(exc)[:200])
        except Exception:  # a negotiation failure: the call stays as it was (a ringing call can be answered again)
            log.exception("%s for call %s failed", message.get("type"), message.get("call"))
            self._error(message, "the browser's offer could not be answered")


def phone_signalling(container: Any, agent_id: str, push: Push) -> PhoneSignalling | None:
    """The socket's phone signalling, or None when the centre has no browser phones (sip or webrtc off)."""
    phones = getattr(container, "phones", None)
    return None if phones is None else PhoneSignalling(phones, agent_id, push)


def phone_unavailable(push: Push) -> dict[str, Handler]:
    """``phone.register`` / ``phone.status`` where the centre has no browser phones: the desktop says so."""
    async def register(message: dict[str, Any]) -> None:
        push({"stream": "phone", "type": "unavailable", "message": "this centre has no browser phones"})

    async def status(message: dict[str, Any]) -> None:
        push({"stream": "phone", "type": "status", "available": False})

    return {"phone.register": register, "phone.status": status}

"""The browser phone's signalling on /ws/agent: the socket's handlers by message type reach the phone registry
with the socket's own agent id, bad requests and failures are answered with errors (the socket stays
open), closing the socket unregisters the phone, and a centre without browser phones says so."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .test_ws import connect, receive


class RecordingPhones:
    """Stands in for ``BrowserPhones``: records what the socket asks; call "theirs" is another agent's."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def register(self, agent_id: str, push: Any) -> str:
        self.calls.append(("register", agent_id))
        push({"stream": "phone", "type": "registered", "ice_servers": [], "calls": []})
        return f"session-{agent_id}"

    async def unregister(self, agent_id: str, session: Any, closed: bool) -> None:
        self.calls.append(("unregister", agent_id, session, closed))

    async def answer(self, agent_id: str, call_id: str, sdp: str, tag: str | None = None) -> None:
        if call_id == "theirs":
            raise ValueError("no call theirs on this phone")
        if call_id == "boom":
            raise RuntimeError("bug")
        self.calls.append(("answer", agent_id, call_id, sdp, tag))

    async def decline(self, agent_id: str, call_id: str) -> None:
        if call_id == "theirs":
            raise ValueError("no call theirs on this phone")
        self.calls.append(("decline", agent_id, call_id))

    async def hangup(self, agent_id: str, call_id: str) -> None:
        self.calls.append(("hangup", agent_id, call_id))


@pytest.fixture
def phones(centre: Any) -> RecordingPhones:
    fake = RecordingPhones()
    centre.client.app.state.container.phones = fake
    return fake


def test_phone_messages_reach_the_registry_as_the_sockets_own_agent(centre: Any, phones: RecordingPhones) -> None:
    with connect(centre, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        ws.send_json({"type": "phone.status"})
        assert receive(ws) == {"stream": "phone", "type": "status", "available": True}
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0"})
        error = receive(ws)
        assert (error["stream"], error["type"], error["call"]) == ("phone", "error", "c1")
        assert "register the phone first" in error["message"]
        ws.send_json({"type": "phone.register"})
        assert receive(ws)["type"] == "registered"
        ws.send_json({"type": "phone.answer", "call": "c1"})  # no sdp
        assert "needs call and sdp" in receive(ws)["message"]
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0\r\n" * 20000})
        assert "larger than" in receive(ws)["message"]
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0 offer", "agent_id": "a2", "tag": "o7"})
        ws.send_json({"type": "phone.decline", "call": "theirs"})
        assert receive(ws)["message"] == "no call theirs on this phone"
        ws.send_json({"type": "phone.hangup"})  # no call id
        assert "needs call" in receive(ws)["message"]
        ws.send_json({"type": "phone.answer", "call": "boom", "sdp": "v=0"})  # a negotiation that fails
        assert receive(ws)["message"] == "the browser's offer could not be answered"  # no internals
        ws.send_json({"type": "phone.hangup", "call": "c1"})
        ws.send_json({"type": "phone.unregister"})
        ws.send_json({"type": "phone.register"})
        assert receive(ws)["type"] == "registered"  # the socket is still open and reading
    end = time.monotonic() + 5
    while time.monotonic() < end and phones.calls[-1][0] != "unregister":
        time.sleep(0.05)
    assert phones.calls == [
        ("register", "a1"),
        ("answer", "a1", "c1", "v=0 offer", "o7"),  # the socket's agent, whatever the message claims
        ("hangup", "a1", "c1"),
        ("unregister", "a1", "session-a1", False),
        ("register", "a1"),
        ("unregister", "a1", "session-a1", True),  # the socket closed: the grace period starts
    ]


def test_a_centre_without_browser_phones_answers_unavailable(centre: Any) -> None:
    assert centre.client.app.state.container.phones is None  # sip_enabled is off in the test centre
    with connect(centre, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        ws.send_json({"type": "phone.register"})
        frame = receive(ws)
        assert (frame["stream"], frame["type"]) == ("phone", "unavailable")
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0"})
        ws.send_json({"type": "phone.status"})
        assert receive(ws) == {"stream": "phone", "type": "status", "available": False}  # answer: ignored


def test_a_handler_that_raises_leaves_the_socket_open(centre: Any, phones: RecordingPhones,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from blendcc.api import ws_phone

    async def crash(message: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    original = ws_phone.PhoneSignalling.handlers
    monkeypatch.setattr(ws_phone.PhoneSignalling, "handlers", lambda self: {**original(self), "phone.crash": crash})
    with connect(centre, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        ws.send_json({"type": "phone.crash"})
        ws.send_json({"type": "phone.status"})
        assert receive(ws)["type"] == "status"  # read on after the failure (logged, nothing sent)


def phone_frame(ws: Any) -> dict[str, Any]:
    """The next "phone" frame (a supervisor socket also carries the centre's events)."""
    for _ in range(50):
        frame = receive(ws)
        if frame.get("stream") == "phone":
            return frame
    raise AssertionError("no phone frame")


@pytest.mark.parametrize("user", ["sup", "admin"])
def test_a_supervisors_browser_phone_is_the_phone_of_their_username(centre: Any, phones: RecordingPhones,
                                                                     user: str) -> None:
    """The console's phone on /ws/supervisor registers under the username (the phone a listen-in rings);
    bad requests get an error frame and the socket stays open; closing the socket unregisters it."""
    with connect(centre, "/ws/supervisor", user) as ws:
        assert receive(ws)["stream"] == "snapshot"
        ws.send_json({"type": "phone.status"})
        assert phone_frame(ws) == {"stream": "phone", "type": "status", "available": True}
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0"})
        assert "register the phone first" in phone_frame(ws)["message"]
        ws.send_json({"type": "phone.register"})
        assert phone_frame(ws)["type"] == "registered"
        ws.send_json({"type": "phone.answer", "call": 7, "sdp": "v=0"})  # not a call id
        assert "needs call and sdp" in phone_frame(ws)["message"]
        ws.send_json({"type": "phone.answer", "call": "c1", "sdp": "v=0 offer", "agent_id": "a1", "user": "ann"})
        ws.send_json({"type": "phone.decline", "call": "theirs"})  # another phone's call: unknown here
        assert phone_frame(ws)["message"] == "no call theirs on this phone"
        ws.send_json({"type": "phone.hangup", "call": "c1"})
        ws.send_json({"type": "phone.status"})
        assert phone_frame(ws)["type"] == "status"  # still open and reading, in order
    end = time.monotonic() + 5
    while time.monotonic() < end and phones.calls[-1][0] != "unregister":
        time.sleep(0.05)
    assert phones.calls == [
        ("register", user),
        ("answer", user, "c1", "v=0 offer", None),  # the socket's user, whatever the message claims
        ("hangup", user, "c1"),
        ("unregister", user, f"session-{user}", True),
    ]


def test_a_user_without_an_agent_still_has_no_agent_socket(centre: Any, phones: RecordingPhones) -> None:
    """A supervisor's phone is on the supervisor socket: /ws/agent refuses a user without an agent as before."""
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as exc, connect(centre, "/ws/agent", "sup") as ws:
        receive(ws)
    assert exc.value.code == 4403
    assert phones.calls == []


def test_an_agent_cannot_use_the_supervisor_socket_for_a_phone(centre: Any, phones: RecordingPhones) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as exc, connect(centre, "/ws/supervisor", "ann") as ws:
        ws.send_json({"type": "phone.register"})
        receive(ws)
    assert exc.value.code == 4403
    assert phones.calls == []


def test_a_centre_without_browser_phones_tells_the_console(centre: Any) -> None:
    with connect(centre, "/ws/supervisor", "sup") as ws:
        assert receive(ws)["stream"] == "snapshot"
        ws.send_json({"type": "phone.status"})
        assert phone_frame(ws) == {"stream": "phone", "type": "status", "available": False}
        ws.send_json({"type": "phone.register"})
        assert phone_frame(ws)["type"] == "unavailable"

"""The desktop's call-control routes on a running voice stack (its own loop, real RTP sockets): the call card,
DTMF received by the customer's socket, mute, recording, conference, the pushes on /ws/agent, and refusals."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from blendcc.adapters.channels.sip.rtp import DtmfDecoder, RtpPacket
from blendcc.adapters.channels.sip.sdp import PCMU, build_sdp, parse_sdp
from blendcc.api.ws_auth import SUBPROTOCOL


class _Call:
    """What the gateway uses of a SIP dialog, for legs made by hand (the phones are sockets of this test)."""

    state = "confirmed"
    call_id = "c"
    app: Any = None

    def __init__(self, port: int) -> None:
        self.remote_media = parse_sdp(build_sdp("127.0.0.1", port, [PCMU], 101))

    def answer(self, sdp: bytes) -> None:
        pass

    def bye(self) -> None:
        self.state = "ended"


def _socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.3)
    return s


def _drain(s: socket.socket) -> list[RtpPacket]:
    out = []
    while True:
        try:
            out.append(RtpPacket.parse(s.recv(2048)))
        except TimeoutError:
            return out


class Phones:
    """The voice stack on a loop of its own; agent phones are answered by the test (``answer(user)``)."""

    def __init__(self, centre: Any, tmp_path: Path):
        from blendcc.bootstrap.voice import VoiceStack
        from blendcc.config import Settings

        settings = Settings(database_url="sqlite://", admin_password="x-admin-pw", secret_key="k", sip_enabled=True,
                            sip_port=0, recording_dir=str(tmp_path / "rec"), recording_default="on_demand",
                            rtp_port_min=42000, rtp_port_max=42200)
        self.stack = VoiceStack(centre.container, settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.stack.start(), self.loop).result(5)
        self.sockets: dict[str, socket.socket] = {}
        self.legs: dict[str, Any] = {}
        gw = self.stack.gateway

        def ring(user: str, caller_id: str | None, contact_id: str, kind: str = "agent") -> Any:
            return self._leg(user, kind)

        gw.ring = ring  # type: ignore[method-assign]

    def _leg(self, name: str, kind: str) -> Any:
        gw = self.stack.gateway
        s = self.sockets.setdefault(name, _socket())
        port = s.getsockname()[1]
        ep = gw._endpoint(PCMU, 101)
        ep.remote = ("127.0.0.1", port)
        leg = gw._new_leg(kind, _Call(port), ep)  # type: ignore[arg-type]
        self.legs[name] = leg
        return leg

    def customer_calls(self) -> None:
        def run() -> None:
            leg = self._leg("customer", "customer")
            self.stack.voice.incoming(leg, "+442079460000", "main")

        self.stack.call(run)

    def answer(self, user: str) -> None:
        self.stack.call(lambda: self.stack.voice.agent_answered(self.legs[user]))

    def send_from(self, user: str, n: int) -> None:
        s, leg = self.sockets[user], self.legs[user]
        for i in range(n):
            s.sendto(RtpPacket(PCMU, i, i * 160, 4242, b"\x7f" * 160).encode(), ("127.0.0.1", leg.rtp.port))

    def close(self) -> None:
        self.stack.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        for s in self.sockets.values():
            s.close()


@pytest.fixture
def phones(centre: Any, tmp_path: Path) -> Iterator[Phones]:
    p = Phones(centre, tmp_path)
    centre.container.voice = p.stack
    yield p
    centre.container.voice = None
    p.close()


def _wait(check: Any, timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def _receive(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    ws._raise_on_close(message)
    result: dict[str, Any] = json.loads(message["text"])
    return result


def _connected_call(centre: Any, phones: Phones) -> str:
    centre.agent_login("a1")
    phones.customer_calls()
    _wait(lambda: "a1" in phones.legs)  # the offer rang a1's phone
    phones.answer("a1")
    work = _wait(lambda: {c: s for c, s in centre.work("a1").items() if s == "busy"})
    [contact_id] = work
    return str(contact_id)


def test_routes_refuse_without_voice_and_for_non_agents(centre: Any) -> None:
    centre.agent_login("a1")
    centre.error("GET", "/api/agent/contacts/x/call", 409, user="ann")
    centre.error("POST", "/api/agent/contacts/x/dtmf", 409, user="ann", json={"digits": "1"})
    centre.error("GET", "/api/agent/contacts/x/call", 403, user="sup")
    centre.error("GET", "/api/agent/contacts/x/call", 401, user=None)


def test_call_card_dtmf_mute_and_recording_over_the_api(centre: Any, phones: Phones) -> None:
    cid = _connected_call(centre, phones)
    base = f"/api/agent/contacts/{cid}"
    card = centre.get(f"{base}/call", "ann")
    assert card["state"] == "connected" and card["caller_id"] == "+442079460000" and card["dialled"] == "main"
    assert card["phone"] == "sip" and card["dtmf"] == "rfc4733" and card["talk_started"] == centre.clock.now()
    assert not card["muted"] and not card["recording"] and not card["conference"] and card["consult"] is None
    centre.error("GET", f"{base}/call", 404, user="bob")  # not bob's call
    centre.error("GET", "/api/agent/contacts/nope/call", 404, user="ann")

    customer = phones.sockets["customer"]
    _drain(customer)
    assert centre.post(f"{base}/dtmf", "ann", json={"digits": "42#"}) == {"contact_id": cid, "digits": "42#",
                                                                        "mode": "rfc4733"}
    heard: list[str] = []
    decoder = DtmfDecoder(heard.append)
    end = time.monotonic() + 3
    while heard != list("42#") and time.monotonic() < end:
        for p in _drain(customer):
            if p.payload_type == 101:
                decoder.feed(p)
    assert heard == list("42#")  # RFC 4733 events on the customer's leg, each digit once
    for bad in ({"digits": "12X"}, {"digits": ""}, {"digits": "1" * 33}, {"tones": "1"}):
        centre.error("POST", f"{base}/dtmf", 422, user="ann", json=bad)
    centre.error("POST", f"{base}/dtmf", 409, user="bob", json={"digits": "1"})

    assert centre.post(f"{base}/mute", "ann", json={"on": True})["muted"]
    _drain(customer)
    phones.send_from("a1", 5)
    assert [p for p in _drain(customer) if p.ssrc == 4242] == []  # the muted phone is not relayed
    assert not centre.post(f"{base}/mute", "ann", json={"on": False})["muted"]
    phones.send_from("a1", 5)
    relayed: list[RtpPacket] = []
    end = time.monotonic() + 3
    while len(relayed) < 5 and time.monotonic() < end:
        relayed += [p for p in _drain(customer) if p.ssrc == 4242]
    assert len(relayed) == 5

    card = centre.post(f"{base}/recording", "ann", json={"action": "start"})
    assert card["recording"] and card["recording_since"] == centre.clock.now()
    assert centre.post(f"{base}/recording", "ann", json={"action": "pause"})["recording_paused"]
    assert not centre.post(f"{base}/recording", "ann", json={"action": "resume"})["recording_paused"]
    assert not centre.post(f"{base}/recording", "ann", json={"action": "stop"})["recording"]
    centre.error("POST", f"{base}/recording", 409, user="ann", json={"action": "pause"})
    # the supervisors' on-demand route: the agent holding the call may use it too, another agent may not
    centre.error("POST", f"/api/voice/contacts/{cid}/recording", 403, user="bob", json={"action": "start"})
    assert centre.post(f"/api/voice/contacts/{cid}/recording", "ann", json={"action": "start"})["seconds"] is None
    assert centre.get(f"{base}/call", "ann")["recording"]
    assert centre.post(f"/api/voice/contacts/{cid}/recording", "ann", json={"action": "stop"})["seconds"] >= 0
    centre.error("POST", f"{base}/recording", 422, user="ann", json={"action": "rewind"})
    centre.error("POST", f"/api/voice/contacts/{cid}/consult/conference", 409, user="ann")  # no consultation


def test_conference_over_the_api_with_pushes_on_the_agent_socket(centre: Any, phones: Phones) -> None:
    cid = _connected_call(centre, phones)
    centre.agent_login("a2")
    centre.post(f"/api/voice/contacts/{cid}/consult", "ann", json={"agent": "a2"})
    _wait(lambda: "a2" in phones.legs)
    phones.answer("a2")
    _wait(lambda: centre.get(f"/api/agent/contacts/{cid}/call", "ann")["consult"]["answered"])
    centre.error("GET", f"/api/agent/contacts/{cid}/call", 404, user="cy")
    centre.headers("ann")
    bearer = f"bearer.{centre.tokens['ann']}"
    with centre.client.websocket_connect("/ws/agent", subprotocols=[SUBPROTOCOL, bearer]) as ws:
        assert _receive(ws)["stream"] == "snapshot"
        card = centre.post(f"/api/voice/contacts/{cid}/consult/conference", "ann")
        assert card["conference"] and card["conference_with"] == ["a2"] and not card["held"]
        pushed = _wait(lambda: _next_control(ws))
        assert pushed["stream"] == "contact" and pushed["contact_id"] == cid and pushed["conference"]
    bob = centre.get(f"/api/agent/contacts/{cid}/call", "bob")
    assert bob["role"] == "consulted" and bob["conference_with"] == ["a1"]
    centre.error("POST", f"/api/voice/contacts/{cid}/conference/leave", 409, user="cy")  # not in it
    assert centre.post(f"/api/voice/contacts/{cid}/conference/leave", "ann") == {
        "contact_id": cid, "transferred_to": "a2", "remaining_agent_id": "a2"}
    _wait(lambda: centre.work("a2").get(cid) == "busy")
    assert centre.get(f"/api/agent/contacts/{cid}/call", "bob")["role"] == "agent"
    types = [e["type"] for e in centre.get(f"/api/contacts/{cid}/events", "sup")]
    assert {"ConferenceStarted", "ConferenceLeft", "ContactTransferred"} <= set(types)


def _next_control(ws: Any) -> dict[str, Any] | None:
    msg = _receive(ws, timeout=2.0)
    return msg if msg.get("type") == "CallControl" else None

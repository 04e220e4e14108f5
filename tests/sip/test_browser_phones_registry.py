"""The browser-phone registry on its own (no media): who gets rung, what the gateway hears (answered, failed
480/486, ended), what the desktop is told, the grace period after a socket closes, and that a socket can
only touch its own agent's calls."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from blendcc.adapters.channels.webrtc.phones import BrowserPhones, PhoneError


class FakeRtp:
    host, port = "127.0.0.1", 40000
    remote: tuple[str, int] | None = None


class FakeLeg:
    def __init__(self, call: Any) -> None:
        self.call, self.rtp = call, FakeRtp()
        call.app = self


class FakeGateway:
    """What ``BrowserPhones.ring`` uses of the gateway, recording the leg events it gets."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def browser_leg(self, kind: str, call: Any) -> FakeLeg:
        call.on_event = lambda c, name, detail: self.events.append((name, detail))
        return FakeLeg(call)


def run(scenario: Any) -> None:
    asyncio.run(scenario())


def test_no_phone_no_ring_and_a_ring_goes_to_the_agents_socket_only() -> None:
    async def scenario() -> None:
        phones, gw = BrowserPhones(ring_timeout_s=5), FakeGateway()
        assert phones.ring(gw, "a1", "+4420", "c1", "agent") is None  # no desktop phone: the registrar's turn
        a1: list[dict[str, Any]] = []
        a2: list[dict[str, Any]] = []
        await phones.register("a1", a1.append)
        await phones.register("a2", a2.append)
        leg = phones.ring(gw, "a1", "+4420", "c1", "agent")
        assert leg is not None and a1[-1]["type"] == "ring" and a1[-1]["contact_id"] == "c1"
        assert [m["type"] for m in a2] == ["registered"]
        with pytest.raises(PhoneError):
            await phones.decline("a2", leg.call.call_id)  # another agent's call
        with pytest.raises(PhoneError):
            await phones.hangup("a2", leg.call.call_id)
        await phones.decline("a1", leg.call.call_id)
        assert gw.events == [("failed", 486)] and a1[-1]["type"] == "cancelled"
        assert phones.calls == {} and leg.call.state == "ended"

    run(scenario)


def test_ring_timeout_fails_with_480_and_a_server_hangup_cancels_the_ring() -> None:
    async def scenario() -> None:
        phones, gw = BrowserPhones(ring_timeout_s=0.1), FakeGateway()
        pushed: list[dict[str, Any]] = []
        await phones.register("a1", pushed.append)
        phones.ring(gw, "a1", None, "c1", "agent")
        await asyncio.sleep(0.3)
        assert gw.events == [("failed", 480)] and pushed[-1] == {**pushed[-1], "type": "cancelled", "reason": "timeout"}
        leg = phones.ring(gw, "a1", None, "c2", "agent")
        leg.call.bye()  # the customer hung up while ringing: the gateway releases the leg itself
        assert pushed[-1]["type"] == "cancelled" and pushed[-1]["reason"] == "server"
        assert gw.events == [("failed", 480)]  # bye() reports nothing back to the gateway
        await asyncio.sleep(0.2)
        assert gw.events == [("failed", 480)]  # and the cancelled ring's timer is gone

    run(scenario)


def test_unregister_fails_ringing_calls_and_a_closed_socket_ends_calls_after_the_grace_period() -> None:
    async def scenario() -> None:
        phones, gw = BrowserPhones(ring_timeout_s=5, grace_s=0.2), FakeGateway()
        pushed: list[dict[str, Any]] = []
        session = await phones.register("a1", pushed.append)
        phones.ring(gw, "a1", None, "c1", "agent")
        await phones.unregister("a1", session, closed=False)  # the desktop turned its phone off
        assert gw.events == [("failed", 480)] and not phones.has_phone("a1")
        assert phones.ring(gw, "a1", None, "c2", "agent") is None

        session = await phones.register("a1", pushed.append)
        leg = phones.ring(gw, "a1", None, "c3", "agent")
        leg.call.state = "confirmed"  # as after an answer (media is not part of this test)
        await phones.unregister("a1", session, closed=True)
        await asyncio.sleep(0.05)
        again = await phones.register("a1", pushed.append)  # back within the grace period
        assert pushed[-1]["calls"] == [{"call": leg.call.call_id, "state": "confirmed", "contact_id": "c3"}]
        await asyncio.sleep(0.3)
        assert leg.call.state == "confirmed"  # kept: the phone came back
        await phones.unregister("a1", session, closed=True)  # the old socket's late close changes nothing
        await phones.unregister("a1", again, closed=True)
        await asyncio.sleep(0.3)
        assert gw.events[-1] == ("ended", "phone_gone") and phones.calls == {}

    run(scenario)

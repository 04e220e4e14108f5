"""The channel contract against the SIP voice channel: real time, no text; plus its call path: a real
INVITE over UDP reaches the voice use case through the typed ``ports.VoiceCallHandler``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from blendcc.adapters.channels.sip.channel import SipChannel
from blendcc.ports import VoiceCallHandler, VoiceLeg

from .contract import ChannelContract


class TestSipChannel(ChannelContract):
    @pytest.fixture
    def adapter(self) -> SipChannel:
        return SipChannel()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return None  # calls, not messages


class RecordingVoice:
    """A ``VoiceCallHandler`` that records what the gateway reports."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, ...]] = []
        self.arrived = asyncio.Event()

    def incoming(self, leg: VoiceLeg, caller_id: str | None, dialled: str | None) -> None:
        self.calls.append(("incoming", leg.id, caller_id, dialled))
        self.arrived.set()

    def dtmf(self, leg: VoiceLeg, digit: str) -> None:
        self.calls.append(("dtmf", leg.id, digit))

    def leg_ended(self, leg: VoiceLeg) -> None:
        self.calls.append(("leg_ended", leg.id))

    def agent_answered(self, leg: VoiceLeg) -> None:
        self.calls.append(("agent_answered", leg.id))

    def agent_failed(self, leg: VoiceLeg, status: int) -> None:
        self.calls.append(("agent_failed", leg.id, status))

    def phone_hold(self, leg: VoiceLeg, held: bool) -> None:
        self.calls.append(("phone_hold", leg.id, held))

    def listener_answered(self, leg: VoiceLeg) -> bool:
        self.calls.append(("listener_answered", leg.id))
        return True

    def callback_event(self, leg: VoiceLeg, name: str, detail: Any) -> None:
        self.calls.append(("callback_event", leg.id, name))

    def phone_transfer(self, leg: VoiceLeg, target: str, report: Callable[[int, str], None]) -> None:
        self.calls.append(("phone_transfer", leg.id, target))


def test_a_real_invite_reaches_the_voice_handler_through_the_port() -> None:
    from blendcc.adapters.channels.sip.gateway import SipGateway

    async def scenario() -> RecordingVoice:
        voice = RecordingVoice()
        handler: VoiceCallHandler = voice  # the gateway's type: checked by mypy on src, exercised here
        centre = SipGateway("127.0.0.1", 0, "127.0.0.1", (41000, 41010))
        centre.voice = handler
        phone = SipGateway("127.0.0.1", 0, "127.0.0.1", (41020, 41030))
        await centre.start()
        await phone.start()
        try:
            port = centre.edge.port
            phone.dial(f"sip:5000@127.0.0.1:{port}", ("127.0.0.1", port), "+442079460000", "outbound")
            await asyncio.wait_for(voice.arrived.wait(), timeout=10)
        finally:
            phone.close()
            centre.close()
        return voice

    voice = asyncio.run(scenario())
    kind, leg_id, caller, dialled = voice.calls[0]
    assert kind == "incoming" and leg_id.startswith("c")
    assert caller is not None and "442079460000" in caller
    assert dialled == "5000"

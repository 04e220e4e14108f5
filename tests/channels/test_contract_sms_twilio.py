"""The channel contract against the Twilio-shaped SMS channel and its real HTTP stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.channels.messaging.twilio_sms import TwilioSmsChannel
from blendcc.ports import ChannelAdapter

from .contract import FailingProviderContract
from .standins import TwilioStandIn

SID, TOKEN, NUMBER = "AC" + "1" * 32, "twilio-auth-token", "+15005550006"


class TestTwilioSmsChannel(FailingProviderContract):
    @pytest.fixture
    def adapter(self) -> Iterator[TwilioSmsChannel]:
        self.standin = TwilioStandIn(SID, TOKEN)
        channel = TwilioSmsChannel("main", NUMBER, SID, TOKEN, base_url=self.standin.url, timeout_s=5)
        yield channel
        channel.close()
        self.standin.close()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return {"MessageSid": provider_id, "AccountSid": SID, "From": sender, "To": NUMBER, "Body": text,
                "NumMedia": "0", "NumSegments": "1"}

    def receipt(self, provider_id: str, status: str) -> dict[str, Any] | None:
        return {"MessageSid": provider_id, "AccountSid": SID, "MessageStatus": status, "From": NUMBER,
                "To": "+447700900001"}

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        if final:
            self.standin.fail(n, 400, TwilioStandIn.error(400, 21610, "Attempt to send to unsubscribed recipient"))
        else:
            self.standin.fail(n, 500, TwilioStandIn.error(500, 20500, "Internal Server Error"))
        return True

"""The channel contract against the Messenger channel and its real HTTP stand-in (Send API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.channels.messaging.meta import MessengerChannel
from blendcc.ports import ChannelAdapter

from .contract import FailingProviderContract
from .standins import GraphStandIn

PAGE_ID, TOKEN = "1234567890", "page-access-token"


def ms_event(event: dict[str, Any], psid: str = "447700900001", page_id: str = PAGE_ID) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page_id, "time": 1706888888000, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": 1706888888000, **event}]}]}


class TestMessengerChannel(FailingProviderContract):
    @pytest.fixture
    def adapter(self) -> Iterator[MessengerChannel]:
        self.standin = GraphStandIn(TOKEN)
        channel = MessengerChannel("messenger", PAGE_ID, app_secret="s", verify_token="v", access_token=TOKEN,
                                   base_url=self.standin.url, timeout_s=5)
        yield channel
        channel.close()
        self.standin.close()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return ms_event({"message": {"mid": provider_id, "text": text}}, psid=sender.lstrip("+"))

    def receipt(self, provider_id: str, status: str) -> dict[str, Any] | None:
        if status != "delivered":
            return None
        return ms_event({"delivery": {"mids": [provider_id], "watermark": 1706888899000}})

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        if final:
            self.standin.fail(n, 400, GraphStandIn.error(551, "This person isn't available right now."))
        else:
            self.standin.fail(n, 500, GraphStandIn.error(1, "An unknown error occurred"))
        return True

"""The channel contract against the WhatsApp Cloud API channel and its real HTTP stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.channels.messaging.meta import WhatsAppChannel
from blendcc.ports import ChannelAdapter

from .contract import FailingProviderContract
from .standins import GraphStandIn

PHONE_ID, TOKEN = "106540352242922", "wa-access-token"


def wa_message(provider_id: str, sender: str, message: dict[str, Any], phone_id: str = PHONE_ID) -> dict[str, Any]:
    wa_id = sender.lstrip("+")
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_id},
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": provider_id, "timestamp": "1706888888", **message}]}}]}]}


def wa_status(provider_id: str, status: str, recipient: str = "447700900001",
              errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"id": provider_id, "status": status, "timestamp": "1706888899", "recipient_id": recipient}
    if errors:
        s["errors"] = errors
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
                                       "metadata": {"display_phone_number": "15550783881",
                                                    "phone_number_id": PHONE_ID},
                                       "statuses": [s]}}]}]}


class TestWhatsAppChannel(FailingProviderContract):
    @pytest.fixture
    def adapter(self) -> Iterator[WhatsAppChannel]:
        self.standin = GraphStandIn(TOKEN)
        channel = WhatsAppChannel("whatsapp", PHONE_ID, app_secret="s", verify_token="v", access_token=TOKEN,
                                  base_url=self.standin.url, timeout_s=5)
        yield channel
        channel.close()
        self.standin.close()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return wa_message(provider_id, sender, {"type": "text", "text": {"body": text}})

    def receipt(self, provider_id: str, status: str) -> dict[str, Any] | None:
        return wa_status(provider_id, status)

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        if final:
            self.standin.fail(n, 400, GraphStandIn.error(131026, "Message undeliverable"))
        else:
            self.standin.fail(n, 503, GraphStandIn.error(2, "Service temporarily unavailable"))
        return True

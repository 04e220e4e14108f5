"""The channel contract against the web-chat adapter (a frame of the customer's socket is its provider input;
the widget's client id, prefixed by the session, is the provider message id)."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.adapters.channels.webchat.channel import WebchatChannel
from blendcc.domain.conversation import OutboundMessage

from .contract import MessagingContract


class TestWebchatChannel(MessagingContract):
    @pytest.fixture
    def adapter(self) -> WebchatChannel:
        self.delivered: list[OutboundMessage] = []
        return WebchatChannel("default", 1024 * 1024, ("image/png", "text/plain"), live=lambda _sid: 1,
                              delivered=self.delivered.append)

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return {"session_id": sender, "client_id": provider_id, "body": text}

    def provider_id(self, given: str) -> str:
        return f"+447700900001:{given}"  # the contract's customer (the session id here) and the client id


def test_the_provider_id_is_the_session_and_the_client_id() -> None:
    channel = WebchatChannel("default", 10, (), live=lambda _sid: 0)
    (command,) = channel.translate({"session_id": "wc-1", "client_id": "c7", "body": "hi"})
    assert command.provider_message_id == "wc-1:c7" and command.thread_ref == "wc-1" and command.address == "wc-1"

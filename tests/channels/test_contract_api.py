"""The channel contract against the generic API channel (replies are read back through the API)."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.adapters.channels.api import ApiChannel

from .contract import MessagingContract


class TestApiChannel(MessagingContract):
    @pytest.fixture
    def adapter(self) -> ApiChannel:
        return ApiChannel("chat")

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return {"id": provider_id, "from": sender, "text": text}

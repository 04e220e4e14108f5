"""The channel contract against the test fake channel (a realtime chat with receipts and attachments)."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.ports import ChannelAdapter
from blendcc.testing.fake_channel import FakeChannel

from .contract import FailingProviderContract


class TestFakeChannel(FailingProviderContract):
    @pytest.fixture
    def adapter(self) -> FakeChannel:
        return FakeChannel()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return FakeChannel.message(provider_id, sender, text)

    def receipt(self, provider_id: str, status: str) -> dict[str, Any] | None:
        return FakeChannel.receipt(provider_id, status)

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        assert isinstance(adapter, FakeChannel)
        adapter.fail_next(n, final=final, reason="provider answered 503")
        return True

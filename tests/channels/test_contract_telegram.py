"""The channel contract against the Telegram bot channel and its real HTTP stand-in (Bot API)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from blendcc.adapters.channels.messaging.telegram import TelegramChannel
from blendcc.ports import ChannelAdapter

from .contract import FailingProviderContract
from .standins import TelegramStandIn

TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def update_id(provider_id: str) -> int:
    """Telegram's ids are integers: the contract's textual provider ids map to one each."""
    return int(provider_id) if provider_id.isdigit() else zlib.crc32(provider_id.encode())


def tg_update(uid: int, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": uid, "message": {"message_id": uid % 10_000, "date": 1706888888,
                                          "from": {"id": chat_id, "is_bot": False, "first_name": "Ada",
                                                   "last_name": "Byron"},
                                          "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
                                          **message}}


class TestTelegramChannel(FailingProviderContract):
    @pytest.fixture
    def adapter(self) -> Iterator[TelegramChannel]:
        self.standin = TelegramStandIn(TOKEN)
        channel = TelegramChannel("telegram", TOKEN, "secret", base_url=self.standin.url, timeout_s=5)
        yield channel
        channel.close()
        self.standin.close()

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        return tg_update(update_id(provider_id), int(sender.lstrip("+")), {"text": text})

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        if final:
            self.standin.fail(n, 403, TelegramStandIn.error(403, "Forbidden: bot was blocked by the user"))
        else:
            self.standin.fail(n, 502, TelegramStandIn.error(502, "Bad Gateway"))
        return True

    def provider_id(self, given: str) -> str:
        return str(update_id(given))

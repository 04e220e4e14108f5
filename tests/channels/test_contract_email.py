"""The channel contract against an email mailbox: mail in as raw RFC 5322, replies out through a real
SMTP relay (an aiosmtpd server of the test) that can be told to fail."""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from blendcc.adapters.channels.attachments import FileAttachmentStore
from blendcc.adapters.channels.email.channel import EmailChannel, MailboxConfig
from blendcc.adapters.channels.email.relay import SmtpRelay
from blendcc.ports import ChannelAdapter

from .contract import ChannelContract
from .email.peers import CaptureServer
from .support import Centre


class TestEmailChannel(ChannelContract):
    @pytest.fixture
    def relay(self) -> Iterator[CaptureServer]:
        with CaptureServer() as server:
            yield server

    @pytest.fixture
    def adapter(self, tmp_path: Path, relay: CaptureServer) -> EmailChannel:
        return EmailChannel(MailboxConfig(name="support", address="support@centre.test", domain="centre.test"),
                            FileAttachmentStore(tmp_path / "attachments"),
                            SmtpRelay("127.0.0.1", relay.port, security="none", timeout_s=10))

    @pytest.fixture
    def centre(self, adapter: EmailChannel) -> Centre:
        centre = Centre(adapter)
        adapter.attach(centre.store, centre.store)
        return centre

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        """A customer's mail; a later mail of the same customer answers the first one (email joins a
        conversation by its thread: a mail without references is a new conversation)."""
        first = self._first.setdefault(sender, provider_id)
        msg = EmailMessage()
        msg["From"] = f"c{sender.lstrip('+')}@example.org"
        msg["To"] = "support@centre.test"
        msg["Subject"] = "Order"
        msg["Message-ID"] = f"<{provider_id}>"
        if first != provider_id:
            msg["In-Reply-To"] = f"<{first}>"
            msg["References"] = f"<{first}>"
        msg.set_content(text)
        return {"raw": msg.as_bytes(policy=email.policy.SMTP), "mail_from": msg["From"]}

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        relay: CaptureServer = self._relay
        relay.fail_next(n, "554 5.7.1 rejected" if final else "421 4.3.2 try again later")
        return True

    @pytest.fixture(autouse=True)
    def _keep_relay(self, relay: CaptureServer) -> None:
        self._relay = relay
        self._first: dict[str, str] = {}

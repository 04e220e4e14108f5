"""The email stack as `blendcc serve` runs it: one channel per mailbox in the registry, the SMTP listener
started and stopped by the API lifespan, the acknowledgement sent on the live delivery thread."""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blendcc.adapters.channels.email.channel import EmailChannel
from blendcc.api.app import create_app
from blendcc.domain import conversation_events as ce
from blendcc.domain.conversation import ChannelRef

from .conftest import SUPPORT, configure, email_settings, mail
from .peers import CaptureServer, wait_until


def test_the_api_lifespan_runs_the_listener_and_mailboxes_are_channels(
        sqlite_url: str, clock: Any, tmp_path: Path, relay: CaptureServer, fast_passwords: None) -> None:
    from blendcc.bootstrap import build_container

    container = build_container(email_settings(sqlite_url, tmp_path, relay.port), clock=clock, run_migrations=False)
    configure(container)
    assert isinstance(container.channels.adapter(ChannelRef("email", "support")), EmailChannel)
    assert isinstance(container.channels.adapter(ChannelRef("email", "sales")), EmailChannel)
    port = container.settings.email_smtp_port
    with TestClient(create_app(container, background=True)):
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("jane@example.org", [SUPPORT], mail())
        stored = [s.event for s in container.store.read() if isinstance(s.event, ce.MessageReceived)]
        assert [m.body for m in stored] == ["Hello, where is order 42?"]
        # the acknowledgement goes out on the live delivery thread
        assert wait_until(lambda: len(relay.received) == 1)
    with pytest.raises(OSError):  # stopped with the server
        smtplib.SMTP("127.0.0.1", port, timeout=2)
    container.store.engine.dispose()

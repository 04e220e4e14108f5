"""Fixtures of the email tests: a container with two mailboxes on SQLite or PostgreSQL, its SMTP listener
running, replies going to a capturing SMTP server, delivery retries on manual timers."""

from __future__ import annotations

import email.policy
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from blendcc.domain import conversation_events as ce
from blendcc.domain.events import Event
from blendcc.testing.fake_channel import ManualTimers
from conftest import close_container, make_settings

from .peers import CaptureServer, free_port

SUPPORT = "support@centre.test"
SALES = "sales@centre.test"
DOMAIN = "centre.test"


def mail(sender: str = "Jane Doe <jane@example.org>", to: str = SUPPORT, subject: str = "My order is late",
         body: str = "Hello, where is order 42?", message_id: str | None = "<m1@example.org>",
         headers: dict[str, str] | None = None, html: str | None = None,
         attachments: list[tuple[str, str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, ctype, data in attachments:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire


class EmailCentre:
    """A container whose mailboxes ``support`` (acknowledging, its own workflow) and ``sales`` receive
    mail through the real SMTP listener; agent a1 takes email."""

    def __init__(self, container: Any, relay: CaptureServer, timers: ManualTimers):
        self.container = container
        self.relay = relay
        self.timers = timers
        self.listener = container.email.listener

    def send(self, raw: bytes, to: list[str] | None = None, mail_from: str = "jane@example.org") -> dict[str, Any]:
        host, port = self.listener.address
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            return smtp.sendmail(mail_from, to or [SUPPORT], raw)

    def events(self, kind: type[Event] | None = None) -> list[Any]:
        out = [s.event for s in self.container.store.read()]
        return out if kind is None else [e for e in out if isinstance(e, kind)]

    def received(self) -> list[ce.MessageReceived]:
        return self.events(ce.MessageReceived)

    def clock_now(self) -> float:
        return float(self.container.clock.now())

    def run(self, eng_fn: Any) -> Any:
        return self.container.runtime.execute(eng_fn)


def configure(container: Any) -> None:
    put = container.config.put
    put("queues", "mail", {"name": "Mail", "wrap_up_s": None, "offer_timeout_s": 600}, None)
    put("queues", "sales", {"name": "Sales", "wrap_up_s": None, "offer_timeout_s": 600}, None)
    put("agents", "a1", {"name": "Ann", "queues": ["mail", "sales"],
                         "capacity": {"limits": {"voice": 1, "email": 5}}}, None)
    put("agents", "a2", {"name": "Bob", "queues": ["mail", "sales"],
                         "capacity": {"limits": {"voice": 1, "email": 5}}}, None)
    put("workflows", "mail", {"name": "Mailbox support", "default": [
        {"queue": "mail", "preferred_agent": "last", "timeout_s": 300}, {"queue": "mail"}]}, None)
    put("workflows", "main", {"name": "Main", "channels": ["email"], "filters": [
        {"name": "sales", "expression": "attr.mailbox == 'sales'", "targets": [{"queue": "sales"}]}],
        "default": [{"queue": "mail"}]}, None)


def email_settings(url: str, tmp_path: Path, relay_port: int, **overrides: Any) -> Any:
    values: dict[str, Any] = dict(
        email_mailboxes={"support": {"address": SUPPORT, "workflow": "mail", "acknowledge": True,
                                     "aliases": ["help@centre.test"]},
                         "sales": {"address": SALES}},
        email_domain=DOMAIN, email_smtp_enabled=True, email_smtp_port=free_port(),
        email_max_message_bytes=200_000, email_max_attachment_bytes=20_000,
        email_attachment_dir=str(tmp_path / "attachments"), email_relay_host="127.0.0.1",
        email_relay_port=relay_port, email_relay_security="none", email_signature="The blendcc team",
        email_signatures={"a1": "Ann, customer care"})
    values.update(overrides)
    return make_settings(url, **values)


@pytest.fixture
def relay() -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        yield server


@pytest.fixture
def email_centre(db_url: str, clock: Any, tmp_path: Path, relay: CaptureServer,
                 fast_passwords: None) -> Iterator[EmailCentre]:
    from blendcc.bootstrap import build_container

    container = build_container(email_settings(db_url, tmp_path, relay.port), clock=clock, run_migrations=False)
    timers = ManualTimers(clock)
    container.conversations.later = timers
    configure(container)
    container.email.start()
    try:
        yield EmailCentre(container, relay, timers)
    finally:
        container.email.stop()
        close_container(container)

"""kill -9 of a real server taking email (SMTP), SMS (signed Twilio-shaped webhooks) and API chat messages at
once: every message the server acknowledged (SMTP 250, HTTP 2xx) is in the store exactly once after the
restart, and the providers' retries of the same messages (same Message-ID, MessageSid, contact id) after
the restart create nothing twice. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import ADMIN_PASSWORD, Client, Server, free_port, wait_until

from blendcc.adapters.channels.messaging.twilio_sms import twilio_signature
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.sql_store import SqlStore

pytestmark = pytest.mark.slow

AUTH_TOKEN = "kill9-twilio-token"
NUMBER = "+14155550100"
MAILBOX = "support@kill9.example"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
#: How many acknowledged messages of each channel before the kill (the kill lands mid-stream).
BEFORE_KILL = 25


@dataclass
class Sent:
    """What the senders were told: acknowledged messages by channel (token -> retry payload) and errors."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict[str, dict[str, Any]] = field(default_factory=lambda: {"email": {}, "sms": {}, "api": {}})
    errors: list[str] = field(default_factory=list)

    def ack(self, channel: str, token: str, retry: Any) -> None:
        with self.lock:
            self.acked[channel][token] = retry

    def count(self) -> int:
        with self.lock:
            return min(len(v) for v in self.acked.values())


class Senders:
    def __init__(self, server: Server, smtp_port: int, sup: Client, sent: Sent):
        self.server, self.smtp_port, self.sup, self.sent = server, smtp_port, sup, sent
        self.http = httpx.Client(base_url=server.url, timeout=10.0)

    # each returns normally when the server refused or is gone; an acknowledgement is recorded only on 250/2xx

    def email(self, token: str, message_id: str) -> bool:
        msg = EmailMessage()
        msg["From"] = f"customer-{token}@example.org"
        msg["To"] = MAILBOX
        msg["Subject"] = f"order {token}"
        msg["Message-ID"] = message_id
        msg.set_content(f"hello {token}")
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.send_message(msg)  # raises unless every recipient got 250
        return True

    def sms(self, token: str, sid: str) -> bool:
        url = f"{self.server.url}/webhooks/twilio/main/sms"
        params = {"MessageSid": sid, "AccountSid": "ACkill9", "From": f"+1202555{int(token.split('-')[1]):04d}",
                  "To": NUMBER, "Body": f"hello {token}", "NumMedia": "0"}
        sig = twilio_signature(AUTH_TOKEN, url, params.items())
        r = self.http.post("/webhooks/twilio/main/sms", data=params, headers={"X-Twilio-Signature": sig})
        return 200 <= r.status_code < 300

    def api_status(self, token: str, contact_id: str) -> int:
        r = self.sup.request("POST", "/api/contacts", {"channel": "chat", "contact_id": contact_id,
                                                       "caller_id": f"web-{token}", "text": f"hello {token}"})
        return r.status_code

    def api(self, token: str, contact_id: str) -> bool:
        return 200 <= self.api_status(token, contact_id) < 300


def _run(sent: Sent, stop: threading.Event, channel: str, send: Callable[[str, str], bool], ident: str) -> None:
    for n in itertools.count():
        if stop.is_set():
            return
        token = f"{channel}-{n}"
        key = ident.format(n=n)
        try:
            if send(token, key):
                sent.ack(channel, token, key)
        except (OSError, smtplib.SMTPException, httpx.TransportError):
            return  # the server died: what was not acknowledged may or may not be stored
        except Exception as exc:  # surfaced by the test
            sent.errors.append(f"{channel}: {exc!r}")
            return


def _stored(database_url: str) -> Counter[str]:
    """How many MessageReceived events hold each token's text (read from the database itself)."""
    store = SqlStore(make_engine(database_url))
    bodies: Counter[str] = Counter()
    for s in store.events_of_type(["MessageReceived"]):
        body = str(getattr(s.event, "body", "")).strip()
        if body.startswith("hello "):
            bodies[body.removeprefix("hello ")] += 1
    return bodies


def _configure(admin: Client) -> None:
    admin.ok("PUT", "/api/config/calendars/always", {"weekly": ALWAYS})
    admin.ok("PUT", "/api/config/queues/sales", {"calendar_id": "always", "closed_action": "reject"})
    admin.ok("PUT", "/api/config/workflows/main", {"default": [{"queue": "sales"}]})
    admin.ok("PUT", "/api/users/sup", {"password": "sup-pw-kill9", "role": "supervisor", "agent_id": None})


def test_acknowledged_messages_survive_kill9_exactly_once(database_url: str, tmp_path: Path) -> None:
    smtp_port = free_port()
    env = {"BLENDCC_EMAIL_SMTP_ENABLED": "true", "BLENDCC_EMAIL_SMTP_PORT": str(smtp_port),
           "BLENDCC_EMAIL_MAILBOXES": json.dumps({"support": {"address": MAILBOX}}),
           "BLENDCC_EMAIL_ATTACHMENT_DIR": str(tmp_path / "attachments"),
           "BLENDCC_TWILIO": json.dumps({"account_sid": "ACkill9", "auth_token": AUTH_TOKEN,
                                         "base_url": "http://127.0.0.1:9", "numbers": {"main": {"id": NUMBER}}})}
    server = Server(database_url, tmp_path, env=env)
    server.start()
    try:
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        _configure(admin)
        sup = Client(server.url, "sup", "sup-pw-kill9")
        senders = Senders(server, smtp_port, sup, sent := Sent())
        stop = threading.Event()
        threads = [threading.Thread(target=_run, args=(sent, stop, "email", senders.email, "<m{n}@kill9.example>")),
                   threading.Thread(target=_run, args=(sent, stop, "sms", senders.sms, "SMkill9{n:06d}")),
                   threading.Thread(target=_run, args=(sent, stop, "api", senders.api, "kill9-api-{n}"))]
        for t in threads:
            t.start()
        wait_until(lambda: sent.count() >= BEFORE_KILL, 120, f"{BEFORE_KILL} acknowledged messages per channel")
        server.kill9()  # mid-stream: all three senders are still sending
        stop.set()
        for t in threads:
            t.join(30)
        assert not sent.errors, sent.errors
        time.sleep(0.2)

        server.start()
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        sup = Client(server.url, "sup", "sup-pw-kill9")
        senders = Senders(server, smtp_port, sup, sent)
        # the providers retry: every acknowledged message once more, with its provider id
        with sent.lock:
            acked = {ch: dict(v) for ch, v in sent.acked.items()}
        for token, message_id in acked["email"].items():
            assert senders.email(token, message_id)
        for token, sid in acked["sms"].items():
            assert senders.sms(token, sid), f"SMS retry {sid} refused"
        for token, cid in acked["api"].items():  # a client-chosen contact id is taken once: 409 on a retry
            assert senders.api_status(token, cid) == 409, f"API retry {cid} was not recognised as stored"
        # and the server keeps taking new messages
        assert senders.email("email-after", "<after@kill9.example>") and senders.sms("sms-99999", "SMkill9after")
    finally:
        server.stop()
    stored = _stored(database_url)
    for channel, tokens in acked.items():
        assert len(tokens) >= BEFORE_KILL
        for token in tokens:
            assert stored[token] == 1, f"{channel} message {token}: stored {stored[token]} times (acknowledged)"
    assert stored["email-after"] == 1 and stored["sms-99999"] == 1
    assert all(n == 1 for n in stored.values()), {k: n for k, n in stored.items() if n != 1}

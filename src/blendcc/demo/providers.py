"""The demo's own providers: a Twilio-shaped SMS stand-in and an SMTP sink, in the server's process.

``serve --demo`` turns the digital channels on with them (``demo_channels``): a demo mailbox on the real SMTP
listener, replies relayed to the sink, and a demo SMS number whose webhooks the demo traffic signs with
a per-run auth token and whose outbound messages go to the stand-in -- never to a real provider. A centre
that already configures Twilio or an SMTP relay keeps its own settings, and then the demo sends no SMS.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import socket
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from blendcc.config import EmailMailbox, MessagingInstance, Settings, TwilioSettings

log = logging.getLogger("blendcc.demo")

DEMO_MAILBOX = "demo"
DEMO_MAIL_ADDRESS = "support@demo.blendcc.localhost"
DEMO_SMS_INSTANCE = "demo"
DEMO_SMS_NUMBER = "+447700900123"  # Ofcom's range reserved for drama: never a real subscriber
DEMO_ACCOUNT_SID = "ACdemo0000000000000000000000000000"
#: Environment variable that hands the per-run SMS auth token to the demo traffic process.
SMS_TOKEN_ENV = "BLENDCC_DEMO_SMS_TOKEN"


class _SmsHandler(BaseHTTPRequestHandler):
    server: _SmsServer

    def do_POST(self) -> None:
        expected = f"/2010-04-01/Accounts/{self.server.account_sid}/Messages.json"
        auth = base64.b64encode(f"{self.server.account_sid}:{self.server.auth_token}".encode()).decode()
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path != expected:
            return self._answer(404, {"code": 20404, "message": "The requested resource was not found"})
        if self.headers.get("Authorization") != f"Basic {auth}":
            return self._answer(401, {"code": 20003, "message": "Authenticate"})
        if not form.get("To") or not form.get("Body"):
            return self._answer(400, {"code": 21604, "message": "A 'To' phone number and a 'Body' are required"})
        sid = "SM" + uuid.uuid4().hex
        with self.server.lock:
            self.server.sent.append({"sid": sid, **form})
        log.info("demo SMS provider: message to %s stored as sent (%d characters)", form["To"], len(form["Body"]))
        return self._answer(201, {"sid": sid, "status": "queued", "to": form["To"], "from": form.get("From"),
                                  "body": form["Body"]})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class _SmsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, account_sid: str, auth_token: str):
        super().__init__(("127.0.0.1", 0), _SmsHandler)
        self.account_sid, self.auth_token = account_sid, auth_token
        self.lock = threading.Lock()
        self.sent: list[dict[str, str]] = []


class _Sink:
    """SMTP handler that accepts every reply and keeps only a count (the demo's outbound mail goes nowhere)."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 -- aiosmtpd
        self.count += 1
        log.info("demo mail sink: reply to %s accepted", ", ".join(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoChannels:
    """The running demo providers and what the demo traffic needs to reach the channels."""

    sms: _SmsServer | None
    sink: Controller | None
    smtp_port: int
    sms_token: str | None

    def stop(self) -> None:
        if self.sms is not None:
            self.sms.shutdown()
            self.sms.server_close()
        if self.sink is not None:
            self.sink.stop()


def demo_channels(settings: Settings) -> tuple[Settings, DemoChannels]:
    """Settings with the demo mailbox, SMTP listener, mail sink and demo SMS number; the started providers."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    update: dict[str, Any] = {"email_smtp_enabled": True}
    if DEMO_MAILBOX not in settings.email_mailboxes:
        update["email_mailboxes"] = {**settings.email_mailboxes, DEMO_MAILBOX: EmailMailbox(
            address=DEMO_MAIL_ADDRESS, display_name="Demo support", acknowledge=True)}
    sink: Controller | None = None
    if settings.email_relay_host is None:
        sink = Controller(_Sink(), hostname="127.0.0.1", port=_free_port())
        sink.start()
        update.update(email_relay_host="127.0.0.1", email_relay_port=sink.port, email_relay_security="none")
    sms: _SmsServer | None = None
    token: str | None = None
    if settings.twilio is None:
        token = secrets.token_urlsafe(24)
        sms = _SmsServer(DEMO_ACCOUNT_SID, token)
        threading.Thread(target=sms.serve_forever, name="demo-sms-provider", daemon=True).start()
        update["twilio"] = TwilioSettings(account_sid=DEMO_ACCOUNT_SID, auth_token=token,
                                          base_url=f"http://127.0.0.1:{sms.server_address[1]}",
                                          numbers={DEMO_SMS_INSTANCE: MessagingInstance(id=DEMO_SMS_NUMBER)})
    else:
        log.warning("demo: Twilio is configured, so the demo sends no SMS (it never texts through a real provider)")
    return settings.model_copy(update=update), DemoChannels(sms, sink, settings.email_smtp_port, token)

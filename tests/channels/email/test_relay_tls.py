"""The SMTP relay client against a real aiosmtpd relay that requires STARTTLS and a login."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from blendcc.adapters.channels.email.relay import SmtpRelay
from blendcc.domain.conversation import DeliveryFailed

from .peers import CaptureHandler, free_port


@pytest.fixture
def tls_relay(tmp_path: Path) -> Iterator[tuple[int, ssl.SSLContext, CaptureHandler, list[str]]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"centre" and data.password == b"relay-pass"
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself

    handler = CaptureHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        yield port, client_ctx, handler, logins
    finally:
        controller.stop()


def _mail() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = ("support@centre.test", "jane@example.org", "Hi",
                                                                 "<r1@centre.test>")
    msg.set_content("hello")
    return msg


def test_starttls_and_login_deliver(tls_relay: tuple[int, ssl.SSLContext, CaptureHandler, list[str]]) -> None:
    port, ctx, handler, logins = tls_relay
    SmtpRelay("127.0.0.1", port, "starttls", "centre", "relay-pass", 10, ctx).send(
        _mail(), "support@centre.test", ["jane@example.org"])
    assert logins == ["centre"] and [c.message["Message-ID"] for c in handler.received] == ["<r1@centre.test>"]


def test_a_wrong_password_is_a_final_failure(tls_relay: tuple[int, ssl.SSLContext, CaptureHandler, list[str]]) -> None:
    port, ctx, handler, _ = tls_relay
    with pytest.raises(DeliveryFailed) as failed:
        SmtpRelay("127.0.0.1", port, "starttls", "centre", "wrong", 10, ctx).send(
            _mail(), "support@centre.test", ["jane@example.org"])
    assert not failed.value.retryable and "535" in failed.value.reason
    assert handler.received == []


def test_an_unreachable_relay_is_retryable() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        SmtpRelay("127.0.0.1", free_port(), "none", timeout_s=5).send(_mail(), "support@centre.test", ["j@x.org"])
    assert failed.value.retryable

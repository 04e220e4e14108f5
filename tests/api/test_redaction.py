"""The log and CLI redaction: every credential form the server and CLI may print, and what must stay."""

from __future__ import annotations

import logging

import pytest

from blendcc.redaction import MASK, RedactFilter, install, redact

TOKEN = "eyJ1IjoiYW5uIiwiaCI6ImFiYyJ9.Z3xQ1w.abcdefghijklmnopqrstuvwxyz012345"


@pytest.mark.parametrize(("text", "secret"), [
    (f'127.0.0.1:5 - "WebSocket /ws/agent?token={TOKEN}" [accepted]', TOKEN),
    (f"< GET /ws/agent?x=1&token={TOKEN} HTTP/1.1", TOKEN),
    (f"< Sec-WebSocket-Protocol: blendcc.v1, bearer.{TOKEN}", TOKEN),
    (f"Authorization: Bearer {TOKEN}", TOKEN),
    ("authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    (f"(b'authorization', b'Bearer {TOKEN}')", TOKEN),
    (f'< TEXT \'{{"type": "auth", "token": "{TOKEN}"}}\' [120 bytes]', TOKEN),
    ('{"username": "ann", "password": "hunter2-pw"}', "hunter2-pw"),
    ("{'password': 'hunter2-pw', 'role': 'admin'}", "hunter2-pw"),
    ("Settings(admin_password='hunter2-pw', secret_key='k3y-material')", "hunter2-pw"),
    ("Settings(admin_password='hunter2-pw', secret_key='k3y-material')", "k3y-material"),
    ("database at postgresql+psycopg://blend:S3cr3t-pw@db.example:5432/cc is up to date", "S3cr3t-pw"),
    ("redis://:S3cr3t-pw@127.0.0.1:6379/0", "S3cr3t-pw"),
])
def test_credentials_are_redacted(text: str, secret: str) -> None:
    clean = redact(text)
    assert secret not in clean and MASK in clean, clean


@pytest.mark.parametrize("text", [
    "missing bearer token: POST /api/auth/token, then send the token",
    "http://127.0.0.1:8000/health",
    "postgresql+psycopg://blend@db.example:5432/cc",
    "contact c-17 offered to a1 (queue sales)",
    "token expired; log in again",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_records_keep_their_arguments_and_lose_their_secrets(caplog: pytest.LogCaptureFixture) -> None:
    install()
    log = logging.getLogger("blendcc.test.redaction")
    with caplog.at_level(logging.DEBUG, logger="blendcc.test.redaction"):
        log.info('%s - "WebSocket %s" %d', "127.0.0.1:5", f"/ws/agent?token={TOKEN}", 101)
        log.debug("< %s: %s", "Authorization", f"Bearer {TOKEN}")
        log.debug("< %s: %s", "Authorization", "Basic dXNlcjpodW50ZXIy")  # split over two arguments
        log.info("%d calls, %r", 3, b"raw")
        try:
            raise RuntimeError(f"cannot connect to postgresql://u:S3cr3t-pw@h/db?token={TOKEN}")
        except RuntimeError:
            log.exception("failed")
    text = caplog.text
    assert TOKEN not in text and "dXNlcjpodW50ZXIy" not in text and "S3cr3t-pw" not in text
    assert '"WebSocket /ws/agent?token=[REDACTED]" 101' in text
    assert "3 calls, b'raw'" in text  # numbers and reprs format as before
    first = caplog.records[0]
    assert isinstance(first.args, tuple) and len(first.args) == 3  # formatters that unpack args still work


def test_redaction_is_idempotent() -> None:
    for text in (f"Authorization: Bearer {TOKEN}", f"bearer.{TOKEN}", f"?token={TOKEN}", '{"password": "x"}',
                 "postgresql://u:pw@h/db"):
        once = redact(text)
        assert redact(once) == once


def test_filter_redacts_records_made_elsewhere() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "url %s", ("sqlite:///x.db?password=p4ss",), None)
    assert RedactFilter().filter(record) is True
    assert "p4ss" not in record.getMessage()

"""Parsing inbound mail: machine-mail detection (RFC 3834 and friends), sanitised HTML, malformed MIME."""

from __future__ import annotations

import pytest

from blendcc.adapters.channels.email.mime import MalformedMail, parse_mail, sanitise_html

from .conftest import mail


@pytest.mark.parametrize("headers,envelope,automatic", [
    ({}, "jane@example.org", False),
    ({"Auto-Submitted": "no"}, "jane@example.org", False),
    ({"Auto-Submitted": "auto-replied"}, "jane@example.org", True),
    ({"Auto-Submitted": "auto-notified; owner-email=x@y"}, "jane@example.org", True),
    ({"Precedence": "junk"}, "jane@example.org", True),
    ({"Precedence": "first-class"}, "jane@example.org", False),
    ({"X-Autoreply": "yes"}, "jane@example.org", True),
    ({}, "", True),
    ({}, "<>", True),
    ({}, None, False),
])
def test_machine_mail_is_recognised(headers: dict[str, str], envelope: str | None, automatic: bool) -> None:
    parsed = parse_mail(mail(headers=headers), envelope_from=envelope)
    assert (parsed.automatic is not None) is automatic


def test_mailer_daemon_is_a_bounce() -> None:
    assert parse_mail(mail(sender="MAILER-DAEMON@mx.example.org")).automatic is not None


def test_threading_headers_and_missing_message_id() -> None:
    parsed = parse_mail(mail(headers={"In-Reply-To": "<a@x>", "References": "<r@x> <a@x>"}))
    assert parsed.in_reply_to == ("a@x",) and parsed.references == ("r@x", "a@x")
    raw = mail(message_id=None)
    first, again = parse_mail(raw), parse_mail(raw)
    assert first.message_id == again.message_id and first.message_id.startswith("sha256-")  # stable digest
    assert parse_mail(mail(message_id=None, body="other")).message_id != first.message_id


def test_sanitiser_removes_active_content_and_remote_images() -> None:
    dirty = ('<div style="x" onmouseover="a()">hi<script>b()</script><iframe src="https://e"></iframe>'
             '<img src="https://t.example/p.gif"><img src="cid:logo"><form><button>go</button></form></div>')
    clean = sanitise_html(dirty)
    assert clean == '<div>hi<img><img src="cid:logo">go</div>'
    assert 'src="https://t.example/p.gif"' in sanitise_html(dirty, allow_remote_images=True)


@pytest.mark.parametrize("raw", [
    b"",
    b"   \r\n",
    b"no header here at all\r\n",
    b"From: a@b.c\r\nContent-Type: multipart/mixed\r\n\r\nbody without boundary\r\n",
])
def test_malformed_mail_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedMail):
        parse_mail(raw)

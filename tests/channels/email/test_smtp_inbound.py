"""Mail sent with smtplib to the built-in SMTP listener, stored on SQLite and PostgreSQL: routing,
threading, machine mail, HTML, attachments, duplicates, refusals and the acknowledgement."""

from __future__ import annotations

import email.policy
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest

from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev

from .conftest import SALES, SUPPORT, EmailCentre, mail


def test_new_mail_becomes_a_routed_contact_with_its_message(email_centre: EmailCentre) -> None:
    c = email_centre
    c.run(lambda eng, now: eng.login("a1", now))
    assert c.send(mail(subject="Refund for order 42", body="I want a refund please")) == {}
    (message,) = c.received()
    assert (message.channel, message.channel_instance, message.address) == ("email", "support", "jane@example.org")
    assert message.body == "I want a refund please" and message.provider_message_id == "m1@example.org"
    (created,) = c.events(ev.ContactCreated)
    assert created.contact_id == message.contact_id and created.channel == "email"
    attrs = created.attributes
    assert attrs["channel_instance"] == "support" and attrs["mailbox"] == "support"
    assert attrs["subject"] == "Refund for order 42" and attrs["text"] == "I want a refund please"
    (routed,) = c.events(ev.ContactRouted)
    assert routed.workflow_id == "mail"  # the mailbox's own workflow
    (offered,) = c.events(ev.ContactOffered)
    assert offered.agent_id == "a1"
    # the sales mailbox goes through the channel's workflow, whose filter reads the mailbox
    c.send(mail(to=SALES, message_id="<s1@example.org>", subject="Prices"), to=[SALES])
    sales = [e for e in c.events(ev.ContactQueued) if e.contact_id != message.contact_id]
    assert [e.queue_id for e in sales] == ["sales"]


def test_unknown_recipient_is_refused_with_550_and_an_alias_is_accepted(email_centre: EmailCentre) -> None:
    c = email_centre
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        c.send(mail(to="nobody@centre.test"), to=["nobody@centre.test"])
    assert refused.value.recipients["nobody@centre.test"][0] == 550
    assert c.received() == []
    c.send(mail(to="help@centre.test"), to=["help@centre.test"])
    assert [m.channel_instance for m in c.received()] == ["support"]


def test_replies_join_their_conversation_by_headers_and_by_subject_reference(email_centre: EmailCentre) -> None:
    c = email_centre
    c.send(mail())
    (first,) = c.received()
    contact_id = first.contact_id
    # a reply quoting the customer's first mail in References
    c.send(mail(subject="Re: My order is late", body="any news?", message_id="<m2@example.org>",
                headers={"In-Reply-To": "<m1@example.org>", "References": "<m1@example.org>"}))
    # a reply to the acknowledgement (one of our Message-IDs), In-Reply-To only
    ack = c.relay.received  # delivered by the timers below
    c.timers.run_due()
    assert len(ack) == 1
    our_id = ack[0].message["Message-ID"]
    assert our_id.endswith("@centre.test>")
    c.send(mail(subject="Re: whatever", body="third", message_id="<m3@example.org>",
                headers={"In-Reply-To": our_id}))
    # no threading headers, but the ticket reference in the subject
    c.send(mail(subject=f"Order 42 [#{contact_id}]", body="fourth", message_id="<m4@other-client.org>"))
    # a new subject without references: a new conversation
    c.send(mail(subject="Another question", body="new topic", message_id="<m5@example.org>"))
    got = [(m.body, m.contact_id == contact_id) for m in c.received()]
    assert got == [("Hello, where is order 42?", True), ("any news?", True), ("third", True), ("fourth", True),
                   ("new topic", False)]
    assert len(c.events(ev.ContactCreated)) == 2


@pytest.mark.parametrize("headers,mail_from", [
    ({"Auto-Submitted": "auto-replied"}, "jane@example.org"),
    ({"Auto-Submitted": "auto-generated"}, "jane@example.org"),
    ({"Precedence": "bulk"}, "jane@example.org"),
    ({"Precedence": "list"}, "jane@example.org"),
    ({"X-Autoreply": "yes"}, "jane@example.org"),
    ({"X-Autorespond": "Out of office"}, "jane@example.org"),
    ({}, ""),  # MAIL FROM:<>: a bounce
])
def test_auto_replies_and_bounces_create_nothing_and_get_no_answer(
        email_centre: EmailCentre, headers: dict[str, str], mail_from: str) -> None:
    c = email_centre
    c.send(mail(headers=headers), mail_from=mail_from)
    c.timers.run_due()
    assert c.received() == [] and c.events(ev.ContactCreated) == []
    assert c.relay.received == []  # no acknowledgement either


def test_delivery_reports_and_mailer_daemon_mail_are_ignored(email_centre: EmailCentre) -> None:
    c = email_centre
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    report["To"] = SUPPORT
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<dsn1@mx.example.org>"
    report.set_content("This is the mail system at host mx.example.org.")
    report.add_attachment("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; x@y\nAction: failed\n"
                          "Status: 5.1.1\n", subtype="delivery-status")
    report.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"; boundary="b1"')
    c.send(mail(sender="postmaster@example.org", message_id="<pm@example.org>"), mail_from="postmaster@example.org")
    raw = report.as_bytes(policy=email.policy.SMTP)
    c.send(raw, mail_from="bounces@mx.example.org")
    c.timers.run_due()
    assert c.received() == [] and c.relay.received == []


def test_mail_from_our_own_mailboxes_never_starts_a_conversation(email_centre: EmailCentre) -> None:
    c = email_centre
    c.send(mail(sender=f"Sales <{SALES}>", message_id="<own@centre.test>"), mail_from=SALES)
    c.timers.run_due()
    assert c.received() == [] and c.relay.received == []


def test_html_is_stored_sanitised_with_a_plain_text_fallback(email_centre: EmailCentre) -> None:
    c = email_centre
    html = ('<p onclick="steal()">Hello <b>there</b></p><script>alert(1)</script>'
            '<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name=x></form>'
            '<img src="https://tracker.example/pixel.gif" alt="pixel"><a href="javascript:alert(2)">click</a>'
            '<a href="https://shop.example/order/42">order</a>')
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "jane@example.org", SUPPORT, "HTML", "<h1@example.org>"
    msg.set_content(html, subtype="html")
    c.send(msg.as_bytes(policy=email.policy.SMTP))
    (m,) = c.received()
    assert m.html is not None
    for banned in ("<script", "onclick", "<iframe", "<form", "<input", "tracker.example", "javascript:"):
        assert banned not in m.html, banned
    assert "<b>there</b>" in m.html and 'href="https://shop.example/order/42"' in m.html
    assert m.body.startswith("Hello there")  # the plain-text fallback


def test_attachments_are_stored_by_reference_and_oversized_ones_refused(email_centre: EmailCentre,
                                                                         tmp_path: Path) -> None:
    c = email_centre
    pdf = b"%PDF-1.4 invoice " * 100
    c.send(mail(attachments=[("../../etc/invoice.pdf", "application/pdf", pdf)]))
    (m,) = c.received()
    (a,) = m.attachments
    assert (a.name, a.media_type, a.size) == ("invoice.pdf", "application/pdf", len(pdf))
    assert c.container.email.attachments.read(a.id) == pdf
    assert list((tmp_path / "attachments").rglob(a.id.removeprefix("sha256-")))  # under the configured dir
    with pytest.raises(smtplib.SMTPDataError) as too_big:
        c.send(mail(message_id="<big@example.org>", attachments=[("scan.png", "image/png", b"x" * 30_000)]))
    assert too_big.value.smtp_code == 552 and b"at most 20000" in too_big.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as exe:
        c.send(mail(message_id="<exe@example.org>", attachments=[("run.exe", "application/x-msdownload", b"MZ")]))
    assert exe.value.smtp_code == 550
    huge = mail(message_id="<huge@example.org>", body=("y" * 70 + "\n") * 3600)
    with pytest.raises(smtplib.SMTPSenderRefused) as declared:  # over the SIZE the listener announces
        c.send(huge)
    assert declared.value.smtp_code == 552
    with smtplib.SMTP(*c.listener.address, timeout=10) as smtp:  # a client that does not declare the size
        smtp.ehlo()
        smtp.mail("jane@example.org")
        smtp.rcpt(SUPPORT)
        assert smtp.data(huge)[0] == 552
    assert len(c.received()) == 1


def test_malformed_mime_is_refused_with_its_reason(email_centre: EmailCentre, caplog: pytest.LogCaptureFixture) -> None:
    c = email_centre
    broken = (b"From: jane@example.org\r\nTo: support@centre.test\r\nSubject: broken\r\n"
              b"Content-Type: multipart/mixed\r\n\r\nno boundary at all\r\n")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        c.send(broken)
    assert refused.value.smtp_code == 550 and b"malformed MIME" in refused.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as headless:
        c.send(b"just some text without any header\r\n")
    assert headless.value.smtp_code == 550
    assert c.received() == []
    assert "malformed" in caplog.text


def test_the_same_message_delivered_twice_is_stored_once(email_centre: EmailCentre) -> None:
    c = email_centre
    raw = mail()
    c.send(raw)
    c.send(raw)
    c.send(raw, to=[SUPPORT, "help@centre.test"])  # two addresses of one mailbox
    assert len(c.received()) == 1 and len(c.events(ev.ContactCreated)) == 1


def test_one_acknowledgement_per_conversation_with_the_ticket_reference(email_centre: EmailCentre) -> None:
    c = email_centre
    c.send(mail())
    c.timers.run_due()
    c.send(mail(message_id="<m2@example.org>", headers={"References": "<m1@example.org>"}, body="again"))
    c.send(mail(to=SALES, message_id="<s1@example.org>"), to=[SALES])  # sales does not acknowledge
    c.timers.run_due()
    (ack,) = c.relay.received
    contact_id = c.received()[0].contact_id
    assert ack.rcpt_tos == ["jane@example.org"] and ack.mail_from == SUPPORT
    assert f"[#{contact_id}]" in ack.message["Subject"] and f"[#{contact_id}]" in ack.message.get_content()
    assert ack.message["Auto-Submitted"] == "auto-replied"
    assert ack.message["In-Reply-To"] == "<m1@example.org>"
    sent = c.events(ce.MessageSent)
    assert [(s.author_kind, s.contact_id) for s in sent] == [("system", contact_id)]

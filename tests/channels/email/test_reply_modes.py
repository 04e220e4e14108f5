"""Email reply modes through the real SMTP relay (a capturing aiosmtpd server): reply-all copies the other
recipients of the customer's mail, forward sends a message's text and attachments to a new recipient,
extra copies are added; other channels refuse these modes."""

from __future__ import annotations

import pytest

from blendcc.domain.conversation import Author, AuthorKind, SendMessage
from blendcc.domain.errors import NotFound, ValidationFailed

from .conftest import SUPPORT, EmailCentre, mail

ANN = Author(AuthorKind.AGENT, "a1")
GROUP = f"{SUPPORT}, Bob Roe <bob@example.org>"


def _conversation(c: EmailCentre, **kw: object) -> str:
    c.run(lambda eng, now: eng.login("a1", now))
    c.send(mail(to=GROUP, headers={"Cc": "Carol <carol@example.net>, jane@example.org"},
                attachments=[("invoice.pdf", "application/pdf", b"%PDF invoice 42")], **kw))  # type: ignore[arg-type]
    contact_id = str(c.received()[-1].contact_id)
    c.run(lambda eng, now: eng.accept(contact_id, "a1", now))
    c.timers.run_due()  # the acknowledgement
    return contact_id


def test_the_other_recipients_are_kept_and_reply_all_copies_them(email_centre: EmailCentre) -> None:
    c = email_centre
    contact_id = _conversation(c)
    inbound = c.container.conversations.thread(contact_id).messages[0]
    assert inbound.cc == ("bob@example.org", "carol@example.net")  # not the mailbox, not the sender
    out = c.container.conversations.write(SendMessage(contact_id, ANN, "We are on it.", mode="reply_all",
                                                      cc=("boss@example.com", "Bob@example.org")))
    c.timers.run_due()
    sent = c.relay.received[-1]
    assert sent.rcpt_tos == ["jane@example.org", "bob@example.org", "carol@example.net", "boss@example.com"]
    assert sent.message["To"] == "jane@example.org"
    assert sent.message["Cc"] == "bob@example.org, carol@example.net, boss@example.com"
    assert sent.message["Subject"] == f"Re: My order is late [#{contact_id}]"
    assert out["cc"] == ["bob@example.org", "carol@example.net", "boss@example.com"]
    plain = c.container.conversations.write(SendMessage(contact_id, ANN, "Only you."))  # a reply: no copies
    c.timers.run_due()
    assert c.relay.received[-1].rcpt_tos == ["jane@example.org"] and "Cc" not in c.relay.received[-1].message
    assert plain["cc"] == []


def test_forward_sends_the_text_and_the_attachments_to_a_new_recipient(email_centre: EmailCentre) -> None:
    c = email_centre
    contact_id = _conversation(c)
    inbound = c.container.conversations.thread(contact_id).messages[0]
    out = c.container.conversations.write(SendMessage(contact_id, ANN, "Billing, please check this invoice.",
                                                      mode="forward", to="billing@example.com",
                                                      forward_of=inbound.id))
    c.timers.run_due()
    sent = c.relay.received[-1]
    m = sent.message
    assert sent.rcpt_tos == ["billing@example.com"] and m["To"] == "billing@example.com"
    assert m["Subject"] == f"Fwd: My order is late [#{contact_id}]"
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Billing, please check this invoice.\n\n---------- Forwarded message ----------\n"
                           "From: jane@example.org\n")
    assert "Hello, where is order 42?" in text
    (attached,) = list(m.iter_attachments())
    assert attached.get_filename() == "invoice.pdf" and attached.get_content() == b"%PDF invoice 42"
    assert out["address"] == "billing@example.com" and [a["name"] for a in out["attachments"]] == ["invoice.pdf"]


def test_bad_modes_and_addresses_are_refused(email_centre: EmailCentre) -> None:
    c = email_centre
    contact_id = _conversation(c)
    write = c.container.conversations.write
    with pytest.raises(ValidationFailed, match="needs a recipient"):
        write(SendMessage(contact_id, ANN, "x", mode="forward"))
    with pytest.raises(ValidationFailed, match="not an email address"):
        write(SendMessage(contact_id, ANN, "x", mode="forward", to="billing@example.com\r\nBcc: x@evil.test"))
    with pytest.raises(ValidationFailed, match="not an email address"):
        write(SendMessage(contact_id, ANN, "x", cc=("a@b.test, c@d.test",)))
    with pytest.raises(ValidationFailed, match="for forwards"):
        write(SendMessage(contact_id, ANN, "x", to="someone@example.com"))
    with pytest.raises(ValidationFailed, match="mode must be"):
        write(SendMessage(contact_id, ANN, "x", mode="bcc"))
    with pytest.raises(NotFound):
        write(SendMessage(contact_id, ANN, "x", mode="forward", to="b@example.com", forward_of="nope"))
    sent_before = len(c.relay.received)
    c.timers.run_due()
    assert len(c.relay.received) == sent_before  # nothing refused was sent

"""Agent replies through the SMTP relay (a real aiosmtpd server): threading headers, signature, attachments,
retries on temporary failures, and the customer's answers, including one to a closed conversation."""

from __future__ import annotations

from typing import Any

from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev
from blendcc.domain.conversation import Author, AuthorKind, DeliveryStatus, SendMessage

from .conftest import SALES, SUPPORT, EmailCentre, mail

ANN = Author(AuthorKind.AGENT, "a1")


def _conversation(c: EmailCentre, agent: str = "a1", to: list[str] | None = None, **kw: Any) -> str:
    c.run(lambda eng, now: [] if eng.agents[agent].logged_in else eng.login(agent, now))
    c.send(mail(to=(to or [SUPPORT])[0], **kw), to=to)
    contact_id = str(c.received()[-1].contact_id)
    c.run(lambda eng, now: eng.accept(contact_id, agent, now))
    c.timers.run_due()  # the acknowledgement
    return contact_id


def _close(c: EmailCentre, contact_id: str, agent: str = "a1") -> None:
    c.run(lambda eng, now: eng.end(contact_id, agent, now))
    c.run(lambda eng, now: eng.wrap_up(contact_id, agent, now))


def test_an_agent_reply_goes_out_threaded_with_signature_and_attachment(email_centre: EmailCentre) -> None:
    c = email_centre
    c.run(lambda eng, now: eng.login("a1", now))
    contact_id = _conversation(c)
    label = c.container.email.attachments.put("label.pdf", "application/pdf", b"%PDF shipping label")
    out = c.container.conversations.write(SendMessage(contact_id, ANN, "Your order ships today.",
                                                      html="<p>Your order ships <b>today</b>.</p>",
                                                      attachments=(label,)))
    c.timers.run_due()
    ack, reply = c.relay.received
    m = reply.message
    assert reply.rcpt_tos == ["jane@example.org"] and reply.mail_from == "support@centre.test"
    assert m["Message-ID"] == f"<{out['id']}@centre.test>"
    assert m["In-Reply-To"] == "<m1@example.org>"
    assert m["References"].split() == ["<m1@example.org>", ack.message["Message-ID"]]
    assert m["Subject"] == f"Re: My order is late [#{contact_id}]"
    assert "Auto-Submitted" not in m
    text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Your order ships today.") and text.rstrip().endswith("-- \nAnn, customer care")
    assert "Ann, customer care" in m.get_body(("html",)).get_content()
    (attached,) = list(m.iter_attachments())
    assert attached.get_filename() == "label.pdf" and attached.get_content() == b"%PDF shipping label"
    message = c.container.conversations.thread(contact_id).find(out["id"])
    assert message.status is DeliveryStatus.SENT and message.provider_message_id == f"{out['id']}@centre.test"
    # the customer answers the reply: only In-Reply-To, as some clients do
    c.send(mail(subject="Re: thanks", body="great, thanks", message_id="<m9@example.org>",
                headers={"In-Reply-To": m["Message-ID"]}))
    assert c.received()[-1].contact_id == contact_id


def test_a_temporary_relay_failure_is_retried_then_delivered(email_centre: EmailCentre) -> None:
    c = email_centre
    contact_id = _conversation(c)
    c.relay.fail_next(2, "451 4.3.0 mailbox busy, try again later")
    out = c.container.conversations.write(SendMessage(contact_id, ANN, "We are on it."))
    c.timers.run_due()
    while c.timers.pending():
        c.timers.advance(c.timers.pending()[0] - c.clock_now())
    updates = [u for u in c.events(ce.MessageDeliveryUpdated) if u.message_id == out["id"]]
    assert [(u.status, u.attempt) for u in updates] == [("sent", 3)]
    assert [r.message["Subject"] for r in c.relay.received][-1] == f"Re: My order is late [#{contact_id}]"
    assert len([r for r in c.relay.received if r.message["Message-ID"] == f"<{out['id']}@centre.test>"]) == 1


def test_a_permanent_relay_refusal_fails_the_message_at_once(email_centre: EmailCentre) -> None:
    c = email_centre
    contact_id = _conversation(c)
    c.relay.fail_next(1, "550 5.1.1 no such user here")
    out = c.container.conversations.write(SendMessage(contact_id, ANN, "Hello?"))
    c.timers.run_due()
    assert not c.timers.pending()
    message = c.container.conversations.thread(contact_id).find(out["id"])
    assert message.status is DeliveryStatus.FAILED and message.attempts == 1
    assert "550" in (message.status_reason or "")


def test_a_reply_to_a_closed_conversation_opens_a_contact_for_the_same_agent(email_centre: EmailCentre) -> None:
    c = email_centre
    c.run(lambda eng, now: eng.login("a1", now))
    first = _conversation(c)
    out = c.container.conversations.write(SendMessage(first, ANN, "Refund issued."))
    c.timers.run_due()
    _close(c, first)
    # the customer's next, unrelated conversation is handled by Bob (so Bob is the customer's last agent)
    c.run(lambda eng, now: eng.logout("a1", now))
    c.run(lambda eng, now: eng.login("a2", now))
    other = _conversation(c, agent="a2", to=[SALES], subject="New topic", message_id="<n1@example.org>")
    _close(c, other, "a2")
    c.run(lambda eng, now: eng.login("a1", now))
    # now she answers Ann's reply in the first thread
    c.send(mail(subject="Re: Refund", body="the refund did not arrive", message_id="<m7@example.org>",
                headers={"In-Reply-To": f"<{out['id']}@centre.test>",
                         "References": f"<m1@example.org> <{out['id']}@centre.test>"}))
    last = c.received()[-1]
    assert last.contact_id not in (first, other)
    created = next(e for e in c.events(ev.ContactCreated) if e.contact_id == last.contact_id)
    assert created.attributes["reopens"] == first and created.attributes["preferred_agent_id"] == "a1"
    assert created.attributes["thread_ref"] == "m1@example.org"
    offered = [e.agent_id for e in c.events(ev.ContactOffered) if e.contact_id == last.contact_id]
    assert offered == ["a1"]  # sticky to the thread's agent, not the customer's last agent (Bob)
    c.timers.run_due()
    acks = [s for s in c.events(ce.MessageSent) if s.author_kind == "system" and s.contact_id == last.contact_id]
    assert acks == []  # a reopened thread is not acknowledged again

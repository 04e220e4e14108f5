"""Identity normalisation (E.164 with a default region, e-mail, social handles) and the erasure rules."""

from __future__ import annotations

import pytest

from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev
from blendcc.domain.customer import IdentityKind, normalise_identity
from blendcc.domain.customer_events import CustomerMerged
from blendcc.domain.customer_privacy import ERASED, scrub_attributes, scrub_event
from blendcc.domain.events import event_from_dict

P, E, S, C = IdentityKind.PHONE, IdentityKind.EMAIL, IdentityKind.SOCIAL, IdentityKind.CHAT


@pytest.mark.parametrize(("kind", "value", "region", "expected"), [
    (P, "+44 20 7946 0000", None, "+442079460000"),
    (P, "0044 (20) 7946-0000", None, "+442079460000"),
    (P, "020 7946 0000", "GB", "+442079460000"),
    (P, "(415) 555-0100", "US", "+14155550100"),
    (P, "020 7946 0000", None, "02079460000"),  # national, no region: the digits
    (P, "12345", "GB", "12345"),  # a short code stays itself
    (E, "  Ada.Lovelace@Example.COM ", None, "ada.lovelace@example.com"),  # dots kept (no gmail rules)
    (S, "WhatsApp:447700900123", None, "whatsapp:+447700900123"),
    (S, "whatsapp:+44 7700 900123", None, "whatsapp:+447700900123"),
    (S, "Telegram: 12345", None, "telegram:12345"),
    (S, "messenger:PSID-Abc", None, "messenger:PSID-Abc"),  # handles keep their case
    (C, " web-1 ", None, "web-1"),
])
def test_normalise(kind: IdentityKind, value: str, region: str | None, expected: str) -> None:
    assert normalise_identity(kind, value, region) == expected


def test_scrub_keeps_the_facts_and_blanks_the_personal_fields() -> None:
    personal = frozenset({"ada@example.com", "ada lovelace"})
    created = ev.ContactCreated(at=1.0, contact_id="c1", channel="email", direction="inbound", customer_id="A",
                                priority=3, attributes={"caller_id": "ada@example.com", "language": "en",
                                                        "contact_me": "Ada Lovelace", "tier": "gold"})
    out = scrub_event(created, "A", personal)
    assert isinstance(out, ev.ContactCreated)
    assert out.attributes == {"language": "en", "tier": "gold"}
    assert (out.contact_id, out.channel, out.priority, out.customer_id) == ("c1", "email", 3, "A")
    received = ce.MessageReceived(at=2.0, contact_id="c1", message_id="m1", channel="email",
                                  channel_instance="box", body="hello", html="<p>hello</p>",
                                  provider_message_id="<id@x>", address="ada@example.com")
    out = scrub_event(received, "A", personal)
    assert isinstance(out, ce.MessageReceived)
    assert (out.body, out.html, out.address, out.provider_message_id) == (ERASED, None, None, "<id@x>")
    wrap = ev.WrapUpCompleted(at=3.0, contact_id="c1", agent_id="a1", queue_id="q", channel="email", queued_at=1.0,
                              disposition="sale", notes="call Ada back", talk_s=10.0, hold_s=0.0, acw_s=5.0)
    out = scrub_event(wrap, "A", personal)
    assert isinstance(out, ev.WrapUpCompleted)
    assert (out.notes, out.disposition, out.talk_s, out.acw_s) == (ERASED, "sale", 10.0, 5.0)
    survey = ce.SurveyAnswered(at=4.0, contact_id="c1", survey="csat", score=2, comment="slow")
    assert scrub_event(survey, "A", personal) == ce.SurveyAnswered(at=4.0, contact_id="c1", survey="csat",
                                                                   score=2, comment=ERASED)
    queued = ev.ContactQueued(at=1.5, contact_id="c1", queue_id="q", channel="email", step_index=0, priority=3)
    assert scrub_event(queued, "A", personal) is None
    assert scrub_attributes({"email": "x@y", "n": 1}) == {"n": 1}


def test_merge_events_round_trip_through_their_stored_form() -> None:
    merged = CustomerMerged(at=5.0, customer_id="A", merge_id="m1", from_customer_id="B",
                            identities=[["phone", "+44"], ["email", "b@x"]], contact_ids=["c1"],
                            fields_set={"k": [1, 2]}, fields_added=["k"], tags_added=["vip"])
    assert merged.identities == (("phone", "+44"), ("email", "b@x"))
    stored = {k: v for k, v in merged.to_dict().items()}
    assert event_from_dict("CustomerMerged", stored) == merged
    erased = scrub_event(merged, "B")
    assert isinstance(erased, CustomerMerged)
    assert (erased.identities, erased.fields_set, erased.contact_ids) == ((), {}, ("c1",))
    assert scrub_event(merged, "Z") is None

"""Queue configuration, event serialisation and customer identity normalisation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from blendcc.domain import events as ev
from blendcc.domain.channels import Channel
from blendcc.domain.customer import IdentityKind, normalise_identity
from blendcc.domain.interaction import RouteStep
from blendcc.domain.queue import QueueConfig


def test_queue_defaults_and_thresholds() -> None:
    q = QueueConfig(id="sales", skills={"sales": 2, "french": 1})
    assert q.sl_threshold(Channel.VOICE) == 20.0
    assert q.sl_threshold(Channel.CHAT) == 60.0
    assert q.sl_threshold(Channel.EMAIL) == 3600.0
    assert QueueConfig(id="x", sl_threshold_s=30).sl_threshold(Channel.EMAIL) == 30
    assert q.skill_requirement() == (("french", 1), ("sales", 2))
    assert q.short_abandon_s == 5.0
    assert q.strategy == "longest_idle"


def test_queue_validation() -> None:
    with pytest.raises(ValidationError):
        QueueConfig(id="x", skills={"sales": 0})
    with pytest.raises(ValidationError, match="closed_overflow_queue"):
        QueueConfig(id="x", calendar_id="uk", closed_action="overflow")
    with pytest.raises(ValidationError):
        QueueConfig(id="x y")
    with pytest.raises(ValidationError):
        QueueConfig(id="x", offer_timeout_s=0)


def test_event_round_trip() -> None:
    routed = ev.ContactRouted(contact_id="c1", workflow_id="w", filter_name="default",
                              steps=(RouteStep(queue_id="q", skills=(("a", 1),), timeout_s=5.0),), at=1.0)
    data = routed.to_dict()
    assert data["steps"][0]["skills"] == [["a", 1]]
    assert ev.event_from_dict(routed.type, data) == routed
    created = ev.ContactCreated(contact_id="c1", channel="voice", direction="inbound", customer_id=None,
                                priority=0, attributes={"ivr": {"menu": "2"}}, at=2.0)
    assert ev.event_from_dict("ContactCreated", created.to_dict()) == created
    with pytest.raises(ValueError, match="unknown event type"):
        ev.event_from_dict("Nope", {})
    assert ev.AgentLoggedIn.topic == "agent"
    assert ev.ContactQueued.topic == "contact"


def test_subject_ids() -> None:
    t = ev.ContactTransferred(contact_id="c1", from_agent_id="a1", from_queue_id="q1", channel="voice",
                              queued_at=0.0, to_queue_id="q2", to_agent_id=None, at=1.0)
    assert ev.subject_ids(t) == ("c1", "a1", "q1")
    assert ev.subject_ids(ev.AgentLoggedIn(agent_id="a9", at=0.0)) == (None, "a9", None)


@pytest.mark.parametrize(
    ("kind", "raw", "canonical"),
    [
        (IdentityKind.PHONE, "+44 20 7946 0000", "+442079460000"),
        (IdentityKind.PHONE, "0044 (20) 7946-0000", "+442079460000"),
        (IdentityKind.PHONE, "020 7946 0000", "02079460000"),
        (IdentityKind.EMAIL, " Jane.Doe@Example.COM ", "jane.doe@example.com"),
        (IdentityKind.CHAT, " web-123 ", "web-123"),
    ],
)
def test_normalise_identity(kind: IdentityKind, raw: str, canonical: str) -> None:
    assert normalise_identity(kind, raw) == canonical

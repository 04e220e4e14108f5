"""The conversation model: events round-trip through their stored form, the thread fold, delivery-status
progress (a property over any order of receipts), message ids, retry back-off and channel capabilities."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain import conversation_events as ce
from blendcc.domain.conversation import (
    Attachment,
    AuthorKind,
    ChannelRef,
    DeliveryStatus,
    MessageDirection,
    RetryPolicy,
    advances,
    contact_of_message,
    fold_thread,
    message_id_for,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.domain.events import EVENT_TYPES, event_from_dict
from blendcc.ports import ChannelCapabilities

PDF = Attachment("f1", "invoice.pdf", "application/pdf", 1234, "https://files.example/f1")


def _thread_events() -> list[ce.MessageEvent]:
    return [
        ce.MessageReceived(contact_id="c1", message_id="c1.m1", channel="sms", channel_instance="+4420",
                           body="my parcel?", provider_message_id="SM1", address="+447700900001",
                           attachments=(PDF,), at=10.0),
        ce.NoteAdded(contact_id="c1", message_id="c1.m2", author_kind="agent", author_id="a1",
                     body="VIP customer", at=11.0),
        ce.MessageSent(contact_id="c1", message_id="c1.m3", channel="sms", channel_instance="+4420",
                       author_kind="agent", author_id="a1", body="on its way", to="+447700900001", at=12.0),
        ce.MessageDeliveryUpdated(contact_id="c1", message_id="c1.m3", status="sent", attempt=2,
                                  provider_message_id="SM2", at=13.0),
        ce.MessageDeliveryUpdated(contact_id="c1", message_id="c1.m3", status="read", attempt=2, at=15.0),
        ce.MessageDeliveryUpdated(contact_id="c1", message_id="c1.m3", status="delivered", attempt=2, at=16.0),
    ]


def test_message_events_are_registered_and_round_trip_through_json() -> None:
    for e in _thread_events():
        assert EVENT_TYPES[e.type] is type(e)
        stored = json.loads(json.dumps(e.to_dict()))  # what the SQL store and the bus carry
        assert event_from_dict(e.type, stored) == e
    received = _thread_events()[0]
    assert received.to_dict()["attachments"] == [PDF.to_dict()]


def test_the_thread_folds_messages_notes_and_delivery_progress_in_order() -> None:
    events = _thread_events()
    other = ce.MessageReceived(contact_id="c2", message_id="c2.m1", channel="sms", channel_instance="+4420",
                               body="not this thread", at=12.5)
    thread = fold_thread("c1", [*events[:3], other, *events[3:]])
    assert [m.direction for m in thread.messages] == [MessageDirection.INBOUND, MessageDirection.NOTE,
                                                      MessageDirection.OUTBOUND]
    inbound, note, reply = thread.messages
    assert inbound.attachments == (PDF,) and inbound.author.kind is AuthorKind.CUSTOMER
    assert inbound.status is None and note.status is None and note.channel is None
    assert note.author.id == "a1"
    # "delivered" after "read" is a late receipt: the message stays read
    assert reply.status is DeliveryStatus.READ and reply.status_at == 15.0
    assert reply.provider_message_id == "SM2" and reply.attempts == 2 and reply.address == "+447700900001"
    assert thread.has_provider_id(ChannelRef("sms", "+4420"), "SM1")
    assert not thread.has_provider_id(ChannelRef("sms", "other"), "SM1")
    assert thread.last_inbound_at == 10.0
    assert reply.to_dict()["status"] == "read" and reply.to_dict()["author"] == {"kind": "agent", "id": "a1"}


def test_a_replayed_duplicate_event_does_not_duplicate_the_message() -> None:
    events = _thread_events()
    assert fold_thread("c1", [*events, events[0]]).messages == fold_thread("c1", events).messages


STATUSES = [s for s in DeliveryStatus if s is not DeliveryStatus.QUEUED]


@given(st.lists(st.sampled_from(STATUSES), max_size=8))
def test_delivery_status_only_moves_forward_whatever_order_receipts_arrive_in(order: list[DeliveryStatus]) -> None:
    sent = ce.MessageSent(contact_id="c1", message_id="c1.m1", channel="chat", channel_instance="w",
                          author_kind="agent", author_id="a1", body="hi", at=0.0)
    updates = [ce.MessageDeliveryUpdated(contact_id="c1", message_id="c1.m1", status=s.value, at=float(i + 1))
               for i, s in enumerate(order)]
    (message,) = fold_thread("c1", [sent, *updates]).messages
    rank = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3}
    # expected: walk the receipts, keeping the furthest status; failure counts only before delivery
    expected = DeliveryStatus.QUEUED
    for s in order:
        if expected is DeliveryStatus.FAILED:
            break
        if s is DeliveryStatus.FAILED:
            if expected in (DeliveryStatus.QUEUED, DeliveryStatus.SENT):
                expected = s
        elif rank[s] > rank[expected]:
            expected = s
    assert message.status is expected
    assert advances(None, DeliveryStatus.SENT)


def test_message_ids_name_their_contact() -> None:
    mid = message_id_for("web.chat-7", "a1b2c3")
    assert mid == "web.chat-7.ma1b2c3"
    assert contact_of_message(mid) == "web.chat-7"
    assert contact_of_message("SM123") is None
    assert contact_of_message("c1.m") is None
    with pytest.raises(ValueError):
        message_id_for("c1", "not ok")


def test_retry_backoff_doubles_up_to_a_cap_and_stops_after_the_last_attempt() -> None:
    policy = RetryPolicy(attempts=5, base_s=2.0, factor=2.0, max_s=10.0)
    assert [policy.delay_after(n) for n in range(1, 6)] == [2.0, 4.0, 8.0, 10.0, None]


def test_attachments_are_references_with_a_media_type() -> None:
    with pytest.raises(ValidationFailed):
        Attachment("f", "x", "pdf", 1, "https://files.example/x")
    with pytest.raises(ValidationFailed):
        Attachment("f", "x", "application/pdf", -1, "https://files.example/x")


def test_capabilities_refuse_inconsistent_declarations() -> None:
    with pytest.raises(ValueError, match="without text"):
        ChannelCapabilities(realtime=True, text=False, typing_indicators=True)
    with pytest.raises(ValueError, match="attachment limits"):
        ChannelCapabilities(realtime=False, max_attachment_bytes=10)
    with pytest.raises(ValueError, match="read receipts"):
        ChannelCapabilities(realtime=False, read_receipts=True)


def test_capabilities_say_why_a_message_cannot_be_sent() -> None:
    whatsapp = ChannelCapabilities(realtime=False, attachments=True, max_attachment_bytes=5_000_000,
                                   attachment_types=("image/*", "application/pdf"), delivery_receipts=True,
                                   read_receipts=True, max_message_length=4096, reply_window_s=86400.0)
    assert whatsapp.refusal("hi", None, (PDF,), last_inbound_at=0.0, now=3600.0) is None
    assert "template" in (whatsapp.refusal("hi", None, (), last_inbound_at=0.0, now=90000.0) or "")
    assert "template" in (whatsapp.refusal("hi", None, (), last_inbound_at=None, now=1.0) or "")
    zip_ = Attachment("f2", "a.zip", "application/zip", 10, "https://files.example/f2")
    assert "application/zip" in (whatsapp.refusal("hi", None, (zip_,), 0.0, 1.0) or "")
    png = Attachment("f3", "a.png", "image/png", 6_000_000, "https://files.example/f3")
    assert "at most 5000000" in (whatsapp.refusal("hi", None, (png,), 0.0, 1.0) or "")
    assert "4096" in (whatsapp.refusal("x" * 4097, None, (), 0.0, 1.0) or "")
    assert "plain text only" in (whatsapp.refusal("", "<p>hi</p>", (), 0.0, 1.0) or "")

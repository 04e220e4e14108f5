"""The conversation use case beyond the contract: which conversation a message joins, receipts found by
our echoed id, a broken adapter, inputs refused up front, and message events replayed after a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from blendcc.adapters.channels.base import ingest
from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import (
    Author,
    AuthorKind,
    ChannelRef,
    ChannelUnsupported,
    DeliveryStatus,
    OutboundMessage,
    ReceiveMessage,
    SendMessage,
    UpdateDelivery,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.testing.fake_channel import FakeChannel

from .support import Centre

AGENT = Author(AuthorKind.AGENT, "a1")


def test_a_message_joins_the_open_conversation_of_its_channel_instance_only() -> None:
    support, sales = FakeChannel("email", "support@x"), FakeChannel("email", "sales@x")
    centre = Centre(support, sales)
    a = centre.service.receive(ReceiveMessage(support.channel, "Jane@Example.com", "invoice wrong", "m1"))
    b = centre.service.receive(ReceiveMessage(sales.channel, "jane@example.com", "want to buy", "m1"))
    c = centre.service.receive(ReceiveMessage(support.channel, "jane@example.com", "any news?", "m2"))
    assert a.created_contact and b.created_contact and not c.created_contact
    assert c.contact_id == a.contact_id != b.contact_id  # same provider id on another mailbox is another message
    rows = {r["contact_id"]: r for r in centre.store.interactions()}
    assert rows[a.contact_id]["customer_id"] == rows[b.contact_id]["customer_id"]  # one customer by email
    assert rows[a.contact_id]["attributes"]["channel_instance"] == "support@x"


def test_after_the_conversation_closes_the_customer_starts_a_new_contact() -> None:
    chat = FakeChannel()
    centre = Centre(chat)
    first = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello", "p1"))
    centre.runtime.execute(lambda eng, now: eng.customer_left(first.contact_id, now))
    again = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello again", "p2"))
    assert again.created_contact and again.contact_id != first.contact_id
    # the closed conversation still holds its provider ids: a late duplicate stores nothing
    late = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello", "p1"))
    assert late.duplicate and late.contact_id == first.contact_id


def test_receipts_find_the_message_by_our_echoed_id_and_unknown_ones_change_nothing() -> None:
    chat = FakeChannel()
    centre = Centre(chat)
    centre.login()
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hi", "p1"))
    centre.accept(got.contact_id)
    out = centre.service.write(SendMessage(got.contact_id, AGENT, "hello"))
    centre.timers.run_due()
    restarted = centre.new_service()  # knows no provider ids
    assert restarted.update_delivery(UpdateDelivery(chat.channel, DeliveryStatus.READ, message_id=out["id"]))
    message = centre.thread(got.contact_id).find(out["id"])
    assert message is not None and message.status is DeliveryStatus.READ
    stored = len(centre.events())
    assert not restarted.update_delivery(UpdateDelivery(chat.channel, DeliveryStatus.READ, provider_message_id="zz"))
    assert not restarted.update_delivery(UpdateDelivery(chat.channel, DeliveryStatus.READ,
                                                        message_id=got.message_id))  # inbound: no receipts
    assert len(centre.events()) == stored


class BrokenChannel(FakeChannel):
    def deliver(self, message: OutboundMessage) -> str:
        raise KeyError("provider SDK bug")


def test_a_broken_adapter_fails_the_message_instead_of_leaving_it_queued() -> None:
    chat = BrokenChannel()
    centre = Centre(chat)
    centre.login()
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hi", "p1"))
    centre.accept(got.contact_id)
    out = centre.service.write(SendMessage(got.contact_id, AGENT, "hello"))
    centre.timers.run_due()
    message = centre.thread(got.contact_id).find(out["id"])
    assert message is not None and message.status is DeliveryStatus.FAILED
    assert "provider SDK bug" in (message.status_reason or "")


def test_bad_inbound_commands_are_refused_before_anything_is_stored() -> None:
    chat = FakeChannel()
    centre = Centre(chat)
    bad = [ReceiveMessage(chat.channel, "web-1", "  "),
           ReceiveMessage(chat.channel, " ", "hi"),
           ReceiveMessage(ChannelRef("fax"), "web-1", "hi"),
           ReceiveMessage(ChannelRef("voice"), "+15550001", "hi")]
    for command in bad:
        with pytest.raises(ValidationFailed):
            centre.service.receive(command)
    with pytest.raises(ChannelUnsupported):
        centre.service.receive(bad[-1])
    with pytest.raises(ValidationFailed, match="produced a command for"):
        ingest(_Misrouting(instance="other"), FakeChannel.message("p", "web-1", "hi"), _Inbox(chat))
    assert centre.events() == []


class _Misrouting(FakeChannel):
    """An adapter that translates into commands for another channel instance (a wiring mistake)."""

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        return FakeChannel().translate(payload)


class _Inbox:
    """An inbox for an adapter whose commands name another channel (never reached)."""

    def __init__(self, adapter: FakeChannel) -> None:
        self.adapter = adapter

    def receive(self, command: ReceiveMessage) -> object:
        raise AssertionError("a command for another channel must not reach the inbox")

    def update_delivery(self, command: UpdateDelivery) -> bool:
        raise AssertionError("a command for another channel must not reach the inbox")


def test_message_events_replay_after_a_restart() -> None:
    chat = FakeChannel()
    centre = Centre(chat)
    centre.login()
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hi", "p1"))
    centre.accept(got.contact_id)
    centre.service.write(SendMessage(got.contact_id, AGENT, "hello"))
    centre.timers.run_due()
    before = centre.thread(got.contact_id)
    restarted = Runtime(centre.runtime.engine.catalog, centre.store, centre.bus, centre.clock,
                        LiveStats(lambda q, c: (20.0, 5.0)))
    contact = restarted.query(lambda eng, now: eng.contacts[got.contact_id])
    assert contact.agent_id == "a1" and contact.channel is Channel.CHAT
    centre.runtime = restarted
    service = centre.new_service()
    assert service.thread(got.contact_id) == before
    assert not service.receive(ReceiveMessage(chat.channel, "web-1", "more", "p2")).created_contact


def test_a_thread_reference_keeps_parallel_conversations_apart() -> None:
    mailbox = FakeChannel("email", "support@x")
    centre = Centre(mailbox)
    invoice = centre.service.receive(ReceiveMessage(mailbox.channel, "jane@example.com", "invoice", "m1",
                                                    thread_ref="<m1@example.com>", subject="Invoice"))
    parcel = centre.service.receive(ReceiveMessage(mailbox.channel, "jane@example.com", "parcel", "m2",
                                                   thread_ref="<m2@example.com>", subject="Parcel"))
    reply = centre.service.receive(ReceiveMessage(mailbox.channel, "jane@example.com", "re: invoice", "m3",
                                                  thread_ref="<m1@example.com>"))
    assert parcel.created_contact and parcel.contact_id != invoice.contact_id
    assert not reply.created_contact and reply.contact_id == invoice.contact_id
    row = centre.store.interaction(parcel.contact_id)
    assert row is not None and row["attributes"]["subject"] == "Parcel"

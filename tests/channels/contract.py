"""The channel adapter contract: every ``ports.ChannelAdapter`` passes these tests (fake, API, SIP...).

A test module subclasses ``ChannelContract`` (every channel), ``MessagingContract`` (channels that carry
messages) or ``FailingProviderContract`` (their provider can fail a delivery), provides the ``adapter``
fixture and the provider-side hooks: ``inbound(provider_id, sender, text)`` (the provider's input for a
customer message, or None when the channel carries no messages), ``provider_id(given)`` (the id the channel
derives from it; default: the same), ``receipt(provider_id, status)`` (None
without delivery receipts) and ``break_provider(adapter, n, final)`` (make the next n deliveries fail).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from blendcc.adapters.channels.base import ingest
from blendcc.domain import conversation_events as ce
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import (
    Attachment,
    Author,
    AuthorKind,
    ChannelUnsupported,
    DeliveryStatus,
    MessageDirection,
    Received,
    ReceiveMessage,
    SendMessage,
)
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ChannelAdapter, ChannelCapabilities

from .support import POLICY, Centre

AGENT = Author(AuthorKind.AGENT, "a1")


class ChannelContract:
    # ------------------------------------------------------------------ hooks (override)

    def inbound(self, provider_id: str, sender: str, text: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def receipt(self, provider_id: str, status: str) -> dict[str, Any] | None:
        return None

    def break_provider(self, adapter: ChannelAdapter, n: int, final: bool) -> bool:
        return False

    def provider_id(self, given: str) -> str:
        """The provider message id a channel derives from the id given to ``inbound`` (Telegram's are
        integers)."""
        return given

    # ------------------------------------------------------------------ helpers

    @pytest.fixture
    def centre(self, adapter: ChannelAdapter) -> Centre:
        return Centre(adapter)

    def _text(self, adapter: ChannelAdapter) -> bool:
        return adapter.capabilities.text

    def _conversation(self, centre: Centre, adapter: ChannelAdapter) -> str:
        """A contact of this channel held by agent a1 (text channels: opened by a customer's message)."""
        centre.login()
        payload = self.inbound("p-open", "+447700900001", "hello, my order is late")
        if payload is None:
            contact_id = centre.contact(Channel(adapter.channel.kind), caller_id="+447700900001")
        else:
            (received,) = ingest(adapter, payload, centre.service)
            assert isinstance(received, Received)
            contact_id = received.contact_id
        centre.accept(contact_id)
        return contact_id

    # ------------------------------------------------------------------ the contract

    def test_capabilities_are_consistent(self, adapter: ChannelAdapter) -> None:
        caps = adapter.capabilities
        assert isinstance(caps, ChannelCapabilities)
        assert dataclasses.replace(caps) == caps  # the consistency checks pass
        assert adapter.channel.kind in {c.value for c in Channel}
        assert adapter.channel.instance
        if adapter.channel.kind == Channel.VOICE.value:
            assert caps.realtime and not caps.text
        if caps.text:
            assert caps.refusal("hello", None, ()) is None
        else:
            assert "no text" in (caps.refusal("hello", None, ()) or "")
        if caps.text and caps.max_message_length is not None:
            assert caps.refusal("x" * (caps.max_message_length + 1), None, ()) is not None
        big = Attachment("f1", "scan.pdf", "application/pdf", 10**12, "https://files.example/f1")
        assert caps.refusal("see attached", None, (big,)) is not None  # no channel sends a terabyte

    def test_inbound_input_becomes_receive_commands(self, adapter: ChannelAdapter) -> None:
        payload = self.inbound("p-1", "+447700900001", "hello there")
        if payload is None:
            with pytest.raises(ChannelUnsupported):
                adapter.translate({"text": "hello"})
            return
        (command,) = adapter.translate(payload)
        assert isinstance(command, ReceiveMessage)
        assert command.channel == adapter.channel
        assert command.body == "hello there"
        assert command.provider_message_id == self.provider_id("p-1")
        assert command.address.strip()

    def test_malformed_input_is_refused_with_a_validation_error(self, adapter: ChannelAdapter) -> None:
        for bad in ({}, {"type": 42}, {"from": ["x"], "text": None}):
            with pytest.raises(ValidationFailed):
                adapter.translate(bad)

    def test_unsupported_operations_are_refused_and_store_nothing(self, adapter: ChannelAdapter,
                                                                  centre: Centre) -> None:
        contact_id = self._conversation(centre, adapter)
        caps = adapter.capabilities
        stored = len(centre.events())
        refused: list[SendMessage] = []
        if not caps.text:
            refused.append(SendMessage(contact_id, AGENT, "hello"))
        if caps.max_message_length is not None:
            refused.append(SendMessage(contact_id, AGENT, "x" * (caps.max_message_length + 1)))
        exe = Attachment("f2", "run.exe", "application/x-msdownload", 10, "https://files.example/f2")
        if not caps.attachments or not caps.accepts_type(exe.media_type):
            refused.append(SendMessage(contact_id, AGENT, "see attached", attachments=(exe,)))
        assert refused, "every channel refuses something"
        for command in refused:
            with pytest.raises(ChannelUnsupported):
                centre.service.write(command)
        assert len(centre.events()) == stored and not centre.timers.pending()
        if not caps.text:
            with pytest.raises(ChannelUnsupported):
                adapter.deliver(_outbound(contact_id, adapter))
        # an internal note needs no channel: every channel's threads take notes
        note = centre.service.write(SendMessage(contact_id, AGENT, "customer sounded upset",
                                                direction=MessageDirection.NOTE))
        assert note["direction"] == "note" and note["status"] is None and not centre.timers.pending()


class MessagingContract(ChannelContract):
    """The contract of channels that carry messages (every channel but voice)."""

    def test_inbound_messages_open_a_contact_then_join_it(self, adapter: ChannelAdapter, centre: Centre) -> None:
        first = self.inbound("p-1", "+447700900001", "hello")
        assert first is not None
        centre.login()
        (a,) = ingest(adapter, first, centre.service)
        second = self.inbound("p-2", "+447700900001", "are you there?")
        assert second is not None
        (b,) = ingest(adapter, second, centre.service)
        assert isinstance(a, Received) and isinstance(b, Received)
        assert a.created_contact and not b.created_contact and a.contact_id == b.contact_id
        thread = centre.thread(a.contact_id)
        assert [(m.direction, m.body, m.provider_message_id) for m in thread.messages] == [
            (MessageDirection.INBOUND, "hello", self.provider_id("p-1")),
            (MessageDirection.INBOUND, "are you there?", self.provider_id("p-2"))]
        created = [e for e in centre.events() if e.type == "ContactCreated"]
        assert len(created) == 1 and created[0].channel == adapter.channel.kind  # type: ignore[attr-defined]
        offered = [e for e in centre.events() if e.type == "ContactOffered"]
        assert [e.agent_id for e in offered] == ["a1"]  # type: ignore[attr-defined]  # routed like any contact

    def test_a_duplicated_provider_message_id_creates_nothing_twice(self, adapter: ChannelAdapter,
                                                                    centre: Centre) -> None:
        payload = self.inbound("p-dup", "+447700900002", "hello")
        assert payload is not None
        (first,) = ingest(adapter, payload, centre.service)
        stored = len(centre.events())
        (again,) = ingest(adapter, payload, centre.service)
        # after a restart the in-memory index is gone; the stored threads still know the id
        (after_restart,) = ingest(adapter, payload, centre.new_service())
        assert isinstance(first, Received) and isinstance(again, Received) and isinstance(after_restart, Received)
        assert again.duplicate and after_restart.duplicate and not first.duplicate
        assert again.contact_id == after_restart.contact_id == first.contact_id
        assert again.message_id == first.message_id
        assert len(centre.events()) == stored

    def test_outbound_reply_is_delivered_and_receipts_move_it_on(self, adapter: ChannelAdapter,
                                                                 centre: Centre) -> None:
        assert self._text(adapter)
        contact_id = self._conversation(centre, adapter)
        out = centre.service.write(SendMessage(contact_id, AGENT, "we are on it"))
        assert out["status"] == "queued"
        centre.timers.run_due()
        message = centre.thread(contact_id).find(out["id"])
        assert message is not None and message.status is DeliveryStatus.SENT and message.attempts == 1
        assert message.provider_message_id
        receipt = self.receipt(message.provider_message_id, "delivered")
        if receipt is None:
            return
        assert ingest(adapter, receipt, centre.service) == [True]
        assert ingest(adapter, receipt, centre.service) == [True]  # a repeated receipt changes nothing
        message = centre.thread(contact_id).find(out["id"])
        assert message is not None and message.status is DeliveryStatus.DELIVERED
        updates = [e for e in centre.events() if isinstance(e, ce.MessageDeliveryUpdated)]
        assert [u.status for u in updates] == ["sent", "delivered"]


class FailingProviderContract(MessagingContract):
    """The contract of channels whose provider can fail a delivery (retries and final refusals)."""

    def test_outbound_delivery_retries_with_backoff_then_reports_failed(self, adapter: ChannelAdapter,
                                                                         centre: Centre) -> None:
        contact_id = self._conversation(centre, adapter)
        assert self.break_provider(adapter, POLICY.attempts, False)
        out = centre.service.write(SendMessage(contact_id, AGENT, "hello?"))
        waits = []
        start = centre.clock.now()
        centre.timers.run_due()
        while centre.timers.pending():
            due = centre.timers.pending()[0]
            waits.append(due - centre.clock.now())
            centre.timers.advance(due - centre.clock.now())
        assert waits == [POLICY.delay_after(n) for n in range(1, POLICY.attempts)]
        message = centre.thread(contact_id).find(out["id"])
        assert message is not None and message.status is DeliveryStatus.FAILED
        assert message.attempts == POLICY.attempts and message.status_reason
        assert message.status_at == start + sum(w for w in waits if w is not None)

    def test_a_final_refusal_is_not_retried(self, adapter: ChannelAdapter, centre: Centre) -> None:
        contact_id = self._conversation(centre, adapter)
        assert self.break_provider(adapter, 1, True)
        out = centre.service.write(SendMessage(contact_id, AGENT, "hello?"))
        centre.timers.run_due()
        assert not centre.timers.pending()
        message = centre.thread(contact_id).find(out["id"])
        assert message is not None and message.status is DeliveryStatus.FAILED and message.attempts == 1


def _outbound(contact_id: str, adapter: ChannelAdapter) -> Any:
    from blendcc.domain.conversation import OutboundMessage

    return OutboundMessage(contact_id, f"{contact_id}.m1", adapter.channel, "+447700900001", "hello")


"""The web-chat channel adapter: a customer's socket frame becomes a ``ReceiveMessage`` (idempotent by the
widget's client id, threaded by the session id); an agent's message is delivered by the customer's live
sockets (pushed when it was stored, ADR 0025), or read from the thread when the customer reconnects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from blendcc.adapters.channels.base import ChannelBase, attachments_field, text_field
from blendcc.domain.conversation import ChannelRef, OutboundMessage, ReceiveMessage, UpdateDelivery
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ChannelCapabilities

MAX_MESSAGE_LENGTH = 10_000


def capabilities(max_attachment_bytes: int, attachment_types: tuple[str, ...]) -> ChannelCapabilities:
    return ChannelCapabilities(realtime=True, text=True, threading=True, attachments=True,
                               max_attachment_bytes=max_attachment_bytes, attachment_types=attachment_types,
                               typing_indicators=True, delivery_receipts=True, read_receipts=True,
                               max_message_length=MAX_MESSAGE_LENGTH)


class WebchatChannel(ChannelBase):
    """One widget instance (``chat``/<instance>). ``live(session_id)`` counts the session's open sockets;
    ``delivered(message)`` is told when a message reached at least one of them."""

    def __init__(self, instance: str, max_attachment_bytes: int, attachment_types: tuple[str, ...],
                 live: Callable[[str], int], delivered: Callable[[OutboundMessage], None] | None = None):
        super().__init__(ChannelRef("chat", instance), capabilities(max_attachment_bytes, attachment_types))
        self._live = live
        self._delivered = delivered

    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """``{"session_id", "client_id", "body", "attachments"?, "name"?}`` -> one ReceiveMessage."""
        session_id = text_field(payload, "session_id", max_length=100) or ""
        client_id = text_field(payload, "client_id", max_length=100) or ""
        if not session_id or not client_id:
            raise ValidationFailed("a web-chat message needs its session id and client id")
        return [ReceiveMessage(self._channel, session_id, text_field(payload, "body", max_length=MAX_MESSAGE_LENGTH)
                               or "", provider_message_id=f"{session_id}:{client_id}",
                               customer_name=text_field(payload, "name", required=False, max_length=100),
                               thread_ref=session_id, attachments=attachments_field(payload))]

    def deliver(self, message: OutboundMessage) -> str:
        session_id = message.thread_ref or message.to
        if session_id and self._live(session_id) > 0 and self._delivered is not None:
            self._delivered(message)
        return message.message_id  # stored in the thread: a reconnecting customer reads it there

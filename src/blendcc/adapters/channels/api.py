"""The generic API channel: contacts created through POST /api/contacts; replies are read back through the
API (GET /api/contacts/{id}/messages) and the contact event stream, so delivering one is publishing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blendcc.adapters.channels.base import VOICE_CAPABILITIES, ChannelBase, VoiceOnly, attachments_field, text_field
from blendcc.domain.conversation import ChannelRef, OutboundMessage, ReceiveMessage, UpdateDelivery
from blendcc.ports import ChannelCapabilities

API_CAPABILITIES = ChannelCapabilities(realtime=False, text=True, threading=True, html=True, attachments=True,
                                       max_attachment_bytes=25 * 1024 * 1024, max_message_length=10_000)


class ApiChannel(ChannelBase):
    """One messaging kind (chat, sms, email, social) of the generic API, instance ``default``."""

    def __init__(self, kind: str, instance: str = "default"):
        super().__init__(ChannelRef(kind, instance), API_CAPABILITIES)


    def translate(self, payload: Mapping[str, Any]) -> list[ReceiveMessage | UpdateDelivery]:
        """``{"from", "text", "id"?, "name"?, "subject"?, "attachments"?}`` -> one ReceiveMessage."""
        return [ReceiveMessage(self._channel, text_field(payload, "from", max_length=256) or "",
                               text_field(payload, "text", max_length=10_000) or "",
                               provider_message_id=text_field(payload, "id", required=False, max_length=256),
                               customer_name=text_field(payload, "name", required=False, max_length=200),
                               subject=text_field(payload, "subject", required=False, max_length=1000),
                               attachments=attachments_field(payload))]

    def deliver(self, message: OutboundMessage) -> str:
        return message.message_id  # stored in the thread, which is what the API client reads


class ApiVoiceChannel(VoiceOnly):
    """Voice contacts reported through the API (a PBX outside blendcc) when the SIP edge is off: calls,
    never text."""

    def __init__(self, instance: str = "default"):
        self.channel = ChannelRef("voice", instance)

    @property
    def capabilities(self) -> ChannelCapabilities:
        return VOICE_CAPABILITIES

"""The SIP voice channel as the channel registry sees it: real time, no text; calls go through the gateway."""

from __future__ import annotations

from blendcc.adapters.channels.base import VoiceOnly
from blendcc.domain.conversation import ChannelRef
from blendcc.ports import ChannelCapabilities

#: what a phone call can carry as a channel: a real-time conversation, no messages
VOICE_CAPABILITIES = ChannelCapabilities(realtime=True, text=False)


class SipChannel(VoiceOnly):
    """Registers the SIP edge (instance ``sip``, or a trunk's name) under channel kind ``voice``.

    Calls and their legs reach the application through ``SipGateway`` -> ``ports.VoiceCallHandler``;
    as a message channel it refuses text in both directions (``ChannelUnsupported``)."""

    def __init__(self, instance: str = "sip"):
        self.channel = ChannelRef("voice", instance)

    @property
    def capabilities(self) -> ChannelCapabilities:
        return VOICE_CAPABILITIES

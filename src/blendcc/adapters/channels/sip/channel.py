"""The SIP voice channel as the channel registry sees it: real time, no text; calls go through the gateway."""

from __future__ import annotations

from blendcc.adapters.channels.base import VOICE_CAPABILITIES, VoiceOnly
from blendcc.domain.conversation import ChannelRef
from blendcc.ports import ChannelCapabilities


class SipChannel(VoiceOnly):
    """Registers the SIP edge under channel kind ``voice`` (instance ``default``: the contacts the voice
    use case creates carry no instance; a second trunk would register under its own name).

    Calls and their legs reach the application through ``SipGateway`` -> ``ports.VoiceCallHandler``;
    as a message channel it refuses text in both directions (``ChannelUnsupported``)."""

    def __init__(self, instance: str = "default"):
        self.channel = ChannelRef("voice", instance)

    @property
    def capabilities(self) -> ChannelCapabilities:
        return VOICE_CAPABILITIES

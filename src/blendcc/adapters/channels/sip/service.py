"""Wires the voice channel for a container: registrar, SIP gateway and the voice service (started in serve)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip.edge import Registrar
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.app.voice import VoiceService, VoiceSettings
from blendcc.config import Settings

log = logging.getLogger(__name__)


class VoiceStack:
    """What `blendcc serve` starts when ``sip_enabled``: the SIP edge, RTP media and the voice service."""

    def __init__(self, container: Any, settings: Settings):
        self.settings = settings
        self.registrar = Registrar(settings.sip_realm, dict(settings.sip_users))
        public = settings.sip_public_host or settings.sip_host
        self.gateway = SipGateway(settings.sip_host, settings.sip_port, settings.sip_host,
                                  (settings.rtp_port_min, settings.rtp_port_max), self.registrar, public)
        self.voice = VoiceService(
            container.contacts, container.agents, container.bus, self.gateway,
            VoiceSettings(recording_dir=Path(settings.recording_dir), recording=dict(settings.recording_queues),
                          default_recording=settings.recording_default,
                          retention_days=settings.recording_retention_days, music_on_hold=settings.music_on_hold))
        self.gateway.voice = self.voice
        self.started = False

    async def start(self) -> None:
        await self.gateway.start()
        self.started = True
        purged = self.voice.purge_recordings(time.time())
        if purged:
            log.info("deleted %d recording(s) past the %g-day retention", purged,
                     self.settings.recording_retention_days)
        log.info("SIP edge listening on udp %s:%d", self.settings.sip_host, self.gateway.edge.port)

    def close(self) -> None:
        self.voice.close()
        if self.started:
            self.gateway.close()

"""Answering-machine detection on an answered outbound SIP leg: its received RTP decoded and fed to the detector."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blendcc.adapters.channels.sip.g711 import DECODE, decode
from blendcc.adapters.channels.sip.rtp import RtpPacket
from blendcc.dialer.amd import AmdDetector, AmdSettings, Verdict

log = logging.getLogger(__name__)
SAMPLES_PER_MS = 8
MAX_GAP_MS = 2000


class AmdListener:
    """Listens to ``leg``'s incoming audio until a verdict (or ``total_analysis_ms`` plus a second of wall
    time with too little audio: NOTSURE ``TIMEOUT``); then calls ``done(verdict)`` once and lets go.

    Gaps in the RTP timestamps (lost packets, silence suppression) are analysed as silence, so the
    verdict follows the callee's timeline, not the packets' arrival."""

    def __init__(self, leg: Any, settings: AmdSettings, done: Callable[[Verdict], None],
                 call_later: Callable[[float, Callable[[], None]], Any]):
        self.leg = leg
        self.detector = AmdDetector(settings)
        self._done = done
        self._next_ts: int | None = None
        self._ssrc: int | None = None
        self.finished = False
        self._previous = leg.rtp.on_packet
        leg.rtp.on_packet = self._packet
        self._timer = call_later(settings.total_analysis_ms / 1000 + 1.0, self._timeout)

    def _packet(self, pkt: RtpPacket, raw: bytes) -> None:
        if self._previous is not None:
            self._previous(pkt, raw)
        if self.finished or pkt.payload_type not in DECODE:
            return
        if self._next_ts is not None and pkt.ssrc == self._ssrc:
            gap = (pkt.timestamp - self._next_ts) & 0xFFFFFFFF
            if gap >= 0x80000000:  # late or repeated packet: already counted
                return
            if 0 < gap <= MAX_GAP_MS * SAMPLES_PER_MS:  # longer: a new stream or clock, not silence
                self.detector.feed_silence(gap // SAMPLES_PER_MS)
        self._ssrc = pkt.ssrc
        self._next_ts = (pkt.timestamp + len(pkt.payload)) & 0xFFFFFFFF
        verdict = self.detector.verdict or self.detector.feed(decode(pkt.payload_type, pkt.payload))
        if verdict is not None:
            self._finish(verdict)

    def _timeout(self) -> None:
        if not self.finished:
            d = self.detector
            self._finish(d.verdict or Verdict("NOTSURE", "TIMEOUT", d.total_ms, d.words, d.voice_ms))

    def _finish(self, verdict: Verdict) -> None:
        self.finished = True
        self.stop()
        log.info("AMD on leg %s: %s (%s) after %d ms, %d words", self.leg.id, verdict.result, verdict.cause,
                 verdict.decided_ms, verdict.words)
        self._done(verdict)

    def stop(self) -> None:
        """Let go of the leg (the verdict is in, or the call ended)."""
        self.finished = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.leg.rtp.on_packet == self._packet:
            self.leg.rtp.on_packet = self._previous

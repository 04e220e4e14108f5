"""Demo phone callers: real SIP calls with spoken audio to the server's desk line, for the browser phone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg
from blendcc.adapters.prompts import PromptStore, PromptToolMissing
from blendcc.demo.client import Counters
from blendcc.domain.errors import DomainError

log = logging.getLogger(__name__)

#: the number the demo's workflow sends to the `desk` queue (only the desktop agent maria serves it)
DESK_LINE = "+442079460999"
#: what demo callers say, looped while the call lasts (spoken by espeak-ng when it is installed)
LINES = (
    "Hello, I am calling about my last bill. There is a charge I do not recognise.",
    "Hi, my card was declined this morning and I would like to know why.",
    "Good afternoon. I moved house last month and need to change my address.",
)
FIRST_NAMES = ("Ella", "Tom", "Priya", "Lucas", "Nadia", "Owen", "Yara", "Ravi")


def _tone_wav(path: Path) -> None:
    """Two seconds of a soft two-tone chime, then silence (when espeak-ng is not there to speak)."""
    rate = 8000
    frames = bytearray()
    for i in range(rate * 4):
        t = i / rate
        level = 0.0 if t >= 2.0 else 0.15 * math.exp(-t)
        sample = level * (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 660 * t)) / 2
        frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


def voice_files(directory: Path) -> list[Path]:
    """One 8 kHz WAV per line (spoken), or one chime when espeak-ng / sox are missing."""
    store = PromptStore(directory)
    try:
        return [store.path(store.render(text).id) for text in LINES]
    except (PromptToolMissing, DomainError, OSError) as exc:
        log.info("demo callers chime instead of speaking (%s)", exc)
        chime = directory / "chime.wav"
        _tone_wav(chime)
        return [chime]


class DemoCallers:
    """Places a call to the desk line every ``every_s`` seconds (a Poisson process) from a SIP user agent
    of its own; each caller talks (a looped spoken line) for 30-120 s after being answered and gives up
    after ``patience_s`` unanswered. It is a client of the server's SIP edge like any carrier."""

    def __init__(self, server: tuple[str, int], counters: Counters, rng: random.Random,
                 every_s: float = 90.0, patience_s: float = 180.0, rtp_ports: tuple[int, int] = (31000, 31999)):
        self.server = server
        self.counters = counters
        self.rng = rng
        self.every_s = every_s
        self.patience_s = patience_s
        self.gateway = SipGateway("127.0.0.1", 0, "127.0.0.1", rtp_ports)
        self.gateway.outbound_handler = self._event
        self.voices: list[Path] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="blendcc-demo-callers-")
        self._timers: dict[str, asyncio.TimerHandle] = {}

    async def run(self) -> None:
        """Call until cancelled."""
        self.voices = await asyncio.to_thread(voice_files, Path(self._tmp.name))
        await self.gateway.start()
        log.info("demo: a caller phones the desk line %s at %s:%d about every %.0f s",
                 DESK_LINE, *self.server, self.every_s)
        try:
            while True:
                await asyncio.sleep(self.rng.expovariate(1.0 / self.every_s))
                self.call()
        finally:
            self.gateway.close()
            self._tmp.cleanup()

    def call(self) -> SipLeg | None:
        host, port = self.server
        caller = f"+4477009{self.rng.randrange(10_000, 99_999)}"
        try:
            leg = self.gateway.dial(f"sip:{DESK_LINE}@{host}:{port}", self.server, caller, "outbound")
        except Exception as exc:  # no RTP port, socket error: the demo goes on
            log.warning("demo caller could not dial: %s", exc)
            return None
        self.counters.sip_calls += 1
        self._later(leg, self.patience_s)  # gives up unanswered
        return leg

    def _later(self, leg: SipLeg, seconds: float) -> None:
        old = self._timers.pop(leg.id, None)
        if old is not None:
            old.cancel()
        self._timers[leg.id] = self.gateway.call_later(seconds, lambda: self._hang_up(leg))

    def _hang_up(self, leg: SipLeg) -> None:
        self._timers.pop(leg.id, None)
        if leg.released:
            return
        if leg.call.state == "confirmed":
            self.gateway.hangup(leg)
        else:
            with contextlib.suppress(Exception):
                leg.call.cancel()

    def _event(self, leg: SipLeg, name: str, _detail: Any) -> None:
        if name == "answered":
            self.counters.sip_answered += 1
            voice = str(self.rng.choice(self.voices))
            self.gateway.play(leg, voice, lambda: None, repeat=True)
            self._later(leg, self.rng.uniform(30.0, 120.0))
        elif name in ("ended", "failed", "cancelled"):
            timer = self._timers.pop(leg.id, None)
            if timer is not None:
                timer.cancel()

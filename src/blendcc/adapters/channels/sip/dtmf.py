"""DTMF towards a call's far end: RFC 4733 telephone-events when the peer negotiated them, else in-band tones.

Each digit lasts ``TONE_FRAMES`` x 20 ms followed by ``GAP_FRAMES`` of pause, one frame per pacer tick.
RFC 4733: every packet of one digit carries the timestamp of the digit's start and the duration so far
(the first with the marker bit); the end is sent three times with the end bit and the final duration.
In-band: the two ITU-T Q.23 frequencies of the key, G.711 encoded in the leg's codec; the relayed audio
is paused meanwhile so the far end hears the tones alone.
"""

from __future__ import annotations

import array
import math
import struct
from collections.abc import Callable

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.rtp import DTMF_EVENTS, SAMPLES, Pacer, RtpEndpoint, RtpPacket

TONE_FRAMES = 5  # 100 ms of tone per digit
GAP_FRAMES = 3  # 60 ms between digits
END_REPEATS = 3
VOLUME = 10  # RFC 4733 volume field: -10 dBm0
AMPLITUDE = 7000  # per frequency, of 32767 (the pair stays below clipping)
ROWS = (697, 770, 852, 941)
COLS = (1209, 1336, 1477, 1633)
KEYPAD = ("123A", "456B", "789C", "*0#D")
MAX_DIGITS = 32


def frequencies(digit: str) -> tuple[int, int]:
    """(low, high) Hz of a DTMF key."""
    for r, row in enumerate(KEYPAD):
        c = row.find(digit)
        if c >= 0:
            return ROWS[r], COLS[c]
    raise ValueError(f"not a DTMF digit: {digit!r}")


def valid_digits(digits: str) -> bool:
    return 0 < len(digits) <= MAX_DIGITS and all(d in DTMF_EVENTS for d in digits)


def tone_pcm(digit: str, frames: int = TONE_FRAMES) -> bytes:
    """16-bit little-endian PCM of the key's dual tone, ``frames`` x 20 ms at 8 kHz."""
    low, high = frequencies(digit)
    n = frames * SAMPLES
    w1, w2 = 2 * math.pi * low / 8000, 2 * math.pi * high / 8000
    samples = array.array("h", (int(AMPLITUDE * (math.sin(w1 * i) + math.sin(w2 * i))) for i in range(n)))
    return samples.tobytes()


class DtmfSender:
    """Sends ``digits`` on ``endpoint`` one 20 ms step per pacer tick; ``on_done`` when the last gap ends."""

    def __init__(self, pacer: Pacer, endpoint: RtpEndpoint, digits: str, on_done: Callable[[], None] | None = None):
        if not valid_digits(digits):
            raise ValueError("digits must be 1 to 32 of 0-9 * # A-D")
        self.pacer = pacer
        self.endpoint = endpoint
        self.digits = digits
        self.on_done = on_done
        self.rfc4733 = endpoint.telephone_event is not None
        self.sent: list[str] = []  # digits completed
        self.index = 0  # the digit being sent
        self.step = 0  # 20 ms steps into the current digit (tone, end packets, gap)
        self.start_ts = 0
        self.pcm = b""
        self.token: int | None = pacer.add(self._tick)

    @property
    def active(self) -> bool:
        return self.token is not None

    def extend(self, digits: str) -> bool:
        """Queue ``digits`` behind those still to send (keys pressed faster than they are played); False when
        they are not valid, the sender has finished, or more than MAX_DIGITS would be waiting."""
        waiting = len(self.digits) - self.index
        if not self.active or not valid_digits(digits) or waiting + len(digits) > MAX_DIGITS:
            return False
        self.digits += digits
        return True

    def _tick(self) -> None:
        if self.index >= len(self.digits):
            self.stop()
            if self.on_done is not None:
                self.on_done()
            return
        digit = self.digits[self.index]
        if self.rfc4733:
            self._event_step(digit)
        else:
            self._tone_step(digit)
        self.step += 1
        if self.step >= TONE_FRAMES + GAP_FRAMES:
            self.sent.append(digit)
            self.index += 1
            self.step = 0

    def _packet(self, payload_type: int, timestamp: int, payload: bytes, marker: bool) -> None:
        ep = self.endpoint
        ep.seq = (ep.seq + 1) & 0xFFFF
        ep.send_own(RtpPacket(payload_type, ep.seq, timestamp & 0xFFFFFFFF, ep.ssrc, payload, marker).encode())

    def _event_step(self, digit: str) -> None:
        ep = self.endpoint
        assert ep.telephone_event is not None
        event = DTMF_EVENTS.index(digit)
        if self.step == 0:
            self.start_ts = (ep.ts + SAMPLES) & 0xFFFFFFFF
        if self.step < TONE_FRAMES - 1:  # the event in progress: duration so far
            duration = (self.step + 1) * SAMPLES
            payload = struct.pack("!BBH", event, VOLUME, duration)
            self._packet(ep.telephone_event, self.start_ts, payload, marker=self.step == 0)
        elif self.step < TONE_FRAMES - 1 + END_REPEATS:  # the end, three times, same timestamp and duration
            payload = struct.pack("!BBH", event, 0x80 | VOLUME, TONE_FRAMES * SAMPLES)
            self._packet(ep.telephone_event, self.start_ts, payload, marker=False)
        if self.step == TONE_FRAMES - 1:  # our own timeline moves past the event
            ep.ts = (self.start_ts + TONE_FRAMES * SAMPLES) & 0xFFFFFFFF

    def _tone_step(self, digit: str) -> None:
        ep = self.endpoint
        ep.paused = True
        if self.step == 0:
            self.pcm = tone_pcm(digit)
        if self.step < TONE_FRAMES:
            frame = self.pcm[self.step * 2 * SAMPLES:(self.step + 1) * 2 * SAMPLES]
        else:
            frame = b"\x00\x00" * SAMPLES
        ep.ts = (ep.ts + SAMPLES) & 0xFFFFFFFF
        self._packet(ep.codec, ep.ts, g711.encode(ep.codec, frame), marker=self.step == 0)

    def stop(self) -> None:
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None
            self.endpoint.paused = False

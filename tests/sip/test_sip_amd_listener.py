"""The AMD tap on a dialer leg: decoded RTP to the detector, timestamp gaps as silence, the timeout, letting go."""

from __future__ import annotations

import math
import struct
from typing import Any

from blendcc.adapters.channels.sip.amd_listener import AmdListener
from blendcc.adapters.channels.sip.g711 import PCMU, encode
from blendcc.adapters.channels.sip.rtp import RtpPacket
from blendcc.dialer.amd import AmdSettings, Verdict


class Rtp:
    def __init__(self) -> None:
        self.on_packet: Any = None


class Leg:
    def __init__(self) -> None:
        self.id = "leg-1"
        self.rtp = Rtp()


class Timers:
    def __init__(self) -> None:
        self.pending: list[tuple[float, Any]] = []

    def call_later(self, delay: float, fn: Any) -> Any:
        entry = (delay, fn)
        self.pending.append(entry)
        timers = self

        class H:
            def cancel(self) -> None:
                if entry in timers.pending:
                    timers.pending.remove(entry)

        return H()


def frames(pcm: bytes, ts: int = 1000, ssrc: int = 7) -> list[RtpPacket]:
    payload = encode(PCMU, pcm)
    return [RtpPacket(PCMU, i, ts + 160 * i, ssrc, payload[160 * i:160 * (i + 1)])
            for i in range(len(payload) // 160)]


def voice(ms: int) -> bytes:
    n = 8 * ms
    return b"".join(struct.pack("<h", int(4000 * math.sin(2 * math.pi * 300 * i / 8000))) for i in range(n))


def setup() -> tuple[Leg, list[Verdict], list[RtpPacket], Timers, AmdListener]:
    leg, got, seen, timers = Leg(), [], [], Timers()
    leg.rtp.on_packet = lambda pkt, raw: seen.append(pkt)  # whatever listened before (a recorder) still hears
    listener = AmdListener(leg, AmdSettings(), got.append, timers.call_later)
    return leg, got, seen, timers, listener


def test_a_hello_then_silence_sent_as_a_timestamp_gap_is_human_and_the_leg_is_let_go() -> None:
    leg, got, seen, timers, _ = setup()
    pkts = frames(b"\x00\x00" * 8 * 300 + voice(400))
    for p in pkts:
        leg.rtp.on_packet(p, b"")
    assert got == []
    # silence suppression: the next packet's timestamp is 1 s later, no packets in between
    last = pkts[-1]
    leg.rtp.on_packet(RtpPacket(PCMU, last.seq + 1, last.timestamp + 160 + 8000, 7, encode(PCMU, b"\x00\x00" * 160)),
                      b"")
    [v] = got
    assert (v.result, v.cause) == ("HUMAN", "HUMAN") and v.decided_ms == 300 + 400 + 800
    assert len(seen) == len(pkts) + 1 and timers.pending == []
    assert leg.rtp.on_packet is not None and leg.rtp.on_packet.__name__ == "<lambda>"  # the previous handler back


def test_a_new_stream_is_not_silence_and_no_audio_times_out_notsure() -> None:
    leg, got, _seen, timers, _ = setup()
    for p in frames(voice(400)):
        leg.rtp.on_packet(p, b"")
    for p in frames(voice(200), ts=9_000_000, ssrc=8):  # another SSRC, far timestamps: no 1000 s of silence
        leg.rtp.on_packet(p, b"")
    assert got == []
    [(delay, fire)] = timers.pending
    assert delay == 6.0
    fire()
    [v] = got
    assert (v.result, v.cause, v.decided_ms) == ("NOTSURE", "TIMEOUT", 600)


def test_stop_before_a_verdict_reports_nothing() -> None:
    leg, got, _seen, timers, listener = setup()
    listener.stop()
    for p in frames(voice(2000)):
        leg.rtp.on_packet(p, b"")
    assert got == [] and timers.pending == []

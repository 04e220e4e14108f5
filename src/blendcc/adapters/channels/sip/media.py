"""Media between call legs: the RTP relay (bridge), hold, two-direction WAV recording, listen-in, playback."""

from __future__ import annotations

import array
import logging
import wave
from collections.abc import Callable
from pathlib import Path

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.recording import Recorder
from blendcc.adapters.channels.sip.rtp import SAMPLES, Pacer, RtpEndpoint, RtpPacket, set_payload_type

log = logging.getLogger(__name__)
SILENT_PCM = b"\x00\x00" * SAMPLES
MAX_BUFFERED = 5  # frames kept per direction before the oldest is dropped (bounded latency)


def read_wav_8k(path: str | Path) -> bytes:
    """16-bit mono 8 kHz PCM frames of a WAV file (prompts are rendered in that format)."""
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != 8000 or w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: need 8 kHz 16-bit mono WAV, got {w.getframerate()} Hz, "
                             f"{8 * w.getsampwidth()}-bit, {w.getnchannels()} channel(s)")
        return w.readframes(w.getnframes())


class PcmQueue:
    """Received PCM of one direction, taken out 20 ms at a time (silence when short, bounded latency)."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, pcm: bytes) -> None:
        self.buf += pcm
        excess = len(self.buf) - MAX_BUFFERED * len(SILENT_PCM)
        if excess > 0:
            del self.buf[:excess]

    def frame(self) -> bytes:
        n = len(SILENT_PCM)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out + SILENT_PCM[len(out):] if len(out) < n else out


class Player:
    """Plays PCM audio to one endpoint, one 20 ms frame per pacer tick; calls ``on_done`` at the end."""

    def __init__(self, pacer: Pacer, endpoint: RtpEndpoint, pcm: bytes, on_done: Callable[[], None] | None = None,
                 repeat: bool = False):
        self.pacer = pacer
        self.endpoint = endpoint
        self.codec = endpoint.codec
        self.payload = g711.encode(endpoint.codec, pcm)
        self.on_done = on_done
        self.repeat = repeat
        self.pos = 0
        self.token: int | None = pacer.add(self._tick)

    def _tick(self) -> None:
        if self.endpoint.codec != self.codec:  # the peer changed codec mid-prompt (re-INVITE, late answer)
            self.payload = self.payload.translate(g711.TRANSCODE[(self.codec, self.endpoint.codec)])
            self.codec = self.endpoint.codec
        chunk = self.payload[self.pos:self.pos + SAMPLES]
        if not chunk:
            if self.repeat and self.payload:
                self.pos = 0
                chunk = self.payload[:SAMPLES]
            else:
                self.stop()
                if self.on_done is not None:
                    self.on_done()
                return
        first = self.pos == 0
        self.pos += SAMPLES
        if len(chunk) < SAMPLES:
            chunk += bytes([g711.SILENCE[self.endpoint.codec]]) * (SAMPLES - len(chunk))
        self.endpoint.send_audio(chunk, marker=first)

    def stop(self) -> None:
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None


class Listener:
    """Listen-in: a one-way mix of both directions sent to a supervisor's endpoint every 20 ms."""

    def __init__(self, pacer: Pacer, endpoint: RtpEndpoint):
        self.endpoint = endpoint
        self.buffers = (PcmQueue(), PcmQueue())
        self.pacer = pacer
        self.token: int | None = pacer.add(self._tick)

    def feed(self, direction: int, pcm: bytes) -> None:
        self.buffers[direction].feed(pcm)

    def _tick(self) -> None:
        a, b = array.array("h", self.buffers[0].frame()), array.array("h", self.buffers[1].frame())
        mixed = array.array("h", [max(-32768, min(32767, x + y)) for x, y in zip(a, b, strict=False)])
        self.endpoint.send_audio(g711.encode(self.endpoint.codec, mixed.tobytes()))

    def stop(self) -> None:
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None


class Bridge:
    """Relays RTP between two legs as it arrives (no added buffering), transcoding PCMU<->PCMA if needed.

    Telephone-events are passed with the other leg's payload type. While held, nothing is relayed.
    Recording and listen-in receive decoded copies of each direction (0: leg ``a``, 1: leg ``b``).
    """

    def __init__(self, a: RtpEndpoint, b: RtpEndpoint):
        self.a, self.b = a, b
        self.held = False
        self.recorder: Recorder | None = None
        self.listeners: list[Listener] = []
        self.relayed = 0
        a.on_packet = lambda pkt, raw: self._forward(0, a, b, pkt, raw)
        b.on_packet = lambda pkt, raw: self._forward(1, b, a, pkt, raw)

    def _forward(self, direction: int, src: RtpEndpoint, dst: RtpEndpoint, pkt: RtpPacket, raw: bytes) -> None:
        if src.telephone_event is not None and pkt.payload_type == src.telephone_event:
            if not self.held and dst.telephone_event is not None:
                dst.send_raw(raw if dst.telephone_event == src.telephone_event
                             else set_payload_type(raw, dst.telephone_event))
            return
        if pkt.payload_type != src.codec:
            return  # comfort noise or an unexpected codec: not relayed
        if self.recorder is not None or self.listeners:
            pcm = g711.decode(src.codec, pkt.payload)
            if self.recorder is not None:  # placed by its RTP timestamp (recording.py)
                self.recorder.feed(direction, pcm, pkt.timestamp, pkt.ssrc)
            for listener in self.listeners:
                listener.feed(direction, pcm)
        if self.held:
            return
        if src.codec != dst.codec:
            payload = pkt.payload.translate(g711.TRANSCODE[(src.codec, dst.codec)])
            raw = RtpPacket(dst.codec, pkt.seq, pkt.timestamp, pkt.ssrc, payload, pkt.marker).encode()
        dst.send_raw(raw)
        self.relayed += 1

    def close(self) -> float | None:
        self.a.on_packet = None
        self.b.on_packet = None
        for listener in self.listeners:
            listener.stop()
        self.listeners = []
        if self.recorder is not None:
            seconds = self.recorder.close()
            self.recorder = None
            return seconds
        return None


class Mixer:
    """A three-way (or larger) conference: every party hears the sum of the others, 20 ms frames.

    Received G.711 is decoded into one queue per party; each pacer tick takes one frame of each, and
    sends every party the total minus its own frame (clipped), encoded in that party's codec, with the
    party's own SSRC and timeline. ``parties[0]`` is the customer: the recording gets the customer on the
    left and the sum of the other parties on the right (the same layout as a two-party bridge).
    """

    def __init__(self, pacer: Pacer, parties: list[RtpEndpoint], recorder: Recorder | None = None):
        self.pacer = pacer
        self.parties = list(parties)
        self.queues = [PcmQueue() for _ in self.parties]
        self.recorder = recorder
        self.listeners: list[Listener] = []
        #: (hearer, speaker) endpoint ids: the hearer does not get that speaker (a supervisor's whisper:
        #: the agent hears it, the customer does not)
        self.deaf: set[tuple[int, int]] = set()
        self.frames = 0
        for i, ep in enumerate(self.parties):
            ep.on_packet = self._receiver(i, ep)
        self.token: int | None = pacer.add(self._tick)

    def _receiver(self, index: int, ep: RtpEndpoint) -> Callable[[RtpPacket, bytes], None]:
        def received(pkt: RtpPacket, _raw: bytes) -> None:
            if pkt.payload_type == ep.codec and index < len(self.queues) and self.parties[index] is ep:
                self.queues[index].feed(g711.decode(ep.codec, pkt.payload))
        return received

    def _tick(self) -> None:
        frames = [array.array("h", q.frame()) for q in self.queues]
        if not frames:
            return
        total = [sum(col) for col in zip(*frames, strict=True)]
        for ep, own in zip(self.parties, frames, strict=True):
            heard = own
            if self.deaf:  # the hearer's own frame plus the speakers it must not hear
                skip = [f for other, f in zip(self.parties, frames, strict=True) if (id(ep), id(other)) in self.deaf]
                if skip:
                    heard = array.array("h", [sum(col) for col in zip(own, *skip, strict=True)])
            out = array.array("h", [max(-32768, min(32767, t - x)) for t, x in zip(total, heard, strict=True)])
            ep.send_audio(g711.encode(ep.codec, out.tobytes()), marker=self.frames == 0)
        self.frames += 1
        if self.recorder is not None or self.listeners:
            customer = frames[0].tobytes()
            others = array.array("h", [max(-32768, min(32767, t - x)) for t, x in zip(total, frames[0], strict=True)])
            if self.recorder is not None:
                self.recorder.feed(0, customer)
                self.recorder.feed(1, others.tobytes())
            for listener in self.listeners:
                listener.feed(0, customer)
                listener.feed(1, others.tobytes())

    def remove(self, ep: RtpEndpoint) -> list[RtpEndpoint]:
        """Take a party out (it hears and is heard no more); returns the parties left."""
        if ep in self.parties:
            i = self.parties.index(ep)
            del self.parties[i]
            del self.queues[i]
            ep.on_packet = None
            for j, other in enumerate(self.parties):
                other.on_packet = self._receiver(j, other)
        return list(self.parties)

    def close(self) -> Recorder | None:
        """Stop mixing; returns the recorder (still running) for whoever takes the call over."""
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None
        for ep in self.parties:
            ep.on_packet = None
        recorder, self.recorder = self.recorder, None
        return recorder


__all__ = ["Bridge", "Listener", "Mixer", "PcmQueue", "Player", "Recorder", "read_wav_8k"]

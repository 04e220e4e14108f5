"""Media between call legs: the RTP relay (bridge), hold, two-direction WAV recording, listen-in, playback."""

from __future__ import annotations

import array
import logging
import wave
from collections.abc import Callable
from pathlib import Path

from blendcc.adapters.channels.sip import g711
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
        self.payload = g711.encode(endpoint.codec, pcm)
        self.on_done = on_done
        self.repeat = repeat
        self.pos = 0
        self.token: int | None = pacer.add(self._tick)

    def _tick(self) -> None:
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


class Recorder:
    """Both directions of a bridged call to one stereo WAV (left: customer, right: agent), paced at 20 ms;
    ``channels=1``: one leg alone (voicemail), direction 0 only."""

    def __init__(self, pacer: Pacer, path: Path, channels: int = 2):
        self.path = path
        self.channels = channels
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wav = wave.open(str(path), "wb")  # noqa: SIM115 (open for the whole call)
        self.wav.setnchannels(channels)
        self.wav.setsampwidth(2)
        self.wav.setframerate(8000)
        self.buffers = (PcmQueue(), PcmQueue())
        self.pending: list[bytes] = []
        self.frames = 0
        self.pacer = pacer
        self.token: int | None = pacer.add(self._tick)

    def feed(self, direction: int, pcm: bytes) -> None:
        self.buffers[direction].feed(pcm)

    def _tick(self) -> None:
        if self.channels == 1:
            frame = self.buffers[0].frame()
            self.pending.append(frame)
            self.frames += len(frame) // 2
            if len(self.pending) >= 50:
                self.flush()
            return
        a, b = array.array("h", self.buffers[0].frame()), array.array("h", self.buffers[1].frame())
        n = len(a)
        both = array.array("h", bytes(4 * n))
        both[0::2] = a
        both[1::2] = b
        self.pending.append(both.tobytes())
        self.frames += n
        if len(self.pending) >= 50:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.wav.writeframes(b"".join(self.pending))
            self.pending = []

    def close(self) -> float:
        """Stop and finish the file; returns the recorded duration in seconds."""
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None
            self.flush()
            self.wav.close()
        return self.frames / 8000


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
            if self.recorder is not None:
                self.recorder.feed(direction, pcm)
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

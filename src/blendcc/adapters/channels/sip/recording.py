"""Call recording to WAV placed by RTP timestamps on the call's own timeline, so a busy event loop loses nothing.

The file's length is the time the recorder was open (the loop's monotonic clock from start to ``close``),
whatever the load: late pacer ticks and packets that queued in the socket while the loop was busy do not
shorten it. Audio is placed where its RTP timestamp says, on an anchor that is the earliest time the
stream's packets can have been sent (a new SSRC or a timestamp jump starts a new stream); gaps are
silence; a frame is written only once it is ``MARGIN_S`` old, so late packets still land in place.
Audio handed in without a timestamp (the conference mixer's) follows on where the previous ended.
Paused time is left out of the file. A recorder opened before the call is connected (the agent's phone
answered, the engine not yet told) keeps what it hears unwritten until its start is trimmed to the connect.
"""

from __future__ import annotations

import array
import wave
from pathlib import Path
from typing import Any

RATE = 8000
MARGIN_S = 0.5
REANCHOR = RATE  # a timestamp this far (1 s) from where the clock says we are: a new timeline
MAX_AHEAD = 5 * 160  # untimestamped audio running this far ahead of the clock is dropped (bounded latency)


class _Track:
    """One direction's PCM from sample ``start`` on, waiting to be written, and the stream placing it."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.start = 0
        #: the current RTP stream: ssrc, first timestamp, anchor (timeline sample of that timestamp), first
        #: sample placed
        self.stream: list[int] | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.buf) // 2

    def place(self, pos: int, pcm: bytes) -> None:
        off = 2 * (pos - self.start)
        if off < 0:  # partly or wholly written already: too late for that part
            pcm = pcm[-off:]
            off = 0
        if not pcm:
            return
        end = off + len(pcm)
        if end > len(self.buf):
            self.buf.extend(bytes(end - len(self.buf)))
        self.buf[off:end] = pcm

    def shift(self, first: int, d: int) -> None:
        """Move what was placed from ``first`` on ``d`` samples earlier (a better anchor was found)."""
        i = 2 * max(0, first - self.start)
        seg = bytes(self.buf[i:])
        del self.buf[i:]
        self.place(max(first, self.start) - d, seg)

    def timed(self, pcm: bytes, timestamp: int, ssrc: int, now: int) -> None:
        """Place RTP audio: the stream's anchor is the earliest its packets can have been sent (a packet is
        never received before it was sent), so a burst after a stall lands where it belongs."""
        n = len(pcm) // 2
        st = self.stream
        if st is not None and st[0] == ssrc:
            rel = _signed(timestamp - st[1])
            pos = st[2] + rel
            if now - 10 * RATE <= pos <= now + REANCHOR:
                bound = now - n - rel
                if bound < st[2]:
                    self.shift(st[3], st[2] - bound)
                    st[3] -= st[2] - bound
                    st[2] = bound
                self.place(st[2] + rel, pcm)
                return
        # a new stream (or a timestamp jump): anchored at its arrival
        anchor = now - n
        self.stream = [ssrc, timestamp, anchor, anchor]
        self.place(anchor, pcm)

    def take(self, upto: int) -> bytes:
        n = 2 * max(0, upto - self.start)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.start = max(self.start, upto)
        return out + bytes(n - len(out))


class Recorder:
    """Both directions of a bridged call to one stereo WAV (left: customer, right: agent); ``channels=1``:
    one leg alone (voicemail), direction 0 only. Registered on the pacer only to write as it goes."""

    def __init__(self, pacer: Any, path: Path, channels: int = 2):
        self.path = path
        self.channels = channels
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wav = wave.open(str(path), "wb")  # noqa: SIM115 (open for the whole call)
        self.wav.setnchannels(channels)
        self.wav.setsampwidth(2)
        self.wav.setframerate(RATE)
        self.pacer = pacer
        loop = getattr(pacer, "loop", None)
        #: the clock: the loop's time in a running gateway; in unit tests without a loop, pacer ticks
        self._time = loop.time if loop is not None else None
        self._t0 = self._time() if self._time is not None else 0.0
        self._ticks = 0
        #: written only this old; without a loop, a fed frame belongs to the tick after it
        self.margin = int(MARGIN_S * RATE) if self._time is not None else 160
        self._close_lag = 0 if self._time is not None else 160
        self.tracks = (_Track(), _Track())
        self.written = 0  # samples of the timeline written or skipped
        self.frames = 0   # samples in the file
        self.paused = False
        #: opened before the call is connected (its start is trimmed then, ``trim_start``): nothing is written yet
        self.pending = False
        self.token: int | None = pacer.add(self._tick)

    def now(self) -> int:
        """Where the call's timeline is, in samples since the start."""
        if self._time is None:
            return (self._ticks + 1) * 160
        elapsed: float = self._time() - self._t0
        return round(elapsed * RATE)

    def feed(self, direction: int, pcm: bytes, timestamp: int | None = None, ssrc: int | None = None) -> None:
        track = self.tracks[direction]
        now = self.now()
        if timestamp is None:
            pos = max(track.end, self.written)
            if pos - now <= MAX_AHEAD:
                track.place(pos, pcm)
            return
        track.timed(pcm, timestamp, ssrc if ssrc is not None else -1, now)

    def _tick(self) -> None:
        self._ticks += 1
        if not self.pending:
            self._write(self.now() - self.margin)

    def trim_start(self, at: float) -> None:
        """Start the file at ``at`` (this recorder's clock): what came before is dropped, unwritten."""
        self.pending = False
        if self._time is None or self.written:
            return
        n = min(self.now(), max(0, round((at - self._t0) * RATE)))
        for t in self.tracks:
            t.take(n)
        self.written = n

    def _write(self, upto: int) -> None:
        if upto <= self.written:
            return
        if self.paused:  # taken and dropped: paused time is not in the file
            for t in self.tracks:
                t.take(upto)
            self.written = upto
            return
        a = self.tracks[0].take(upto)
        if self.channels == 1:
            self.tracks[1].take(upto)
            data = a
        else:
            left, right = array.array("h", a), array.array("h", self.tracks[1].take(upto))
            both = array.array("h", bytes(4 * len(left)))
            both[0::2] = left
            both[1::2] = right
            data = both.tobytes()
        self.wav.writeframesraw(data)  # the header's lengths are written once, at close (not a seek per frame)
        self.frames += upto - self.written
        self.written = upto

    def flush(self) -> None:
        """Write what is old enough (kept for callers of the former recorder)."""
        self._write(self.now() - self.margin)

    def close(self) -> float:
        """Stop and finish the file up to now; returns the recorded duration in seconds."""
        if self.token is not None:
            self.pacer.remove(self.token)
            self.token = None
            self._write(self.now() - self._close_lag)
            self.wav.close()
        return self.frames / RATE


def _signed(delta: int) -> int:
    delta &= 0xFFFFFFFF
    return delta - (1 << 32) if delta >= 1 << 31 else delta

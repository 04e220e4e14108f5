"""Recordings under a busy loop: placed by RTP timestamps, as long as the call, nothing lost to late ticks."""

from __future__ import annotations

import struct
import wave
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip.recording import Recorder


class Loop:
    def __init__(self) -> None:
        self.t = 100.0

    def time(self) -> float:
        return self.t


class Pacer:
    def __init__(self) -> None:
        self.loop = Loop()
        self.clients: dict[int, Any] = {}

    def add(self, fn: Any) -> int:
        self.clients[1] = fn
        return 1

    def remove(self, token: int) -> None:
        self.clients.pop(token, None)

    def tick(self) -> None:
        for fn in list(self.clients.values()):
            fn()


def frame(value: int) -> bytes:
    return struct.pack("<160h", *([value] * 160))


def read(path: Path) -> tuple[int, list[int], list[int]]:
    with wave.open(str(path)) as w:
        n = w.getnframes()
        data = struct.unpack(f"<{2 * n}h", w.readframes(n))
    return n, list(data[0::2]), list(data[1::2])


def test_a_stalled_loop_loses_no_audio_and_the_file_is_as_long_as_the_call(tmp_path: Path) -> None:
    """10 s call; the loop stalls 0.7 s three times (packets queue in the socket and arrive in a burst, no
    pacer ticks meanwhile): every frame is in the file at its place, and the file is 10.00 s long."""
    pacer = Pacer()
    rec = Recorder(pacer, tmp_path / "r.wav")
    queued: list[int] = []
    for i in range(500):  # 20 ms frames; frame i is sent at 100 + 0.02 i
        pacer.loop.t = 100.0 + 0.02 * (i + 1)
        queued.append(i)
        if i % 150 < 35 and i % 150 != 34:  # stalled: nothing handled
            continue
        for j in queued:
            rec.feed(0, frame(1000 + j), timestamp=5000 + 160 * j, ssrc=9)
            rec.feed(1, frame(-1000 - j), timestamp=77 + 160 * j, ssrc=3)
        queued = []
        pacer.tick()
    pacer.loop.t = 110.0
    assert rec.close() == 10.0
    n, left, right = read(tmp_path / "r.wav")
    assert n == 80_000
    # every frame present, each at one place in the timeline (the first frame anchored at its arrival)
    assert [left[160 * k] for k in range(500)] == [1000 + k for k in range(500)]
    assert [right[160 * k] for k in range(500)] == [-1000 - k for k in range(500)]


def test_lost_packets_are_silence_and_a_new_stream_is_re_anchored(tmp_path: Path) -> None:
    pacer = Pacer()
    rec = Recorder(pacer, tmp_path / "r.wav", channels=1)
    for i in range(100):
        pacer.loop.t = 100.0 + 0.02 * (i + 1)
        if i % 10 != 3:  # every tenth packet lost
            rec.feed(0, frame(500), timestamp=160 * i, ssrc=1)
        pacer.tick()
    for i in range(50):  # the far end switches stream (new SSRC, unrelated timestamps)
        pacer.loop.t = 102.0 + 0.02 * (i + 1)
        rec.feed(0, frame(700), timestamp=9_999_000 + 160 * i, ssrc=2)
        pacer.tick()
    pacer.loop.t = 103.0
    assert rec.close() == 3.0
    with wave.open(str(tmp_path / "r.wav")) as w:
        pcm = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
    assert [pcm[160 * k] for k in range(100)] == [0 if k % 10 == 3 else 500 for k in range(100)]
    assert set(pcm[160 * 100:160 * 150]) == {700}


def test_paused_time_is_left_out(tmp_path: Path) -> None:
    pacer = Pacer()
    rec = Recorder(pacer, tmp_path / "r.wav")
    for i in range(150):
        pacer.loop.t = 100.0 + 0.02 * (i + 1)
        rec.paused = 50 <= i < 100
        rec.feed(0, frame(100), timestamp=160 * i, ssrc=1)
        pacer.tick()
    rec.paused = False
    pacer.loop.t = 103.0 + 0.5  # the last 0.5 s are written at close
    seconds = rec.close()
    assert abs(seconds - (3.5 - 1.0)) < 0.05  # about a second was paused (the margin shifts its edges)


def test_a_recorder_opened_at_the_answer_starts_at_the_connect(tmp_path: Path) -> None:
    """Opened pending when the agent's phone answered (100.0); the engine's connect is at 100.3 and comes
    back at 100.9 (past the write margin): nothing was written meanwhile, the file starts at 100.3 with the
    audio from then on, in place."""
    pacer = Pacer()
    rec = Recorder(pacer, tmp_path / "r.wav")
    rec.pending = True
    for i in range(45):  # 0.9 s of frames, both sides
        pacer.loop.t = 100.0 + 0.02 * (i + 1)
        rec.feed(0, frame(i), timestamp=160 * i, ssrc=1)
        rec.feed(1, frame(-i), timestamp=800 + 160 * i, ssrc=2)
        pacer.tick()
    assert rec.frames == 0 and rec.written == 0
    rec.trim_start(100.3)
    for i in range(45, 150):
        pacer.loop.t = 100.0 + 0.02 * (i + 1)
        rec.feed(0, frame(i), timestamp=160 * i, ssrc=1)
        rec.feed(1, frame(-i), timestamp=800 + 160 * i, ssrc=2)
        pacer.tick()
    pacer.loop.t = 103.0
    assert rec.close() == 2.7
    n, left, right = read(tmp_path / "r.wav")
    assert n == 21_600
    # frame i arrived at 100.02 (i + 1): anchored there, it starts at 100.02 i; the file's sample 0 is 100.3
    assert [left[160 * k] for k in range(0, 130)] == [15 + k for k in range(130)]
    assert [right[160 * k] for k in range(0, 130)] == [-15 - k for k in range(130)]

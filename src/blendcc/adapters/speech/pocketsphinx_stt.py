"""PocketSphinx, offline: its wheel ships the US English model, so nothing is downloaded at run time (ADR 0045)."""

from __future__ import annotations

import threading

import numpy as np

from blendcc.domain.transcript import Utterance

MODEL_RATE = 16_000  # the shipped acoustic model's rate: telephone audio (8 kHz) is resampled to it
MIN_SPEECH_S = 0.25
MERGE_GAP_S = 0.8
PAD_S = 0.2


def resample(pcm16: bytes, rate: int, to: int = MODEL_RATE) -> bytes:
    """16-bit mono PCM at ``rate`` resampled to ``to`` by linear interpolation (8 kHz telephone audio has
    nothing above 4 kHz to lose)."""
    if rate == to:
        return pcm16
    x = np.frombuffer(pcm16, dtype="<i2").astype(np.float32)
    if x.size == 0:
        return b""
    n = round(x.size * to / rate)
    y = np.interp(np.arange(n) * (rate / to), np.arange(x.size), x)
    out: bytes = np.clip(np.round(y), -32768, 32767).astype("<i2").tobytes()
    return out


class PocketSphinxStt:
    """Voice activity segments (PocketSphinx's own VAD), each decoded with the default English model."""

    name = "pocketsphinx-en-us"

    def __init__(self, vad_mode: int = 2) -> None:
        from pocketsphinx import Decoder

        self._decoder = Decoder(samprate=MODEL_RATE, loglevel="FATAL")
        self._vad_mode = vad_mode
        self._lock = threading.Lock()  # one decoder: one audio at a time

    def transcribe(self, pcm16: bytes, sample_rate: int) -> list[Utterance]:
        audio = resample(pcm16, sample_rate)
        out: list[Utterance] = []
        with self._lock:
            for start, end in self._speech(audio):
                a, b = int(start * MODEL_RATE) * 2, int(end * MODEL_RATE) * 2
                self._decoder.start_utt()
                self._decoder.process_raw(audio[a:b], full_utt=True)
                self._decoder.end_utt()
                hyp = self._decoder.hyp()
                text = " ".join((hyp.hypstr if hyp is not None else "").split())
                if text:
                    out.append(Utterance(round(start, 2), round(end, 2), text))
        return out

    def _speech(self, audio: bytes) -> list[tuple[float, float]]:
        """Stretches of speech: the VAD's segments joined across pauses under MERGE_GAP_S (a VAD cuts
        inside sentences, which costs the decoder its context) and padded by PAD_S on each side."""
        from pocketsphinx import Segmenter

        found: list[tuple[float, float]] = []
        for seg in Segmenter(sample_rate=MODEL_RATE, vad_mode=self._vad_mode).segment(_Reader(audio)):
            if found and seg.start_time - found[-1][1] < MERGE_GAP_S:
                found[-1] = (found[-1][0], seg.end_time)
            else:
                found.append((seg.start_time, seg.end_time))
        length = len(audio) / 2 / MODEL_RATE
        return [(max(0.0, a - PAD_S), min(length, b + PAD_S)) for a, b in found if b - a >= MIN_SPEECH_S]


class _Reader:
    """A file-like ``read(n)`` over bytes (what the segmenter reads from)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n < 0 else self._at + n
        chunk = bytes(self._data[self._at:end])
        self._at += len(chunk)
        return chunk

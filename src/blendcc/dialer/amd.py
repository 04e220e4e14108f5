"""Answering-machine detection from the answered call's audio: energy and cadence, Asterisk AMD()'s rules.

Pure: 8 kHz 16-bit little-endian PCM in, a ``Verdict`` out (HUMAN / MACHINE / NOTSURE, why, and after how
many milliseconds of audio). The audio is cut into 20 ms frames; a frame is voice when its mean absolute
amplitude reaches ``silence_threshold``. A *word* is a run of voice at least ``min_word_length_ms`` long
after at least ``between_words_silence_ms`` of silence. The decision, as Asterisk's app_amd takes it:

- MACHINE ``INITIALSILENCE``: nobody spoke for ``initial_silence_ms`` after the answer;
- MACHINE ``LONGGREETING``: the greeting's voice lasted ``greeting_ms`` (people say "Hello?" and wait);
- MACHINE ``MAXWORDS``: ``maximum_number_of_words`` words were counted;
- MACHINE ``MAXWORDLENGTH``: one word lasted ``maximum_word_length_ms`` (a tone, music);
- HUMAN ``HUMAN``: after a greeting, ``after_greeting_silence_ms`` of silence (the person waits for us);
- NOTSURE ``TOOLONG``: ``total_analysis_ms`` of audio without any of the above.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AmdResult = Literal["HUMAN", "MACHINE", "NOTSURE"]
RATE = 8000
FRAME_MS = 20
FRAME_BYTES = RATE * FRAME_MS // 1000 * 2


class AmdSettings(BaseModel):
    """The tunable parameters (Asterisk amd.conf names, in milliseconds); defaults measured in ADR 0055."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    initial_silence_ms: int = Field(default=2500, ge=100, le=30_000)
    greeting_ms: int = Field(default=1500, ge=100, le=30_000)
    after_greeting_silence_ms: int = Field(default=800, ge=100, le=30_000)
    total_analysis_ms: int = Field(default=5000, ge=500, le=60_000)
    min_word_length_ms: int = Field(default=100, ge=20, le=5_000)
    between_words_silence_ms: int = Field(default=50, ge=20, le=5_000)
    maximum_number_of_words: int = Field(default=4, ge=1, le=100)
    maximum_word_length_ms: int = Field(default=5000, ge=100, le=60_000)
    #: mean absolute amplitude (16-bit PCM) at or above which a 20 ms frame is voice
    silence_threshold: int = Field(default=256, ge=1, le=32_767)


@dataclass(frozen=True, slots=True)
class Verdict:
    result: AmdResult
    cause: str
    decided_ms: int  # milliseconds of analysed audio when the decision was taken
    words: int
    voice_ms: int


def frame_energy(frame: bytes) -> int:
    """Mean absolute amplitude of 16-bit little-endian PCM samples."""
    n = len(frame) // 2
    if n == 0:
        return 0
    total: int = sum(abs(s) for s in struct.unpack(f"<{n}h", frame[: 2 * n]))
    return total // n


class AmdDetector:
    """Feed it audio as it arrives (``feed``); it returns the verdict once, then None for ever after."""

    def __init__(self, settings: AmdSettings | None = None):
        self.s = settings or AmdSettings()
        self.verdict: Verdict | None = None
        self._buf = b""
        self.total_ms = 0
        self.voice_ms = 0
        self.words = 0
        self._silence_ms = 0      # the current run of silence
        self._word_ms = 0         # the current run of voice
        self._in_word = False
        self._in_greeting = False  # someone has spoken (a word's worth of voice)
        self._in_initial_silence = True

    def feed(self, pcm: bytes) -> Verdict | None:
        """Analyse more audio; the verdict when it is decided by this audio, else None."""
        if self.verdict is not None:
            return None
        self._buf += pcm
        while len(self._buf) >= FRAME_BYTES and self.verdict is None:
            frame, self._buf = self._buf[:FRAME_BYTES], self._buf[FRAME_BYTES:]
            self._frame(frame_energy(frame) >= self.s.silence_threshold)
        return self.verdict

    def feed_silence(self, ms: int) -> Verdict | None:
        """Time without audio (lost or absent packets) counted as silence."""
        return self.feed(b"\x00" * (RATE * ms // 1000 * 2))

    def _decide(self, result: AmdResult, cause: str) -> None:
        self.verdict = Verdict(result, cause, self.total_ms, self.words, self.voice_ms)

    def _frame(self, voice: bool) -> None:
        s = self.s
        self.total_ms += FRAME_MS
        if voice:
            self._silence_ms = 0
            self._word_ms += FRAME_MS
            self.voice_ms += FRAME_MS
            if self._word_ms >= s.min_word_length_ms and not self._in_word:
                self._in_word = True
                self.words += 1
                self._in_initial_silence = False
                self._in_greeting = True
            if self.words >= s.maximum_number_of_words:
                self._decide("MACHINE", "MAXWORDS")
            elif self._word_ms >= s.maximum_word_length_ms:
                self._decide("MACHINE", "MAXWORDLENGTH")
            elif self._in_greeting and self.voice_ms >= s.greeting_ms:
                self._decide("MACHINE", "LONGGREETING")
        else:
            self._silence_ms += FRAME_MS
            if self._silence_ms >= s.between_words_silence_ms:
                self._in_word = False
                self._word_ms = 0
            if self._in_initial_silence and self._silence_ms >= s.initial_silence_ms:
                self._decide("MACHINE", "INITIALSILENCE")
            elif self._in_greeting and self._silence_ms >= s.after_greeting_silence_ms:
                self._decide("HUMAN", "HUMAN")
        if self.verdict is None and self.total_ms >= s.total_analysis_ms:
            self._decide("NOTSURE", "TOOLONG")


def answered_by(verdict: Verdict | None) -> Literal["human", "machine", "unknown"]:
    """The Telephony port's ``answered_by`` for a verdict (NOTSURE and no verdict: unknown, put through)."""
    if verdict is None or verdict.result == "NOTSURE":
        return "unknown"
    return "human" if verdict.result == "HUMAN" else "machine"

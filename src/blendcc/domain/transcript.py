"""Call transcripts: one event per utterance of a recorded call, the speaker told apart by the recording's channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from blendcc.domain.events import EVENT_TYPES, Event

SPEAKERS = ("customer", "agent")  # the stereo recording's left and right channels


@dataclass(frozen=True, slots=True)
class Utterance:
    """What an engine heard: seconds from the start of the audio it was given, and the words."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UtteranceTranscribed(Event):
    """One utterance of a recorded call: ``speaker`` customer or agent, ``start_s``/``end_s`` from the start of
    the recording, the words and the engine's name; ``spoken_at`` the wall-clock time it began (the recording's
    start plus ``start_s``; None on utterances stored before it was recorded: then ``at``, the transcription's)."""

    topic: ClassVar[str] = "voice"
    contact_id: str
    recording_id: str
    speaker: str
    start_s: float
    end_s: float
    text: str
    engine: str
    spoken_at: float | None = None

    @property
    def said_at(self) -> float:
        """When it was said (``spoken_at``), else when it was transcribed."""
        return self.at if self.spoken_at is None else self.spoken_at


EVENT_TYPES[UtteranceTranscribed.__name__] = UtteranceTranscribed


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, on lower-cased words (Levenshtein)."""
    ref, hyp = reference.lower().split(), hypothesis.lower().split()
    if not ref:
        return float(bool(hyp))
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)

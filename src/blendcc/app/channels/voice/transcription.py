"""Transcripts of recorded calls: each channel of the stereo recording (left customer, right agent) through the
configured speech-to-text engine, the utterances stored as ``UtteranceTranscribed`` events of the contact."""

from __future__ import annotations

import array
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

from blendcc.content_ports import SpeechToText
from blendcc.domain.events import RecordingStored
from blendcc.domain.transcript import SPEAKERS, UtteranceTranscribed
from blendcc.ports import Commands, EventBus, EventStore, StoredEvent
from blendcc.routing.commands import AppendEvents

log = logging.getLogger(__name__)

#: a recording's (sample rate, channels, 16-bit interleaved frames) by its uri (from bootstrap: the WAV files)
OpenRecording = Callable[[str], tuple[int, int, bytes]]


def split_channels(frames: bytes, channels: int) -> list[bytes]:
    """Interleaved 16-bit frames -> one mono PCM per channel."""
    samples = array.array("h", frames[: len(frames) - len(frames) % (2 * channels)])
    return [samples[c::channels].tobytes() for c in range(channels)]


def recording_start(stored: Sequence[StoredEvent], recording_id: str) -> float | None:
    """When the recording began: its ``RecordingStored`` time (the file complete) less its duration."""
    for s in stored:
        e = s.event
        if isinstance(e, RecordingStored) and e.recording_id == recording_id:
            return e.at - (e.duration_s or 0.0)
    return None


class Transcriber:
    """Transcribes every call recording as it is stored (bus topic ``voice``: ``RecordingStored`` of kind
    ``call``) on a worker, off the event loop; ``transcribe`` also runs on demand (the API, a backfill)."""

    def __init__(self, stt: SpeechToText, open_recording: OpenRecording, commands: Commands, store: EventStore,
                 executor: Executor | None = None, bus: EventBus | None = None) -> None:
        self.stt = stt
        self.open_recording = open_recording
        self.commands = commands
        self.store = store
        self.executor = executor
        self._unsubscribe = bus.subscribe("voice", self._on_voice) if bus is not None and executor else None

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_voice(self, _topic: str, message: Mapping[str, Any]) -> None:
        if message.get("type") != "RecordingStored" or message.get("kind", "call") != "call":
            return
        contact_id, recording_id, uri = message.get("contact_id"), message.get("recording_id"), message.get("uri")
        if isinstance(contact_id, str) and isinstance(recording_id, str) and isinstance(uri, str) and self.executor:
            self.executor.submit(self._quietly, contact_id, recording_id, uri)

    def _quietly(self, contact_id: str, recording_id: str, uri: str) -> None:
        try:
            self.transcribe(contact_id, recording_id, uri)
        except Exception:  # a failed transcript must not stop the next one
            log.exception("transcribing recording %s of contact %s failed", recording_id, contact_id)

    def transcribe(self, contact_id: str, recording_id: str, uri: str) -> list[UtteranceTranscribed]:
        """Transcribe one recording (again: a recording already transcribed is not done twice)."""
        stored = self.store.contact_events(contact_id)
        done = [s.event for s in stored
                if isinstance(s.event, UtteranceTranscribed) and s.event.recording_id == recording_id]
        if done:
            return done
        began = recording_start(stored, recording_id)
        rate, channels, frames = self.open_recording(uri)
        events: list[UtteranceTranscribed] = []
        for speaker, pcm in zip(SPEAKERS, split_channels(frames, channels), strict=False):
            for u in self.stt.transcribe(pcm, rate):
                events.append(UtteranceTranscribed(at=0.0, contact_id=contact_id, recording_id=recording_id,
                                                   speaker=speaker if channels == 2 else "customer",
                                                   start_s=u.start_s, end_s=u.end_s, text=u.text,
                                                   engine=self.stt.name,
                                                   spoken_at=None if began is None else began + u.start_s))
        events.sort(key=lambda e: (e.start_s, e.speaker))
        if events:
            self.commands.execute(AppendEvents(tuple(events), stamp=True))
        log.info("recording %s of contact %s: %d utterances (%s)", recording_id, contact_id, len(events),
                 self.stt.name)
        return events


def transcript(store: EventStore, contact_id: str) -> list[dict[str, Any]]:
    """A contact's transcript, in the order it was spoken."""
    rows = [s.event for s in store.contact_events(contact_id) if isinstance(s.event, UtteranceTranscribed)]
    return [{"recording_id": e.recording_id, "speaker": e.speaker, "start_s": e.start_s, "end_s": e.end_s,
             "text": e.text, "engine": e.engine, "spoken_at": e.said_at}
            for e in sorted(rows, key=lambda e: (e.recording_id, e.start_s))]

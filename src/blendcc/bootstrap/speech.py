"""Wiring of call transcripts: the configured speech-to-text engine and the recordings it reads."""

from __future__ import annotations

import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from blendcc.app.channels.voice.transcription import OpenRecording, Transcriber
from blendcc.config import Settings
from blendcc.content_ports import SpeechToText
from blendcc.domain.errors import NotFound
from blendcc.ports import Commands, EventBus, EventStore


def engine(setting: str) -> SpeechToText:
    if setting == "pocketsphinx":
        from blendcc.adapters.speech.pocketsphinx_stt import PocketSphinxStt

        return PocketSphinxStt()
    from blendcc.adapters.speech.http_stt import HttpStt

    return HttpStt(setting)


def recordings_reader(directory: Path) -> OpenRecording:
    """``uri`` (relative to the recording directory) -> (rate, channels, 16-bit frames); nothing outside it."""
    root = directory.resolve()

    def read(uri: str) -> tuple[int, int, bytes]:
        path = (root / uri).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound(f"recording {uri} is not in the recording directory")
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2:
                raise NotFound(f"recording {uri} is not 16-bit PCM")
            return w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())

    return read


def wire_transcription(settings: Settings, commands: Commands, store: EventStore, bus: EventBus) -> Transcriber:
    """One worker: a transcript takes about a quarter of the call's length of one core (docs/analytics.md)."""
    return Transcriber(engine(settings.transcription), recordings_reader(Path(settings.recording_dir)), commands,
                       store, ThreadPoolExecutor(1, thread_name_prefix="blendcc-stt"), bus)

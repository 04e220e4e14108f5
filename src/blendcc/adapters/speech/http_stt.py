"""A speech-to-text server over HTTP (a Whisper server: OpenAI's ``/v1/audio/transcriptions`` shape, which
whisper.cpp's and faster-whisper's servers answer): the WAV posted, segments with times read back."""

from __future__ import annotations

import io
import wave

import httpx

from blendcc.domain.errors import DomainError
from blendcc.domain.transcript import Utterance


class SpeechServerFailed(DomainError):
    """The speech-to-text server did not answer with a transcript."""

    code = "unavailable"


class HttpStt:
    def __init__(self, url: str, model: str = "whisper-1", timeout_s: float = 300.0, token: str | None = None) -> None:
        self.url = url
        self.model = model
        self.name = f"http:{model}"
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout_s

    def transcribe(self, pcm16: bytes, sample_rate: int) -> list[Utterance]:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sample_rate)
            w.writeframes(pcm16)
        try:
            r = httpx.post(self.url, headers=self._headers, timeout=self._timeout,
                           files={"file": ("audio.wav", buf.getvalue(), "audio/wav")},
                           data={"model": self.model, "response_format": "verbose_json"})
            r.raise_for_status()
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SpeechServerFailed(f"the speech-to-text server at {self.url} failed: {exc}") from exc
        segments = body.get("segments") if isinstance(body, dict) else None
        if not isinstance(segments, list):
            raise SpeechServerFailed(f"the speech-to-text server at {self.url} gave no segments")
        out = []
        for s in segments:
            if not isinstance(s, dict):
                continue
            text = " ".join(str(s.get("text") or "").split())
            try:
                start, end = float(s["start"]), float(s["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if text:
                out.append(Utterance(round(start, 2), round(end, 2), text))
        return out

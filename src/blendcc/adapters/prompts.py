"""IVR prompt audio: text rendered with espeak-ng, uploaded WAV files converted with sox, cached on disk.

Every prompt is an 8 kHz, mono, 16-bit signed PCM WAV file (what the RTP player sends, and one table
look-up per sample away from G.711). A text prompt's id is derived from a hash of (text, voice,
language), so the same sentence is rendered once; uploaded files keep the id they were given.
Each prompt has a JSON side file with what it is (source, text, language, length).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from blendcc.domain.errors import DomainError, NotFound, ValidationFailed
from blendcc.ivr.flow import LANGUAGE_PATTERN, PROMPT_ID_PATTERN, PromptRef

log = logging.getLogger(__name__)
SAMPLE_RATE = 8000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_TEXT = 2000
RENDER_VERSION = "1"  # part of the cache key: bump when the rendering chain changes
#: voices for the languages flows name by their short code (other espeak-ng voice names work as they are)
VOICES = {"en": "en-gb", "fr": "fr-fr", "de": "de", "es": "es", "it": "it", "nl": "nl", "pt": "pt"}
_SOX_OUT = ["-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]


class PromptToolMissing(RuntimeError):
    """espeak-ng or sox is not installed (``make system-deps`` installs them)."""


@dataclass(frozen=True)
class PromptInfo:
    id: str
    source: str  # tts | upload
    seconds: float
    sample_rate: int
    text: str | None = None
    language: str | None = None
    voice: str | None = None
    name: str | None = None

    def view(self) -> dict[str, Any]:
        return asdict(self)


def wav_info(path: Path) -> tuple[int, int, int, float]:
    """(sample rate, channels, bits, seconds) of a WAV file."""
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getnchannels(), 8 * w.getsampwidth(), w.getnframes() / w.getframerate()


class PromptStore:
    """Renders, converts, caches and finds prompt audio under ``directory``."""

    def __init__(self, directory: Path, espeak: str = "espeak-ng", sox: str = "sox", timeout_s: float = 60.0):
        self.directory = Path(directory)
        self.espeak = espeak
        self.sox = sox
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._voices: set[str] | None = None

    # ------------------------------------------------------------------ lookups
    def path(self, prompt_id: str) -> Path:
        """The WAV file of a prompt (NotFound if there is none)."""
        if len(prompt_id) > 64 or not re.fullmatch(PROMPT_ID_PATTERN, prompt_id):
            raise NotFound(f"prompt {prompt_id!r} does not exist")
        p = self.directory / f"{prompt_id}.wav"
        if not p.is_file():
            raise NotFound(f"prompt {prompt_id!r} does not exist")
        return p

    def info(self, prompt_id: str) -> PromptInfo:
        p = self.path(prompt_id)
        meta: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(p.with_suffix(".json").read_text())
        rate, _, _, seconds = wav_info(p)
        return PromptInfo(id=prompt_id, source=str(meta.get("source", "upload")), seconds=round(seconds, 3),
                          sample_rate=rate, text=meta.get("text"), language=meta.get("language"),
                          voice=meta.get("voice"), name=meta.get("name"))

    def list(self) -> builtins.list[PromptInfo]:
        if not self.directory.is_dir():
            return []
        return [self.info(p.stem) for p in sorted(self.directory.glob("*.wav"))]

    def resolve(self, prompt: PromptRef, default_language: str = "en") -> Path:
        """The audio of a prompt reference: its uploaded file, else its text rendered in its language."""
        if prompt.prompt_id is not None:
            return self.path(prompt.prompt_id)
        assert prompt.text is not None  # validated: a prompt has an id or a text
        return self.path(self.render(prompt.text, prompt.language or default_language).id)

    def renderer(self) -> Callable[[PromptRef, str], str | None]:
        """``render(prompt, language) -> WAV path or None`` for a call driver: never raises (a prompt that
        cannot be played is logged and skipped)."""

        def render(prompt: PromptRef, language: str) -> str | None:
            try:
                return str(self.resolve(prompt, language))
            except (DomainError, PromptToolMissing, _ToolFailed, OSError) as exc:
                log.warning("prompt %s cannot be played: %s", prompt, exc)
                return None

        return render

    # ------------------------------------------------------------------ text to speech
    def voices(self) -> set[str]:
        """Language/voice names espeak-ng knows (``en``, ``en-gb``, ``fr-fr``, ...)."""
        if self._voices is None:
            out = self._run([self.espeak, "--voices"], b"").decode("utf-8", "replace")
            names: set[str] = set()
            for line in out.splitlines()[1:]:
                parts = line.split()
                if len(parts) >= 4:
                    names.add(parts[1].lower())
                    names.update(m.lower() for m in re.findall(r"\(([A-Za-z-]+) \d+\)", line))
            self._voices = names
        return self._voices

    def voice_for(self, language: str) -> str:
        lang = language.lower()
        if not re.fullmatch(LANGUAGE_PATTERN, lang):
            raise ValidationFailed(f"language {language!r}: use a code such as en, fr, de, es or en-us")
        voice = VOICES.get(lang, lang)
        known = self.voices()
        if voice not in known:
            if lang in known:
                return lang
            raise ValidationFailed(f"language {language!r}: espeak-ng has no such voice")
        return voice

    def render(self, text: str, language: str = "en", voice: str | None = None) -> PromptInfo:
        """Speak ``text`` (cached: the same text, voice and language are rendered once)."""
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise ValidationFailed(f"text: between 1 and {MAX_TEXT} characters")
        voice = voice or self.voice_for(language)
        if voice.lower() not in self.voices():
            raise ValidationFailed(f"voice {voice!r}: espeak-ng has no such voice")
        key = json.dumps([text, voice, language, SAMPLE_RATE, RENDER_VERSION], ensure_ascii=False)
        prompt_id = "tts-" + hashlib.sha256(key.encode()).hexdigest()[:24]
        target = self.directory / f"{prompt_id}.wav"
        if target.is_file():
            return self.info(prompt_id)
        with tempfile.TemporaryDirectory(prefix="blendcc-tts-") as tmp:
            raw = Path(tmp) / "raw.wav"
            # the text goes in on stdin: nothing in it can be read as an option
            self._run([self.espeak, "-v", voice, "-w", str(raw), "--stdin"], text.encode("utf-8"))
            self._convert(raw, target, {"source": "tts", "text": text, "language": language, "voice": voice})
        return self.info(prompt_id)

    # ------------------------------------------------------------------ uploads
    def upload(self, data: bytes, prompt_id: str | None = None, name: str | None = None) -> PromptInfo:
        """Convert an uploaded WAV file (any rate, channels, sample format) to a prompt."""
        if not data:
            raise ValidationFailed("empty upload: send a WAV file")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationFailed(f"upload too large: at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        if prompt_id is None:
            prompt_id = "wav-" + hashlib.sha256(data).hexdigest()[:24]
        elif not re.fullmatch(PROMPT_ID_PATTERN, prompt_id) or len(prompt_id) > 64 or prompt_id.startswith("tts-"):
            raise ValidationFailed(f"prompt id {prompt_id!r}: letters, digits, '_', '-', and '.' between them; a "
                                   "letter or digit first (not 'tts-...')")
        if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
            raise ValidationFailed("not a WAV file (RIFF/WAVE header missing)")
        with tempfile.TemporaryDirectory(prefix="blendcc-wav-") as tmp:
            src = Path(tmp) / "upload.wav"
            src.write_bytes(data)
            self._convert(src, self.directory / f"{prompt_id}.wav", {"source": "upload", "name": name})
        return self.info(prompt_id)

    def delete(self, prompt_id: str) -> None:
        p = self.path(prompt_id)
        p.unlink(missing_ok=True)
        p.with_suffix(".json").unlink(missing_ok=True)

    def encoded(self, prompt_id: str, encoding: str) -> bytes:
        """The prompt as raw G.711 (``ulaw`` or ``alaw``, 8 kHz) or as the WAV file itself (``wav``)."""
        p = self.path(prompt_id)
        if encoding == "wav":
            return p.read_bytes()
        kinds = {"ulaw": "ul", "alaw": "al"}
        if encoding not in kinds:
            raise ValidationFailed(f"format {encoding!r}: wav, ulaw or alaw")
        return self._run([self.sox, str(p), "-t", kinds[encoding], "-"], b"")

    # ------------------------------------------------------------------ helpers
    def _convert(self, src: Path, target: Path, meta: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(suffix=".wav", dir=self.directory, prefix=".part-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            try:
                self._run([self.sox, "-V1", "-t", "wav", str(src), *_SOX_OUT, str(tmp)], b"")
            except _ToolFailed as exc:
                raise ValidationFailed(f"cannot convert the audio: {exc}") from None
            with self._lock:
                target.with_suffix(".json").write_text(json.dumps({k: v for k, v in meta.items() if v is not None}))
                os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def _run(self, argv: builtins.list[str], stdin: bytes) -> bytes:
        if shutil.which(argv[0]) is None:
            raise PromptToolMissing(f"{argv[0]} is not installed (make system-deps installs espeak-ng and sox)")
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, timeout=self.timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise _ToolFailed(f"{Path(argv[0]).name} took longer than {self.timeout_s:.0f} s") from None
        if done.returncode != 0:
            msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _ToolFailed(f"{Path(argv[0]).name}: {msg[-1] if msg else 'exit ' + str(done.returncode)}")
        return done.stdout


class _ToolFailed(RuntimeError):
    pass


def prompt_directory(settings: Any) -> Path:
    """Where a deployment's prompts live: ``prompts_dir`` (uploads), else ``prompt_cache_dir``."""
    configured = getattr(settings, "prompts_dir", None) or getattr(settings, "prompt_cache_dir", None)
    return Path(configured or "prompts")

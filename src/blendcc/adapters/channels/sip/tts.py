"""Prompt audio for voice calls: text spoken by espeak-ng and converted by sox to 8 kHz WAV, cached on disk.

Uploaded prompts (``prompt_id``) are read as ``<prompts_dir>/<prompt_id>.wav`` (8 kHz mono 16-bit, or
converted once by sox). The IVR's own prompt service can replace this renderer (``IvrDriver.render``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from blendcc.ivr.flow import PromptRef

log = logging.getLogger(__name__)
VOICES = {"en": "en", "fr": "fr", "de": "de", "es": "es", "it": "it", "nl": "nl", "pt": "pt"}


class PromptRenderer:
    def __init__(self, cache_dir: Path, prompts_dir: Path | None = None):
        self.cache = cache_dir
        self.prompts = prompts_dir
        cache_dir.mkdir(parents=True, exist_ok=True)

    def __call__(self, prompt: PromptRef, language: str) -> str | None:
        if prompt.prompt_id is not None and self.prompts is not None:
            src = self.prompts / f"{prompt.prompt_id}.wav"
            if src.is_file():
                return str(self._convert(src, f"id-{prompt.prompt_id}-{int(src.stat().st_mtime)}"))
        if prompt.text is None:
            return None
        key = hashlib.sha1(f"{language}\n{prompt.text}".encode()).hexdigest()[:20]
        out = self.cache / f"tts-{key}.wav"
        if out.is_file():
            return str(out)
        if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
            log.warning("espeak-ng and sox are needed for text prompts (make system-deps)")
            return None
        voice = VOICES.get(language.split("-", maxsplit=1)[0], "en")
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            try:
                subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), prompt.text], check=True,
                               capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("espeak-ng failed: %s", exc)
                return None
            return str(self._convert(raw, f"tts-{key}"))

    def _convert(self, src: Path, name: str) -> Path:
        out = self.cache / f"{name}.wav"
        if not out.is_file():
            tmp = out.with_suffix(".part.wav")
            subprocess.run(["sox", str(src), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(tmp)],
                           check=True, capture_output=True, timeout=60)
            tmp.replace(out)
        return out

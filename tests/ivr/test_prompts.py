"""Prompt audio with the real espeak-ng and sox: 8 kHz mono 16-bit WAV, cached, several languages,
uploaded WAV files converted, G.711 output, and clear refusals."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

import pytest

from blendcc.adapters.prompts import PromptStore, PromptToolMissing, wav_info
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ivr.flow import PromptRef


def tone_wav(seconds: float, rate: int = 44100, channels: int = 2, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            x = math.sin(2 * math.pi * 440 * i / rate)
            one = struct.pack("<h", int(12000 * x)) if width == 2 else bytes([128 + int(90 * x)])
            frames += one * channels
        w.writeframes(bytes(frames))
    return buf.getvalue()


def samples(path: Path) -> list[int]:
    with wave.open(str(path), "rb") as w:
        data = w.readframes(w.getnframes())
    return list(struct.unpack(f"<{len(data) // 2}h", data))


def test_text_rendered_to_8k_mono_in_four_languages_and_cached(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "prompts")
    ids = set()
    for lang, text in [("en", "For sales, press one. For support, press two."),
                       ("fr", "Pour les ventes, tapez un. Pour le support, tapez deux."),
                       ("de", "Für den Verkauf drücken Sie die Eins. Für den Support die Zwei."),
                       ("es", "Para ventas, marque uno. Para soporte, marque dos.")]:
        info = store.render(text, lang)
        rate, channels, bits, seconds = wav_info(store.path(info.id))
        assert (rate, channels, bits) == (8000, 1, 16)
        assert 1.5 < seconds < 10 and info.seconds == pytest.approx(seconds, abs=0.001)
        assert (info.source, info.language, info.text) == ("tts", lang, text)
        assert max(abs(s) for s in samples(store.path(info.id))) > 1000  # speech, not silence
        ids.add(info.id)
    assert len(ids) == 4
    first = store.render("Welcome.", "en")
    path = store.path(first.id)
    mtime = path.stat().st_mtime_ns
    again = store.render("  Welcome. ", "en")  # same text once trimmed: the cached file, not a new render
    assert again.id == first.id and path.stat().st_mtime_ns == mtime
    assert store.render("Welcome.", "en-us").id != first.id  # another voice is another prompt
    longer = store.render("Welcome. " * 6, "en")
    assert longer.seconds > 3 * first.seconds
    assert store.resolve(PromptRef(text="Welcome."), "en") == path
    assert {p.id for p in store.list()} >= ids | {first.id, longer.id}


def test_uploaded_wav_converted(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "p")
    info = store.upload(tone_wav(1.5), "moh", name="hold.wav")
    assert (info.id, info.source, info.name, info.sample_rate) == ("moh", "upload", "hold.wav", 8000)
    assert wav_info(store.path("moh"))[:3] == (8000, 1, 16)
    assert info.seconds == pytest.approx(1.5, abs=0.01)
    # 8-bit mono 11025 Hz works too; no id: named by content
    other = store.upload(tone_wav(0.5, rate=11025, channels=1, width=1))
    assert other.id.startswith("wav-") and other.seconds == pytest.approx(0.5, abs=0.01)
    assert store.resolve(PromptRef(prompt_id="moh")) == store.path("moh")
    # G.711: one byte per sample at 8 kHz
    assert len(store.encoded("moh", "ulaw")) == pytest.approx(12000, abs=10)
    assert len(store.encoded("moh", "alaw")) == pytest.approx(12000, abs=10)
    assert store.encoded("moh", "wav")[:4] == b"RIFF"
    store.delete("moh")
    with pytest.raises(NotFound):
        store.path("moh")


def test_refusals(tmp_path: Path) -> None:
    store = PromptStore(tmp_path / "p")
    with pytest.raises(ValidationFailed, match="not a WAV file"):
        store.upload(b"ID3 this is an mp3, honest")
    with pytest.raises(ValidationFailed, match="cannot convert"):
        store.upload(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(ValidationFailed, match="empty"):
        store.upload(b"")
    with pytest.raises(ValidationFailed, match="prompt id"):
        store.upload(tone_wav(0.1), "../etc/passwd")
    with pytest.raises(ValidationFailed, match="no such voice"):
        store.render("Hello", "xx")
    with pytest.raises(ValidationFailed, match="language"):
        store.render("Hello", "English!")
    with pytest.raises(ValidationFailed, match="text"):
        store.render("   ", "en")
    with pytest.raises(ValidationFailed, match="format"):
        store.upload(tone_wav(0.1), "x")
        store.encoded("x", "mp3")
    with pytest.raises(NotFound):
        store.path("../../x")
    assert not list((tmp_path / "p").glob(".part-*"))  # failed conversions leave nothing behind
    with pytest.raises(PromptToolMissing, match="not installed"):
        PromptStore(tmp_path / "q", espeak="espeak-ng-not-here").render("Hello", "en")


def test_call_renderer_speaks_text_with_a_leading_dash_finds_uploads_and_never_raises(tmp_path: Path) -> None:
    """What voice calls use (the voice service's renderer is this one): the text goes to espeak-ng on stdin,
    so a prompt starting with '-' is spoken, not read as an option; uploads are found where the API put them."""
    store = PromptStore(tmp_path / "prompts")
    render = store.renderer()
    dash = render(PromptRef(text="-5 degrees outside, press one."), "en")
    assert dash is not None and max(abs(s) for s in samples(Path(dash))) > 1000
    store.upload(tone_wav(0.5), "welcome")
    assert render(PromptRef(prompt_id="welcome"), "en") == str(store.path("welcome"))
    assert render(PromptRef(prompt_id="never-uploaded"), "en") is None  # logged, the call goes on
    assert render(PromptRef(text="Hello."), "xx-unknown") is None

"""Synthesised human and answering-machine greetings (espeak-ng + sox) as 8 kHz PCM, for AMD tests and bench."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from blendcc.dialer.amd import RATE

#: what people say when they pick up: short, then they wait for the caller
HUMAN = (
    "Hello?", "Hello.", "Yes, hello?", "Hi.", "Yeah?", "Hello, who is this?", "Yes, hello, who is this?",
    "Speaking.", "Hello, this is Anna.", "Good morning.", "Hi, who's calling?", "Yes?", "Hello, hello?",
    "Hello, yes?", "This is Mark.", "Hi there.", "Who is it?", "Good afternoon.", "Hey.", "Smith residence.",
)
#: answering machines and voicemail: 3 to 10 seconds of talk, then a beep
MACHINE = (
    "Hi, you've reached John. Leave a message after the tone.",
    "Hello, you have reached the Smith family. We can't come to the phone right now. Please leave a message.",
    "The person you are calling is not available. Please leave your message after the tone.",
    "Hi, this is Sarah. Sorry I missed your call, leave your name and number and I'll call you back.",
    "You have reached the voicemail of 5 5 5, 1 2 3 4. Please leave a message.",
    "Hello. Nobody is home right now. Leave a message.",
    "Thank you for calling Acme Plumbing. Our office is closed. Please leave a message and we will return "
    "your call.",
    "Hey, it's Mike. I can't talk right now. Text me or leave a message.",
    "Welcome to the voice mailbox of Doctor Jones. Please leave your name, number and a short message.",
    "Hi. You've reached Tom and Lisa. We're not available. Leave a message at the beep.",
    "The subscriber cannot be reached at the moment. Please try again later or leave a message.",
    "Hello, this is Anna. I'm away from my desk. Please leave a message and I will get back to you soon.",
    "Hi, you've reached the Garcia residence. Please leave a message after the beep.",
    "This is the voicemail for extension two zero four. Please leave a message.",
    "Hello! Thanks for calling. I can't answer right now, so leave a message and have a great day.",
    "You've reached Peter. I'm on holiday until Monday. Leave a message.",
    "Hi, Kevin here. Leave your message and I'll return your call as soon as I can.",
    "Sorry, we missed your call. Please leave your name and number after the tone.",
    "Hello, you have reached the office of Brown and Partners. Please leave a message.",
    "Hi, it's Emma. You know what to do.",
)
VOICES = ("en-us", "en", "en-us+f3", "en+m3", "en-us+f2")
#: the held-out set: other voices, speeds, pick-up delays and line noise than the tuning set
HELD_OUT_VOICES = ("en-gb-x-rp", "en-029", "en-gb-scotland+f4", "en-us+m5", "en-gb-x-gbcwmd+f1")


@dataclass(frozen=True)
class Greeting:
    kind: str  # human / machine
    text: str
    pcm: bytes  # 8 kHz 16-bit little-endian mono: initial silence, the greeting, then what follows

    @property
    def greeting_s(self) -> float:
        return len(self.pcm) / 2 / RATE


def have_tools() -> str | None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def speak(text: str, voice: str, speed: int, volume: int = 100) -> bytes:
    """``text`` spoken by espeak-ng, as 8 kHz 16-bit mono PCM (no silence added)."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-a", str(volume), "-w", str(wav), text],
                       check=True, capture_output=True)
        raw = subprocess.run(["sox", str(wav), "-t", "raw", "-r", str(RATE), "-e", "signed-integer", "-b", "16",
                              "-c", "1", "-L", "-"], check=True, capture_output=True).stdout
    return trim(raw)


def trim(pcm: bytes, threshold: int = 64) -> bytes:
    """Without the leading and trailing silence espeak-ng adds."""
    import struct
    n = len(pcm) // 2
    samples = struct.unpack(f"<{n}h", pcm[: 2 * n])
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return b""
    return pcm[2 * loud[0]: 2 * (loud[-1] + 1)]


def silence(ms: int) -> bytes:
    return b"\x00\x00" * (RATE * ms // 1000)


def beep(ms: int = 400, hz: int = 1000) -> bytes:
    import math
    import struct
    n = RATE * ms // 1000
    return b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * hz * i / RATE))) for i in range(n))


def noise(pcm: bytes, level: int, seed: int) -> bytes:
    """``pcm`` with white noise of peak ``level`` added (a line's hiss)."""
    import random
    import struct
    rnd = random.Random(seed)
    n = len(pcm) // 2
    return struct.pack(f"<{n}h", *(max(-32768, min(32767, s + rnd.randint(-level, level)))
                                   for s in struct.unpack(f"<{n}h", pcm[: 2 * n])))


def corpus(held_out: bool = False) -> list[Greeting]:
    """20 human and 20 machine greetings with varied voices, speeds and pick-up delays (deterministic).
    ``held_out``: the same texts in other voices, at other speeds and delays, with line noise."""
    voices = HELD_OUT_VOICES if held_out else VOICES
    out: list[Greeting] = []
    for i, text in enumerate(HUMAN):
        pre = (400 + (i * 173) % 900) if held_out else (200 + (i * 137) % 700)
        speed = (130 + (i * 13) % 60) if held_out else (150 + (i * 7) % 40)
        # the callee says it soon after picking up, then waits for the caller
        out.append(Greeting("human", text, silence(pre) + speak(text, voices[i % len(voices)], speed)
                            + silence(3000)))
    for i, text in enumerate(MACHINE):
        pre = (300 + (i * 97) % 900) if held_out else (200 + (i * 89) % 600)
        speed = (130 + (i * 17) % 60) if held_out else (150 + (i * 11) % 40)
        pcm = silence(pre) + speak(text, voices[(i + 2) % len(voices)], speed) + silence(300) + beep() \
            + silence(3000)
        out.append(Greeting("machine", text, pcm))
    if held_out:
        out = [Greeting(g.kind, g.text, noise(g.pcm, 150, i)) for i, g in enumerate(out)]
    return out

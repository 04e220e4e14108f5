"""The demo's phone callers: a real SIP call with audio to a SIP edge, given up unanswered or hung up after talking."""

from __future__ import annotations

import array
import asyncio
import math
import random
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.demo.caller import DESK_LINE, DemoCallers, voice_files
from blendcc.demo.client import Counters


class _Desk:
    """The server side: a SIP gateway that answers (or ignores) every call and keeps what it heard."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.legs: list[Any] = []
        self.dialled: list[str | None] = []
        self.ended: list[Any] = []
        self.audio = bytearray()

    def incoming(self, leg: Any, caller_id: str | None, dialled: str | None) -> None:
        self.legs.append(leg)
        self.dialled.append(dialled)
        if self.answer:
            self.gateway.answer(leg)
            leg.rtp.on_packet = lambda pkt, raw: self.audio.extend(g711.decode(leg.rtp.codec, pkt.payload))

    def leg_ended(self, leg: Any) -> None:
        self.ended.append(leg)

    def __getattr__(self, name: str) -> Any:  # the rest of VoiceCallHandler: nothing to do here
        return lambda *args, **kwargs: None


async def _until(check: Any, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())


def test_voice_files_are_8k_prompts(tmp_path: Path) -> None:
    files = voice_files(tmp_path)
    assert files and all(f.is_file() and f.suffix == ".wav" for f in files)


def test_a_demo_caller_talks_to_the_desk_line_and_hangs_up() -> None:
    async def scenario() -> None:
        desk = _Desk(answer=True)
        server = SipGateway("127.0.0.1", 0, "127.0.0.1", (32000, 32099))
        desk.gateway = server  # type: ignore[attr-defined]
        server.voice = desk  # type: ignore[assignment]
        await server.start()
        counters = Counters()
        callers = DemoCallers(("127.0.0.1", server.edge.port), counters, random.Random(3), every_s=3600)
        task = asyncio.create_task(callers.run())
        try:
            assert await _until(lambda: callers.voices and callers.gateway.pacer is not None, 60)
            leg = callers.call()
            assert leg is not None
            assert await _until(lambda: counters.sip_answered == 1, 5)
            assert desk.dialled == [DESK_LINE]
            assert await _until(lambda: len(desk.audio) >= 16000, 5)  # a second of the caller's voice
            samples = array.array("h", bytes(desk.audio))
            rms = math.sqrt(sum(x * x for x in samples) / len(samples))
            assert rms > 100  # speech or the chime, not silence
            callers._hang_up(leg)  # what the talk timer does
            assert await _until(lambda: desk.ended, 5)
            assert leg.released and counters.sip_calls == 1
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            server.close()

    asyncio.run(scenario())


def test_an_unanswered_demo_caller_gives_up() -> None:
    async def scenario() -> None:
        desk = _Desk(answer=False)
        server = SipGateway("127.0.0.1", 0, "127.0.0.1", (32100, 32199))
        desk.gateway = server  # type: ignore[attr-defined]
        server.voice = desk  # type: ignore[assignment]
        await server.start()
        counters = Counters()
        callers = DemoCallers(("127.0.0.1", server.edge.port), counters, random.Random(4), every_s=3600,
                              patience_s=0.5)
        task = asyncio.create_task(callers.run())
        try:
            assert await _until(lambda: callers.voices and callers.gateway.pacer is not None, 60)
            leg = callers.call()
            assert leg is not None
            assert await _until(lambda: desk.legs, 5)
            assert await _until(lambda: leg.released, 5)  # CANCEL after the patience ran out
            assert counters.sip_answered == 0
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            server.close()

    asyncio.run(scenario())

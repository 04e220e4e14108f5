"""Test doubles for the SIP unit tests: a manual timer loop, a capturing transport, a fake voice gateway."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip.dialog import Call
from blendcc.adapters.channels.sip.edge import SipEdge
from blendcc.adapters.channels.sip.message import SipMessage, parse


class FakeHandle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeLoop:
    """call_later on a manual clock: ``advance(s)`` fires what falls due, in order."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, FakeHandle, Callable[[], None]]] = []
        self._seq = itertools.count()

    def call_later(self, delay: float, fn: Callable[[], None]) -> FakeHandle:
        h = FakeHandle()
        heapq.heappush(self._heap, (self.now + delay, next(self._seq), h, fn))
        return h

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while self._heap and self._heap[0][0] <= end:
            at, _, h, fn = heapq.heappop(self._heap)
            self.now = at
            if not h.cancelled:
                fn()
        self.now = end


class Wire:
    """Captures what the edge sends."""

    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self.sent: list[tuple[bytes, tuple[str, int]]] = []
        self.times: list[float] = []
        self.clock = clock

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        self.sent.append((data, addr))
        self.times.append(self.clock())

    def close(self) -> None:
        pass

    def messages(self) -> list[SipMessage]:
        return [parse(d) for d, _ in self.sent]

    def take(self) -> list[SipMessage]:
        out = self.messages()
        self.sent.clear()
        self.times.clear()
        return out


def request(method: str, *, branch: str = "z9hG4bKaaa", call_id: str = "call-1", cseq: int = 1,
            to_tag: str | None = None, from_user: str = "alice", body: bytes = b"",
            extra: str = "") -> bytes:
    to = "<sip:main@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")
    head = (f"{method} sip:main@127.0.0.1:5060 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:5061;branch={branch}\r\n"
            f"From: <sip:{from_user}@127.0.0.1>;tag=ft1\r\nTo: {to}\r\nCall-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\nContact: <sip:{from_user}@127.0.0.1:5061>\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


OFFER = (b"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         b"m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")


PEER = ("127.0.0.1", 5061)


class Harness:
    """A SIP edge on a manual clock and a capturing wire; answers each new call with ``answer``."""

    def __init__(self, answer: int | None = 200):
        self.loop = FakeLoop()
        self.wire = Wire(lambda: self.loop.now)
        self.calls: list[Call] = []
        self.events: list[tuple[str, Any]] = []
        self.edge = SipEdge("127.0.0.1", 5060, on_invite=self._invite)
        self.edge.loop = self.loop  # type: ignore[assignment]
        self.edge.transport = self.wire  # type: ignore[assignment]
        self.answer = answer

    def _invite(self, call: Call) -> None:
        self.calls.append(call)
        call.on_event = lambda c, name, detail: self.events.append((name, detail))
        if self.answer == 200:
            call.answer(b"v=0\r\n")
        elif self.answer is not None:
            call.reject(self.answer)

    def rx(self, data: bytes) -> None:
        self.edge.datagram(data, PEER)

    def statuses(self) -> list[int | None]:
        return [m.status for m in self.wire.take()]


@dataclass(eq=False)
class FakeLeg:
    id: str


class FakeGateway:
    """Runs work inline; records what the service asked of the media/SIP side."""

    def __init__(self) -> None:
        self.log: list[tuple[str, ...]] = []
        self.phones: set[str] = set()
        self.n = 0
        self.recording: dict[str, Path] = {}
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.playing: dict[str, tuple[str, Callable[[], None], bool]] = {}
        self.prebridged: dict[str, tuple[FakeLeg, Path | None]] = {}
        self.connected_since: dict[str, float] = {}

    def post(self, fn: Callable[[], None]) -> None:
        fn()

    def submit(self, work: Callable[[], Any], done: Callable[[Any, Exception | None], None]) -> None:
        try:
            result = work()
        except Exception as exc:
            done(None, exc)
            return
        done(result, None)

    submit_command = submit

    def call_later(self, delay: float, fn: Callable[[], None]) -> FakeHandle:
        self.log.append(("later", str(delay)))
        self.timers.append((delay, fn))
        return FakeHandle()

    def answer(self, leg: FakeLeg) -> None:
        self.log.append(("answer", leg.id))

    def hangup(self, leg: FakeLeg) -> None:
        self.log.append(("hangup", leg.id))

    def ring(self, user: str, caller_id: str | None, contact_id: str) -> FakeLeg | None:
        if user not in self.phones:
            return None
        self.n += 1
        self.log.append(("ring", user))
        return FakeLeg(f"agent-{self.n}")

    def bridge(self, customer: FakeLeg, agent: FakeLeg) -> None:
        self.log.append(("bridge", customer.id, agent.id))

    def unbridge(self, customer: FakeLeg) -> None:
        self.log.append(("unbridge", customer.id))

    def prebridge(self, customer: FakeLeg, agent: FakeLeg, record_to: Path | None) -> None:
        self.prebridged[customer.id] = (agent, record_to)

    def connect(self, customer: FakeLeg, since: float) -> bool:
        """Logs what the classic path logs at the connect (bridge, then record)."""
        found = self.prebridged.pop(customer.id, None)
        if found is None:
            return False
        self.connected_since[customer.id] = since
        self.bridge(customer, found[0])
        if found[1] is not None:
            self.record(customer, found[1])
        return True

    def drop_prebridge(self, customer: FakeLeg, record_to: Path | None) -> None:
        self.prebridged.pop(customer.id, None)
        self.log.append(("dropped", customer.id))

    def hold(self, customer: FakeLeg, held: bool) -> None:
        self.log.append(("hold", customer.id, str(held)))

    def record(self, customer: FakeLeg, path: Path) -> bool:
        self.recording[customer.id] = path
        self.log.append(("record", path.name))
        return True

    def stop_recording(self, customer: FakeLeg) -> float | None:
        return 3.0 if self.recording.pop(customer.id, None) else None

    def listen(self, customer: FakeLeg, supervisor: FakeLeg) -> bool:
        self.log.append(("listen", supervisor.id))
        return True

    def coach(self, customer: FakeLeg, agent: FakeLeg, supervisor: FakeLeg, mode: str) -> bool:
        self.log.append(("coach", supervisor.id, mode))
        return True

    def play(self, leg: FakeLeg, prompt: str, on_done: Callable[[], None], repeat: bool = False) -> bool:
        self.log.append(("play", prompt))
        self.playing[leg.id] = (prompt, on_done, repeat)
        return True

    def stop_playing(self, leg: FakeLeg) -> None:
        if self.playing.pop(leg.id, None) is not None:
            self.log.append(("stop", leg.id))

    def finish_prompt(self, leg: FakeLeg) -> None:
        """The prompt playing to ``leg`` reaches its end."""
        _prompt, on_done, _repeat = self.playing.pop(leg.id)
        on_done()

    def consult(self, agent: FakeLeg, other: FakeLeg) -> None:
        self.log.append(("consult", agent.id, other.id))

    def end_consult(self, leg: FakeLeg) -> None:
        self.log.append(("end_consult", leg.id))

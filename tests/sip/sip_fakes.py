"""Test doubles for the SIP unit tests: a manual timer loop and a capturing transport."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

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

"""RTP (RFC 3550) over asyncio UDP: packets, the FIFO port pool, the one shared 20 ms pacer, endpoints, DTMF.

RFC 4733 telephone-events are decoded on the endpoint: a digit is reported once, on its first end packet
(the sender repeats the end packet three times with the same RTP timestamp).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import struct
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blendcc.adapters.channels.sip.srtp import SrtpContext

log = logging.getLogger(__name__)

FRAME_S = 0.020
SAMPLES = 160  # 20 ms at 8 kHz
DTMF_EVENTS = "0123456789*#ABCD"


class RtpError(ValueError):
    pass


@dataclass(slots=True)
class RtpPacket:
    payload_type: int
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < 12:
            raise RtpError("short packet")
        b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", data)
        if b0 >> 6 != 2:
            raise RtpError("not RTP version 2")
        offset = 12 + 4 * (b0 & 0x0F)
        if b0 & 0x10:  # header extension
            if len(data) < offset + 4:
                raise RtpError("short extension")
            offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
        end = len(data)
        if b0 & 0x20:  # padding
            end -= data[-1]
        if end < offset:
            raise RtpError("bad length")
        return cls(b1 & 0x7F, seq, ts, ssrc, data[offset:end], bool(b1 & 0x80))

    def encode(self) -> bytes:
        return struct.pack("!BBHII", 0x80, (0x80 if self.marker else 0) | self.payload_type, self.seq & 0xFFFF,
                           self.timestamp & 0xFFFFFFFF, self.ssrc) + self.payload


def set_payload_type(data: bytes, pt: int) -> bytes:
    return data[:1] + bytes([(data[1] & 0x80) | pt]) + data[2:]


class PortPool:
    """Even RTP ports (RTCP would take the odd one), handed out oldest-freed first (FIFO reuse)."""

    def __init__(self, start: int, end: int):
        if start % 2:
            start += 1
        self.free: deque[int] = deque(range(start, end, 2))
        self.used: set[int] = set()

    def take(self) -> int:
        if not self.free:
            raise RtpError("RTP port pool exhausted")
        port = self.free.popleft()
        self.used.add(port)
        return port

    def give(self, port: int) -> None:
        if port in self.used:
            self.used.discard(port)
            self.free.append(port)


class Pacer:
    """One timer for every stream: calls each registered function every 20 ms, on an absolute schedule."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float = FRAME_S):
        self.loop = loop
        self.interval = interval
        self.clients: dict[int, Callable[[], None]] = {}
        self._next_id = 0
        self._handle: asyncio.TimerHandle | None = None
        self._due = 0.0
        self.ticks = 0
        self.lag_max = 0.0
        self.lag_sum = 0.0

    def add(self, fn: Callable[[], None]) -> int:
        self._next_id += 1
        self.clients[self._next_id] = fn
        if self._handle is None:  # one timer chain at most; it stops itself when nobody is left
            self._due = self.loop.time() + self.interval
            self._handle = self.loop.call_at(self._due, self._tick)
        return self._next_id

    def remove(self, token: int) -> None:
        self.clients.pop(token, None)

    def _tick(self) -> None:
        if not self.clients:
            self._handle = None
            return
        now = self.loop.time()
        lag = now - self._due
        self.ticks += 1
        self.lag_sum += lag
        self.lag_max = max(self.lag_max, lag)
        for fn in list(self.clients.values()):
            try:
                fn()
            except Exception:
                log.exception("paced stream failed")
        self._due += self.interval
        if now - self._due > 5 * self.interval:  # fell far behind (suspended loop): do not burst
            self._due = now + self.interval
        self._handle = self.loop.call_at(self._due, self._tick)


class DtmfDecoder:
    """RFC 4733: report each event once, on the first end packet of its RTP timestamp."""

    def __init__(self, on_digit: Callable[[str], None]):
        self.on_digit = on_digit
        self._last_end: int | None = None

    def feed(self, pkt: RtpPacket) -> None:
        if len(pkt.payload) < 4:
            return
        event, flags = pkt.payload[0], pkt.payload[1]
        if not flags & 0x80 or pkt.timestamp == self._last_end:
            return
        self._last_end = pkt.timestamp
        if event < len(DTMF_EVENTS):
            self.on_digit(DTMF_EVENTS[event])


class _Proto(asyncio.DatagramProtocol):
    def __init__(self, owner: RtpEndpoint):
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.owner._received(data, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("rtp socket error: %s", exc)


class RtpEndpoint:
    """Our media socket for one call leg: sends paced or relayed packets, receives and classifies them."""

    def __init__(self, host: str, port: int, codec: int = 0, telephone_event: int | None = None):
        self.host = host
        self.port = port
        self.codec = codec
        self.telephone_event = telephone_event
        self.remote: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.ssrc = secrets.randbits(32)
        self.seq = secrets.randbits(16)
        self.ts = secrets.randbits(32)
        #: called with every received packet (parsed) and its raw bytes
        self.on_packet: Callable[[RtpPacket, bytes], None] | None = None
        self.dtmf: DtmfDecoder | None = None
        self.received = 0
        self.sent = 0
        self.latched = False
        self.last_rx = time.monotonic()  # last packet received (or creation): the inactivity timeout
        #: server-side mute: received audio is not handed on (not relayed, mixed or recorded)
        self.muted = False
        #: while set, relayed packets are not sent (our own in-band DTMF tones go out instead)
        self.paused = False
        #: SRTP (SDES) on this leg: received packets are authenticated and decrypted, sent ones encrypted
        self.srtp: SrtpContext | None = None

    async def open(self, loop: asyncio.AbstractEventLoop) -> None:
        transport, _ = await loop.create_datagram_endpoint(lambda: _Proto(self), local_addr=(self.host, self.port))
        self.transport = transport

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def _received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.srtp is not None:
            clear = self.srtp.unprotect(data)
            if clear is None:
                return  # not authenticated with the peer's key (or replayed): dropped, never latched on
            data = clear
        try:
            pkt = RtpPacket.parse(data)
        except RtpError:
            return
        if not self.latched:  # symmetric RTP: answer where the peer actually sends from
            self.remote = addr
            self.latched = True
        self.received += 1
        self.last_rx = time.monotonic()
        if self.dtmf is not None and pkt.payload_type == self.telephone_event:
            self.dtmf.feed(pkt)
        if self.muted and pkt.payload_type != self.telephone_event:
            return
        if self.on_packet is not None:
            self.on_packet(pkt, data)

    def send_raw(self, data: bytes) -> None:
        if self.paused:
            return
        self.send_own(data)

    def send_own(self, data: bytes) -> None:
        """Send even while ``paused`` (the in-band DTMF generator's own frames)."""
        if self.transport is not None and self.remote is not None:
            if self.srtp is not None:
                protected = self.srtp.protect(data)
                if protected is None:
                    return
                data = protected
            self.transport.sendto(data, self.remote)
            self.sent += 1

    def send_audio(self, payload: bytes, marker: bool = False) -> None:
        """Send one frame of our own audio (prompts, music), with our SSRC, sequence and timestamp."""
        self.seq = (self.seq + 1) & 0xFFFF
        self.ts = (self.ts + len(payload)) & 0xFFFFFFFF
        self.send_raw(RtpPacket(self.codec, self.seq, self.ts, self.ssrc, payload, marker).encode())

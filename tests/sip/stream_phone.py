"""A SIP phone over TCP or TLS for the tests and bench (Debian's SIPp has neither TLS nor SRTP): REGISTER with
digest, calls in and out, G.711 media with SRTP (SDES) decrypted by libsrtp on this side."""

from __future__ import annotations

import asyncio
import base64
import math
import os
import re
import ssl
import struct
from typing import Any

from pylibsrtp import Error as SrtpError
from pylibsrtp import Policy, Session

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.digest import authorization
from blendcc.adapters.channels.sip.message import SipMessage, new_branch, new_tag, parse
from blendcc.adapters.channels.sip.stream import Framer

PCMA = 8


def tone_frames(seconds: float, freq: float = 440.0) -> list[bytes]:
    """PCMA frames (20 ms) of a sine tone."""
    n = int(8000 * seconds)
    pcm = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * freq * i / 8000))) for i in range(n))
    payload = g711.encode(PCMA, pcm)
    return [payload[i:i + 160] for i in range(0, len(payload) - 159, 160)]


def srtp_session(key: bytes, inbound: bool) -> Session:
    kind = Policy.SSRC_ANY_INBOUND if inbound else Policy.SSRC_ANY_OUTBOUND
    return Session(Policy(key=key, ssrc_type=kind, srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def sdp_crypto(body: bytes) -> tuple[str, int, bytes | None]:
    """(proto, port, SDES key) of the first audio line of an SDP."""
    text = body.decode()
    m = re.search(r"^m=audio (\d+) (\S+)", text, re.M)
    k = re.search(r"^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)", text, re.M)
    assert m is not None, text
    return m.group(2), int(m.group(1)), base64.b64decode(k.group(1)) if k else None


class Media(asyncio.DatagramProtocol):
    """One RTP socket: what arrives (decrypted when keyed), and a paced tone sender."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.rx: Session | None = None
        self.raw: list[bytes] = []
        self.clear: list[bytes] = []
        self.auth_failures = 0

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.raw.append(data)
        if self.rx is None:
            self.clear.append(data)
            return
        try:
            self.clear.append(bytes(self.rx.unprotect(data)))
        except SrtpError:
            self.auth_failures += 1

    def peak(self) -> int:
        """The loudest sample of the received PCMA audio (decrypted)."""
        pcm = b"".join(g711.decode(PCMA, p[12:]) for p in self.clear if len(p) > 12 and p[1] & 0x7F == PCMA)
        return max((abs(s[0]) for s in struct.iter_unpack("<h", pcm)), default=0)

    async def send_tone(self, addr: tuple[str, int], seconds: float, tx: Session | None) -> int:
        assert self.transport is not None
        ssrc, seq, ts = int.from_bytes(os.urandom(4), "big"), 1, 0
        sent = 0
        for frame in tone_frames(seconds):
            pkt = struct.pack("!BBHII", 0x80, PCMA, seq, ts, ssrc) + frame
            self.transport.sendto(bytes(tx.protect(pkt)) if tx is not None else pkt, addr)
            seq, ts, sent = seq + 1, ts + 160, sent + 1
            await asyncio.sleep(0.02)
        return sent


class StreamPhone:
    """A phone on one TCP or TLS connection to the edge."""

    def __init__(self, kind: str, user: str, cafile: str | None = None):
        self.kind = kind  # "TCP" or "TLS"
        self.user = user
        self.cafile = cafile
        self.framer = Framer()
        self.responses: asyncio.Queue[SipMessage] = asyncio.Queue()
        self.requests: asyncio.Queue[SipMessage] = asyncio.Queue()
        self.pongs = 0
        self.tag = new_tag()
        self.call_id = f"{new_tag()}@{user}"
        self.cseq = 0
        self.local: tuple[str, int] = ("127.0.0.1", 0)
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def connect(self, port: int) -> None:
        ctx = None
        if self.kind == "TLS":
            ctx = ssl.create_default_context(cafile=self.cafile)  # our self-signed certificate is the CA
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                                       server_hostname="127.0.0.1" if ctx else None)
        self._writer = writer
        self.local = writer.get_extra_info("sockname")[:2]
        self._task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            if data == b"\r\n":
                self.pongs += 1
                continue
            for raw in self.framer.feed(data):
                if raw is None:
                    continue
                msg = parse(raw)
                (self.requests if msg.is_request else self.responses).put_nowait(msg)

    def send(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def ping(self) -> None:
        self.send(b"\r\n\r\n")

    @property
    def transport_param(self) -> str:
        return f";transport={self.kind.lower()}"

    def request(self, method: str, uri: str, to: str, extra: list[tuple[str, str]] | None = None,
                body: bytes = b"", cseq: int | None = None, to_tag: str | None = None) -> SipMessage:
        if cseq is None:
            self.cseq += 1
        req = SipMessage(method=method, uri=uri)
        req.add("Via", f"SIP/2.0/{self.kind} {self.local[0]}:{self.local[1]};branch={new_branch()}")
        req.add("Max-Forwards", "70")
        req.add("From", f"<sip:{self.user}@127.0.0.1>;tag={self.tag}")
        req.add("To", f"<{to}>" + (f";tag={to_tag}" if to_tag else ""))
        req.add("Call-ID", self.call_id)
        req.add("CSeq", f"{cseq or self.cseq} {method}")
        req.add("Contact", f"<sip:{self.user}@{self.local[0]}:{self.local[1]}{self.transport_param}>")
        for k, v in extra or ():
            req.add(k, v)
        if body:
            req.add("Content-Type", "application/sdp")
        req.body = body
        self.send(req.encode())
        return req

    async def final(self, timeout: float = 10.0) -> SipMessage:
        while True:
            resp = await asyncio.wait_for(self.responses.get(), timeout)
            if (resp.status or 0) >= 200:
                return resp

    async def register(self, password: str) -> int:
        uri, to = "sip:127.0.0.1", f"sip:{self.user}@127.0.0.1"
        self.request("REGISTER", uri, to, [("Expires", "600")])
        first = await self.final()
        if first.status != 401:
            return first.status or 0
        challenge = first.get("WWW-Authenticate") or ""
        auth = authorization(challenge, self.user, password, "REGISTER", uri)
        self.request("REGISTER", uri, to, [("Expires", "600"), ("Authorization", auth)])
        return (await self.final()).status or 0

    def respond(self, req: SipMessage, status: int, reason: str, body: bytes = b"", tag: str = "") -> None:
        lines = [f"SIP/2.0 {status} {reason}"]
        lines += [f"Via: {v}" for v in req.get_all("Via")]
        to = req.get("To") or ""
        lines += [f"From: {req.get('From')}", f"To: {to}{';tag=' + tag if tag and 'tag=' not in to else ''}",
                  f"Call-ID: {req.call_id}", f"CSeq: {req.get('CSeq')}",
                  f"Contact: <sip:{self.user}@{self.local[0]}:{self.local[1]}{self.transport_param}>"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()


def offer(rtp_port: int, key: bytes | None) -> bytes:
    """An audio offer (PCMA + telephone-event); RTP/SAVP with an a=crypto line when ``key`` is given."""
    proto = "RTP/SAVP" if key else "RTP/AVP"
    lines = ["v=0", "o=phone 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
             f"m=audio {rtp_port} {proto} 8 101", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000"]
    if key:
        lines.append(f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(key).decode()}")
    return ("\r\n".join(lines) + "\r\n").encode()

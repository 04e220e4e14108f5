"""TCP/TLS framing and keep-alives, connection reuse, SDES (RFC 4568) offers and answers, SRTP, the TLS policy."""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
import struct
from pathlib import Path

import pytest

from blendcc.adapters.channels.sip.edge import SipEdge, uri_transport
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.message import parse
from blendcc.adapters.channels.sip.sdp import answer, parse_sdp, reanswer
from blendcc.adapters.channels.sip.srtp import SdesError, SrtpContext, choose, new_crypto, parse_crypto
from blendcc.adapters.channels.sip.stream import Framer, FramingError, server_context
from blendcc.adapters.channels.sip.tlscert import self_signed

KEY = base64.b64encode(bytes(range(30))).decode()
CRYPTO = f"1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}"
HEAD = b"v=0\r\no=x 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"


def _free_port() -> int:
    """A port free for both UDP and TCP (the edge listens on both with the same number)."""
    import socket

    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = int(u.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both UDP and TCP")


def _options(via: str, body: bytes = b"") -> bytes:
    return (f"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{via};branch=z9hG4bK{os.urandom(4).hex()}\r\n"
            f"From: <sip:t@x>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: {os.urandom(4).hex()}\r\nCSeq: 1 OPTIONS\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_framer_splits_by_content_length_across_and_within_chunks() -> None:
    one, two = _options("TCP h:1", b"abc"), _options("TCP h:1")
    f = Framer()
    data = b"\r\n" + one + two
    assert f.feed(data[:10]) == []
    assert f.feed(data[10:len(one) + 1]) == []  # one byte of the body still missing
    assert f.feed(data[len(one) + 1:]) == [one, two]
    assert parse(one).body == b"abc"


def test_framer_reports_keepalive_pings_and_skips_stray_crlf() -> None:
    f = Framer()
    assert f.feed(b"\r\n") == []  # maybe the start of a ping
    assert f.feed(b"\r\n") == [None]
    msg = _options("TCP h:1")
    assert f.feed(b"\r\n" + msg) == [msg]  # a lone CRLF before a message is not a ping


@pytest.mark.parametrize("head", [b"INVITE x SIP/2.0\r\nContent-Length: x\r\n\r\n",
                                  b"INVITE x SIP/2.0\r\nl: 99999999\r\n\r\n", b"A" * 20000])
def test_framer_refuses_bad_lengths_and_endless_headers(head: bytes) -> None:
    with pytest.raises(FramingError):
        Framer().feed(head)


def test_uri_transport() -> None:
    assert uri_transport("sip:a@h:5061;transport=TLS") == "TLS"
    assert uri_transport("sips:a@h") == "TLS"
    assert uri_transport("sip:a@h;transport=tcp") == "TCP"
    assert uri_transport("sip:a@h;transport=sctp") == uri_transport("sip:a@h") == "UDP"


def test_sdes_lines_are_parsed_and_unsupported_ones_refused() -> None:
    c = parse_crypto(CRYPTO)
    assert (c.tag, c.suite, c.key) == (1, "AES_CM_128_HMAC_SHA1_80", bytes(range(30)))
    assert parse_crypto(c.attribute().removeprefix("crypto:")) == c
    for bad in ("x AES_CM_128_HMAC_SHA1_80 inline:" + KEY, "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                "1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4", CRYPTO + " KDR=1"):
        with pytest.raises(SdesError):
            parse_crypto(bad)
    assert choose([f"1 F8_128_HMAC_SHA1_80 inline:{KEY}", f"2 AES_CM_128_HMAC_SHA1_80 inline:{KEY}"]).tag == 2
    assert choose([f"1 AES_CM_128_HMAC_SHA1_32 inline:{KEY}"]) is None


def test_an_savp_offer_is_answered_savp_with_our_key_and_keeps_it_in_a_new_offer() -> None:
    offer = parse_sdp(HEAD + f"m=audio 4000 RTP/SAVP 8 101\r\na=crypto:{CRYPTO}\r\n".encode())
    assert offer.proto == "RTP/SAVP" and offer.crypto == [CRYPTO]
    ours = new_crypto(1)
    sdp, _codec, _te = answer(offer, "10.0.0.1", 20000, crypto=ours.attribute())
    assert "m=audio 20000 RTP/SAVP 8\r\n" in sdp.decode() and f"a={ours.attribute()}" in sdp.decode()
    again, _, _ = reanswer(sdp, parse_sdp(HEAD + f"m=audio 4002 RTP/SAVP 8\r\na=crypto:{CRYPTO}\r\n".encode()), 2)
    assert f"a={ours.attribute()}" in again.decode() and "RTP/SAVP 8" in again.decode()
    plain, _, _ = answer(parse_sdp(HEAD + b"m=audio 4000 RTP/AVP 0\r\n"), "10.0.0.1", 20000)
    assert "RTP/AVP" in plain.decode() and "crypto" not in plain.decode()


def test_srtp_round_trip_and_forgeries_dropped() -> None:
    a_key, b_key = new_crypto(), new_crypto()
    a, b = SrtpContext(a_key, b_key), SrtpContext(b_key, a_key)
    rtp = struct.pack("!BBHII", 0x80, 8, 7, 1120, 99) + bytes(160)
    wire = a.protect(rtp)
    assert wire is not None and wire != rtp and len(wire) == len(rtp) + 10  # 80-bit tag
    assert b.unprotect(wire) == rtp
    assert b.unprotect(wire) is None  # replayed
    forged = bytearray(a.protect(rtp[:2] + b"\x00\x08" + rtp[4:]) or b"")
    forged[20] ^= 1
    assert b.unprotect(bytes(forged)) is None and b.rejected == 2
    assert b.unprotect(rtp) is None  # clear RTP is not taken on an SRTP leg


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> bytes:
    writer.write(data)
    f = Framer()
    while True:
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        assert chunk, "connection closed"
        if chunk == b"\r\n":
            return chunk
        got = [m for m in f.feed(chunk) if m is not None]
        if got:
            return got[0]


def test_edge_answers_over_tcp_and_tls_on_the_same_connection_and_pongs(tmp_path: Path) -> None:
    async def run() -> None:
        edge = SipEdge("127.0.0.1", _free_port())
        cert, key = self_signed(tmp_path)
        edge.tcp_enabled, edge.tls, edge.tls_port = True, server_context(cert, key), 0
        await edge.start()
        try:
            r, w = await asyncio.open_connection("127.0.0.1", edge.port)
            resp = parse(await _exchange(r, w, _options("TCP 127.0.0.1:9")))
            assert resp.status == 200 and resp.get("Via", "").startswith("SIP/2.0/TCP")
            assert await _exchange(r, w, b"\r\n\r\n") == b"\r\n"  # RFC 5626 pong
            peer = w.get_extra_info("sockname")[:2]
            assert edge.transport_of(tuple(peer)) == "TCP"
            assert edge.contact_for(tuple(peer)).endswith(f":{edge.port};transport=tcp")
            ctx = ssl.create_default_context(cafile=cert)  # the self-signed certificate verifies for its IP
            tr, tw = await asyncio.open_connection("127.0.0.1", edge.tls_port, ssl=ctx, server_hostname="127.0.0.1")
            resp = parse(await _exchange(tr, tw, _options("TLS 127.0.0.1:9")))
            assert resp.status == 200
            tpeer = tuple(tw.get_extra_info("sockname")[:2])
            assert edge.via_for(tpeer) == f"SIP/2.0/TLS 127.0.0.1:{edge.tls_port}"
            w.close()
            tw.close()
            await asyncio.sleep(0.05)
            assert edge.transport_of(tuple(peer)) == "TCP"  # closed: we would connect again, not fall to UDP
            assert edge.streams.stats["connections"] == 2 and edge.streams.stats["pings"] == 1
        finally:
            edge.close()

    asyncio.run(run())


INVITE = ("INVITE sip:main@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{via};branch=z9hG4bK{b}\r\nFrom: <sip:c@x>;tag=1\r\n"
          "To: <sip:main@127.0.0.1>\r\nCall-ID: {b}\r\nCSeq: 1 INVITE\r\nContact: <sip:c@127.0.0.1:9>\r\n"
          "Content-Type: application/sdp\r\nContent-Length: {n}\r\n\r\n")


def _invite(via: str, body: bytes) -> bytes:
    return INVITE.format(via=via, b=os.urandom(4).hex(), n=len(body)).encode() + body


@pytest.mark.parametrize("policy", ["refuse", "allow"])
def test_savp_over_udp_or_tcp_is_refused_by_policy_with_a_warning(policy: str) -> None:
    body = HEAD + f"m=audio 4000 RTP/SAVP 8\r\na=crypto:{CRYPTO}\r\n".encode()

    async def run() -> list[tuple[int, str]]:
        gw = SipGateway("127.0.0.1", _free_port(), "127.0.0.1", (31000, 31100))
        gw.edge.tcp_enabled = True
        gw.srtp_over_plain = policy
        await gw.start()
        loop = asyncio.get_running_loop()
        got: asyncio.Queue[bytes] = asyncio.Queue()

        class P(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: object) -> None:
                got.put_nowait(data)

        out = []
        try:
            tr, _ = await loop.create_datagram_endpoint(P, local_addr=("127.0.0.1", 0))
            tr.sendto(_invite("UDP 127.0.0.1:9", body), ("127.0.0.1", gw.edge.port))
            while True:
                m = parse(await asyncio.wait_for(got.get(), 5))
                if (m.status or 0) >= 200:
                    out.append((m.status or 0, m.get("Warning") or ""))
                    break
            tr.close()
            r, w = await asyncio.open_connection("127.0.0.1", gw.edge.port)
            w.write(_invite("TCP 127.0.0.1:9", body))
            f = Framer()
            while len(out) < 2:
                for raw in f.feed(await asyncio.wait_for(r.read(65536), 5)):
                    m = parse(raw or b"")
                    if (m.status or 0) >= 200:
                        out.append((m.status or 0, m.get("Warning") or ""))
            w.close()
            assert gw.legs == {} and len(gw.pool.used) == 0  # nothing kept of the refused calls
        finally:
            gw.close()
        return out

    out = asyncio.run(run())
    if policy == "refuse":
        assert [s for s, _ in out] == [488, 488] and all("over TLS only" in w for _, w in out)
    else:  # allowed: keyed, then refused for want of a voice service (503), not for SRTP
        assert [s for s, _ in out] == [503, 503]


def test_tls_certificate_and_key_go_together_and_the_self_signed_one_is_reused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from blendcc.config import Settings

    with pytest.raises(ValidationError, match="sip_tls_cert and sip_tls_key"):
        Settings(sip_tls_cert="cert.pem")
    first = self_signed(tmp_path, "sip.example.com")
    assert self_signed(tmp_path, "sip.example.com") == first
    assert server_context(*first) is not None  # loads as a server certificate and key
    assert Path(first[1]).stat().st_mode & 0o077 == 0  # the key is readable by its owner only


def test_client_transactions_do_not_retransmit_over_tcp() -> None:
    from sip_fakes import FakeLoop

    from blendcc.adapters.channels.sip.transaction import ClientTransaction

    for reliable in (False, True):
        loop, sent = FakeLoop(), list[bytes]()
        req = parse(_options("TCP h:1"))
        tx = ClientTransaction(("k",), req, ("h", 1), lambda d, a, out=sent: out.append(d), loop.call_later,
                               lambda k: None, on_response=lambda r: None, on_timeout=lambda: None)
        tx.reliable = reliable
        tx.start()
        loop.advance(31.0)
        assert (len(sent) == 1) == reliable, (reliable, len(sent))  # Timer E over UDP only

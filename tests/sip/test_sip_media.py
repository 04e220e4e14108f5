"""SDP offer/answer, digest and the registrar, RTP packets, the FIFO port pool, RFC 4733 DTMF, G.711, media."""

from __future__ import annotations

import struct
import warnings
import wave
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import request

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.digest import DigestAuthenticator, authorization, parse_auth
from blendcc.adapters.channels.sip.media import Bridge, Recorder
from blendcc.adapters.channels.sip.message import parse
from blendcc.adapters.channels.sip.registrar import Registrar
from blendcc.adapters.channels.sip.rtp import DtmfDecoder, PortPool, RtpEndpoint, RtpError, RtpPacket
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU, SdpError, answer, build_sdp, parse_sdp

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # the reference G.711 implementation (stdlib until 3.13)


def test_sdp_answer_picks_the_first_g711_codec_and_keeps_telephone_event() -> None:
    offer = parse_sdp(b"v=0\r\no=x 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
                      b"m=audio 4000 RTP/AVP 18 8 0 96\r\na=rtpmap:18 G729/8000\r\n"
                      b"a=rtpmap:96 telephone-event/8000\r\na=sendrecv\r\n")
    assert (offer.address, offer.port, offer.audio_codecs, offer.telephone_event) == ("10.0.0.2", 4000, [8, 0], 96)
    body, codec, te = answer(offer, "10.0.0.1", 20000)
    ans = parse_sdp(body)
    assert codec == PCMA and te == 96
    assert ans.payloads == [8, 96] and ans.port == 20000 and ans.direction == "sendrecv"


@pytest.mark.parametrize(("offered", "answered"), [("sendonly", "recvonly"), ("inactive", "inactive"),
                                                   ("recvonly", "sendonly")])
def test_hold_directions_are_answered_in_reverse(offered: str, answered: str) -> None:
    offer = parse_sdp(build_sdp("10.0.0.2", 4000, [PCMU], None, offered))
    assert offer.direction == offered
    assert parse_sdp(answer(offer, "10.0.0.1", 20000)[0]).direction == answered


def test_old_style_hold_and_unusable_offers() -> None:
    assert parse_sdp(b"v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n").direction == "sendonly"
    with pytest.raises(SdpError):
        answer(parse_sdp(b"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 18\r\n"), "h", 1)
    for bad in (b"", b"v=0\r\nm=video 1 RTP/AVP 31\r\n", b"v=0\r\nm=audio 1 RTP/AVP 0\r\n", b"\xff"):
        with pytest.raises(SdpError):
            parse_sdp(bad)


def test_digest_challenge_and_answer() -> None:
    auth = DigestAuthenticator("blendcc")
    challenge = auth.challenge()
    assert parse_auth(challenge)["qop"] == "auth"
    good = authorization(challenge, "a1", "secret", "REGISTER", "sip:blendcc")
    assert auth.verify(good, "REGISTER", {"a1": "secret"}) == ("a1", False)
    assert auth.verify(good, "REGISTER", {"a1": "other"}) == (None, False)
    assert auth.verify(good, "INVITE", {"a1": "secret"}) == (None, False)
    forged = good.replace(parse_auth(good)["nonce"], "0" * 24)
    assert auth.verify(forged, "REGISTER", {"a1": "secret"}) == (None, False)
    # RFC 2617 section 3.5's example, without qop
    from blendcc.adapters.channels.sip.digest import response_hash
    assert response_hash("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                         "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b") == \
        "6629fae49393a05397450978507c4ef1"


def test_registrar_binds_after_digest_and_expires() -> None:
    now = [1000.0]
    reg = Registrar("blendcc", {"a1": "pw"}, clock=lambda: now[0])
    msg = parse(request("REGISTER", from_user="a1").replace(b"To: <sip:main@", b"To: <sip:a1@"))
    first = reg.handle(msg, ("127.0.0.1", 5070))
    assert first.status == 401
    challenge = first.get("WWW-Authenticate") or ""
    msg.add("Authorization", authorization(challenge, "a1", "pw", "REGISTER", "sip:main@127.0.0.1:5060"))
    msg.add("Expires", "120")
    ok = reg.handle(msg, ("127.0.0.1", 5070))
    assert ok.status == 200 and "expires=120" in (ok.get("Contact") or "")
    b = reg.lookup("a1")
    assert b is not None and b.addr == ("127.0.0.1", 5070) and b.contact == "sip:a1@127.0.0.1:5061"
    now[0] += 121
    assert reg.lookup("a1") is None
    msg.set("Authorization", authorization(challenge, "a1", "wrong", "REGISTER", "sip:main@127.0.0.1:5060"))
    assert reg.handle(msg, ("127.0.0.1", 5070)).status == 401


def test_rtp_packet_round_trip_and_malformed() -> None:
    p = RtpPacket(0, 65535, 2**32 - 1, 0xDEADBEEF, b"\xff" * 160, marker=True)
    q = RtpPacket.parse(p.encode())
    assert (q.payload_type, q.seq, q.timestamp, q.ssrc, q.payload, q.marker) == (0, 65535, 2**32 - 1, 0xDEADBEEF,
                                                                                  b"\xff" * 160, True)
    # CSRC list, extension and padding are skipped
    raw = struct.pack("!BBHII", 0xB1, 8, 1, 2, 3) + b"CSRC" + struct.pack("!HH", 0xBEDE, 1) + b"EXT!" + b"ab\x00\x02"
    assert RtpPacket.parse(raw).payload == b"ab"
    for bad in (b"", b"\x80" * 5, b"\x40" + b"\x00" * 11):
        with pytest.raises(RtpError):
            RtpPacket.parse(bad)


def test_port_pool_reuses_freed_ports_first_in_first_out() -> None:
    pool = PortPool(20001, 20010)
    taken = [pool.take() for _ in range(4)]
    assert taken == [20002, 20004, 20006, 20008]
    pool.give(20004)
    pool.give(20002)
    assert [pool.take() for _ in range(2)] == [20004, 20002]
    with pytest.raises(RtpError):
        pool.take()


def _event(digit: int, ts: int, end: bool, duration: int) -> RtpPacket:
    return RtpPacket(101, 0, ts, 1, bytes([digit, (0x80 if end else 0) | 10]) + duration.to_bytes(2, "big"))


def test_rfc4733_digit_reported_once_on_the_end_packet() -> None:
    got: list[str] = []
    dec = DtmfDecoder(got.append)
    for ts, digit in ((1000, 5), (3000, 11), (5000, 5)):
        for d in (160, 320, 480):
            dec.feed(_event(digit, ts, False, d))
        assert got.count("5") + got.count("#") < 3
        for _ in range(3):  # the three redundant end packets
            dec.feed(_event(digit, ts, True, 640))
    assert got == ["5", "#", "5"]


def test_g711_tables_match_the_reference_codec() -> None:
    for i in range(256):
        assert struct.pack("<h", g711.ulaw_to_linear(i)) == audioop.ulaw2lin(bytes([i]), 2)
        assert struct.pack("<h", g711.alaw_to_linear(i)) == audioop.alaw2lin(bytes([i]), 2)
    pcm = struct.pack("<4000h", *range(-32000, 32000, 16))
    assert g711.encode(PCMU, pcm) == audioop.lin2ulaw(pcm, 2)
    assert g711.encode(PCMA, pcm) == audioop.lin2alaw(pcm, 2)
    assert g711.decode(PCMU, b"\x00\x7f\xff") == audioop.ulaw2lin(b"\x00\x7f\xff", 2)


class _Pacer:
    def __init__(self) -> None:
        self.clients: dict[int, Any] = {}
        self.loop = None

    def add(self, fn: Any) -> int:
        self.clients[len(self.clients) + 1] = fn
        return len(self.clients)

    def remove(self, token: int) -> None:
        self.clients.pop(token, None)

    def tick(self, n: int) -> None:
        for _ in range(n):
            for fn in list(self.clients.values()):
                fn()


class _Sink(RtpEndpoint):
    def __init__(self, codec: int):
        super().__init__("127.0.0.1", 0, codec, 101)
        self.out: list[bytes] = []
        self.remote = ("127.0.0.1", 1)

    def send_raw(self, data: bytes) -> None:
        self.out.append(data)


def test_bridge_relays_transcodes_holds_and_records_both_directions(tmp_path: Path) -> None:
    a, b = _Sink(PCMU), _Sink(PCMA)
    bridge = Bridge(a, b)
    pacer = _Pacer()
    bridge.recorder = Recorder(pacer, tmp_path / "r.wav")  # type: ignore[arg-type]
    tone = g711.encode(PCMU, struct.pack("<160h", *([8000, -8000] * 80)))
    for i in range(50):  # one second from the customer (PCMU), relayed to the agent as PCMA
        a._received(RtpPacket(PCMU, i, i * 160, 7, tone).encode(), ("127.0.0.1", 9))
        pacer.tick(1)
    assert len(b.out) == 50
    relayed = RtpPacket.parse(b.out[0])
    assert relayed.payload_type == PCMA and relayed.payload == tone.translate(g711.TRANSCODE[(PCMU, PCMA)])
    b._received(RtpPacket(101, 1, 1, 8, b"\x05\x8a\x02\x80").encode(), ("127.0.0.1", 9))  # DTMF passes
    assert RtpPacket.parse(a.out[-1]).payload_type == 101
    bridge.held = True
    a._received(RtpPacket(PCMU, 51, 51 * 160, 7, tone).encode(), ("127.0.0.1", 9))
    assert len(b.out) == 50  # nothing relayed while held
    pacer.tick(49)
    seconds = bridge.close()
    assert seconds == pytest.approx(99 * 160 / 8000)
    with wave.open(str(tmp_path / "r.wav")) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 8000, 99 * 160)
        frames = struct.unpack(f"<{2 * w.getnframes()}h", w.readframes(w.getnframes()))
    left = frames[0::2]
    assert max(left[:160]) > 7000 and max(frames[1::2]) == 0  # customer audio left, agent silent right


def test_gateway_consultation_relays_agent_to_consulted_and_restores_the_customer_bridge() -> None:
    from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg

    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (40000, 40010))
    cust, agent, other = (SipLeg(n, "agent", None, _Sink(PCMU)) for n in ("c", "a", "o"))  # type: ignore[arg-type]
    for leg in (cust, agent, other):
        gw.legs[leg.id] = leg
    gw.bridge(cust, agent)
    pkt = RtpPacket(PCMU, 1, 160, 9, b"\xff" * 160).encode()
    agent.rtp._received(pkt, ("127.0.0.1", 9))
    assert len(cust.rtp.out) == 1  # type: ignore[attr-defined]
    gw.hold(cust, True)
    gw.consult(agent, other)
    agent.rtp._received(pkt, ("127.0.0.1", 9))
    other.rtp._received(pkt, ("127.0.0.1", 9))
    assert len(other.rtp.out) == 1 and len(agent.rtp.out) == 1  # type: ignore[attr-defined]
    assert len(cust.rtp.out) == 1  # type: ignore[attr-defined]  # the held customer hears nothing
    gw.end_consult(other)
    gw.hold(cust, False)
    agent.rtp._received(pkt, ("127.0.0.1", 9))
    assert len(cust.rtp.out) == 2 and len(other.rtp.out) == 1  # type: ignore[attr-defined]
    gw.worker.shutdown()


def test_gateway_hangs_up_confirmed_legs_whose_rtp_went_silent() -> None:
    from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg

    class _Call:
        state = "confirmed"
        call_id = "c-1"
        app: Any = None
        byes = 0

        def bye(self) -> None:
            self.byes += 1
            self.state = "ended"

    class _Voice:
        ended: list[str] = []

        def leg_ended(self, leg: Any) -> None:
            self.ended.append(leg.id)

    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (40000, 40010), rtp_timeout_s=60)
    gw.voice = _Voice()
    quiet, talking = _Call(), _Call()
    for name, call in (("quiet", quiet), ("talking", talking)):
        leg = SipLeg(name, "customer", call, _Sink(PCMU))  # type: ignore[arg-type]
        call.app = leg
        gw.legs[name] = leg
    gw.legs["quiet"].rtp.last_rx = 1000.0
    gw.legs["talking"].rtp.last_rx = 1050.0
    assert gw.sweep(1070.0) == 1
    assert quiet.byes == 1 and talking.byes == 0 and gw.voice.ended == ["quiet"]
    assert "quiet" not in gw.legs and "talking" in gw.legs
    gw.worker.shutdown()

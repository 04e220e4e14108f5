"""Call controls on the media path with real UDP RTP sockets: DTMF out (RFC 4733 and in-band), mute, the
three-way conference mix (each party hears the other two; the recording gets the mix) and leaving it."""

from __future__ import annotations

import array
import asyncio
import itertools
import math
import struct
import wave
from pathlib import Path
from typing import Any

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.dtmf import COLS, ROWS, DtmfSender, frequencies
from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg
from blendcc.adapters.channels.sip.rtp import DTMF_EVENTS, DtmfDecoder, Pacer, RtpEndpoint, RtpPacket
from blendcc.adapters.channels.sip.sdp import PCMA, PCMU

KEYS = ("123A", "456B", "789C", "*0#D")


def power(pcm: array.array[int], freq: float) -> float:
    """Goertzel: the signal's power at ``freq`` (8 kHz samples)."""
    coeff = 2 * math.cos(2 * math.pi * freq / 8000)
    s1 = s2 = 0.0
    for x in pcm:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def detect_digit(pcm: array.array[int]) -> str | None:
    """The DTMF key in a frame: the strongest row and column tones, both well above the others."""
    if max((abs(x) for x in pcm), default=0) < 1000:
        return None
    rows = [power(pcm, f) for f in ROWS]
    cols = [power(pcm, f) for f in COLS]
    r, c = rows.index(max(rows)), cols.index(max(cols))
    if sorted(rows)[-2] * 10 > rows[r] or sorted(cols)[-2] * 10 > cols[c]:
        return None
    return KEYS[r][c]


class Peer(asyncio.DatagramProtocol):
    """The far end of one leg: a real UDP socket receiving (and sending) RTP."""

    def __init__(self) -> None:
        self.packets: list[RtpPacket] = []
        self.transport: asyncio.DatagramTransport | None = None
        self.seq = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.packets.append(RtpPacket.parse(data))

    @property
    def addr(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return host, port

    def send(self, to: int, codec: int, pcm: bytes) -> None:
        assert self.transport is not None
        self.seq += 1
        pkt = RtpPacket(codec, self.seq, self.seq * 160, 1234, g711.encode(codec, pcm))
        self.transport.sendto(pkt.encode(), ("127.0.0.1", to))

    def audio(self, codec: int, since: int = 0) -> array.array[int]:
        pcm = b"".join(g711.decode(codec, p.payload) for p in self.packets[since:] if p.payload_type == codec)
        return array.array("h", pcm)


async def peer(loop: asyncio.AbstractEventLoop) -> Peer:
    _, p = await loop.create_datagram_endpoint(Peer, local_addr=("127.0.0.1", 0))
    return p


async def until(check: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


def test_rfc4733_digits_reach_a_real_socket_with_three_end_packets() -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        far = await peer(loop)
        ep = RtpEndpoint("127.0.0.1", 0, PCMU, 101)
        await ep.open(loop)
        ep.remote = far.addr
        done = asyncio.Event()
        sender = DtmfSender(Pacer(loop), ep, "1#9D", done.set)
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)
        ep.close()
        assert sender.sent == list("1#9D") and not sender.active
        heard: list[str] = []
        decoder = DtmfDecoder(heard.append)
        for p in far.packets:
            decoder.feed(p)
        assert heard == list("1#9D")
        assert all(p.payload_type == 101 and p.ssrc == ep.ssrc for p in far.packets)
        seqs = [p.seq for p in far.packets]
        assert seqs == [(seqs[0] + i) & 0xFFFF for i in range(len(seqs))]
        by_digit: dict[int, list[RtpPacket]] = {}
        for p in far.packets:
            by_digit.setdefault(p.timestamp, []).append(p)
        assert len(by_digit) == 4  # one timestamp per key press
        starts = sorted(by_digit)
        for ts, digit in zip(starts, "1#9D", strict=True):
            pkts = by_digit[ts]
            events = {p.payload[0] for p in pkts}
            assert events == {DTMF_EVENTS.index(digit)}
            assert pkts[0].marker and not any(p.marker for p in pkts[1:])
            ends = [p for p in pkts if p.payload[1] & 0x80]
            assert len(ends) == 3  # the end, three times
            assert {struct.unpack("!H", p.payload[2:4])[0] for p in ends} == {800}
            durations = [struct.unpack("!H", p.payload[2:4])[0] for p in pkts if not p.payload[1] & 0x80]
            assert durations == sorted(durations) and durations[0] == 160
        assert all(b - a >= 800 for a, b in itertools.pairwise(starts))  # events do not overlap

    asyncio.run(run())


def test_keys_pressed_while_digits_are_playing_are_queued_in_order() -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        far = await peer(loop)
        ep = RtpEndpoint("127.0.0.1", 0, PCMU, 101)
        await ep.open(loop)
        ep.remote = far.addr
        done = asyncio.Event()
        sender = DtmfSender(Pacer(loop), ep, "4", done.set)
        assert sender.extend("2") and sender.extend("#")  # pressed while 4 plays
        assert not sender.extend("x") and not sender.extend("1" * 31)  # invalid; more than 32 waiting
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)
        assert not sender.extend("9")  # finished: a new sender takes the next key
        ep.close()
        heard: list[str] = []
        decoder = DtmfDecoder(heard.append)
        for p in far.packets:
            decoder.feed(p)
        assert heard == list("42#") and sender.sent == list("42#")

    asyncio.run(run())


def test_inband_tones_without_telephone_event_and_the_relay_paused_meanwhile() -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        far = await peer(loop)
        ep = RtpEndpoint("127.0.0.1", 0, PCMA, None)  # the peer did not negotiate telephone-event
        await ep.open(loop)
        ep.remote = far.addr
        done = asyncio.Event()
        DtmfSender(Pacer(loop), ep, "5*0", done.set)
        await asyncio.sleep(0.03)
        relayed = RtpPacket(PCMA, 1, 1, 99, b"\xd5" * 160).encode()
        ep.send_raw(relayed)  # the bridge's relay: held back while the tones play
        await asyncio.wait_for(done.wait(), 5)
        ep.send_raw(relayed)  # and sent again afterwards
        await asyncio.sleep(0.05)
        ep.close()
        assert [p.ssrc for p in far.packets].count(99) == 1 and far.packets[-1].ssrc == 99
        own = [p for p in far.packets if p.ssrc == ep.ssrc]
        assert all(p.payload_type == PCMA for p in own) and len(own) == 3 * 8
        frames = [array.array("h", g711.decode(PCMA, p.payload)) for p in own]
        keys = [detect_digit(f) for f in frames]
        assert keys == [k for d in "5*0" for k in [d] * 5 + [None] * 3]
        low, high = frequencies("5")
        assert power(frames[2], low) > 100 * power(frames[2], 1000.0)
        assert power(frames[2], high) > 100 * power(frames[2], 1000.0)

    asyncio.run(run())


class _Call:
    """What the gateway uses of a SIP dialog for legs built by hand."""

    state = "confirmed"
    call_id = "c"
    app: Any = None
    remote_media = None

    def bye(self) -> None:
        self.state = "ended"


TONES = {"customer": 500.0, "agent": 1100.0, "other": 1700.0}


def test_conference_mix_mute_recording_and_leaving(tmp_path: Path) -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (41000, 41020), rtp_timeout_s=0)
        await gw.start()
        peers: dict[str, Peer] = {}
        legs: dict[str, SipLeg] = {}
        codecs = {"customer": PCMA, "agent": PCMU, "other": PCMU}
        for name, codec in codecs.items():
            ep = gw._endpoint(codec, 101)
            leg = gw._new_leg(name if name != "other" else "agent", _Call(), ep)  # type: ignore[arg-type]
            peers[name] = await peer(loop)
            ep.remote = peers[name].addr
            legs[name] = leg
        await until(lambda: all(leg.rtp.transport is not None for leg in legs.values()))
        cust, agent, other = legs["customer"], legs["agent"], legs["other"]
        gw.bridge(cust, agent)
        assert gw.record(cust, tmp_path / "conf.wav")
        gw.consult(agent, other)
        assert gw.conference(cust, agent, other)
        assert cust.bridge is None and agent.consult is None and cust.mixer is agent.mixer is other.mixer

        async def talk(names: tuple[str, ...], frames: int) -> dict[str, int]:
            marks = {n: len(p.packets) for n, p in peers.items()}
            for i in range(frames):
                for n in names:
                    w = 2 * math.pi * TONES[n] / 8000
                    pcm = struct.pack("<160h", *(int(6000 * math.sin(w * (i * 160 + k))) for k in range(160)))
                    peers[n].send(legs[n].rtp.port, codecs[n], pcm)
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
            return marks

        def heard(name: str, marks: dict[str, int]) -> dict[str, float]:
            pcm = peers[name].audio(codecs[name], marks[name])
            assert len(pcm) >= 160 * 10, f"{name} received too little audio"
            return {n: power(pcm, f) for n, f in TONES.items()}

        marks = await talk(("customer", "agent", "other"), 25)
        for name in TONES:
            p = heard(name, marks)
            others = [p[n] for n in TONES if n != name]
            assert min(others) > 1000 * p[name], (name, p)  # the other two, never oneself

        gw.mute(agent, True)  # the agent's audio reaches neither the mix nor the recording
        await asyncio.sleep(0.1)  # what was mixed before is delivered before the next marks
        marks = await talk(("customer", "agent", "other"), 20)
        p = heard("customer", marks)
        assert p["other"] > 1000 * p["agent"]
        gw.mute(agent, False)

        gw.leave_conference(agent)  # the first agent leaves: the customer and the other stay bridged
        assert agent.mixer is None and cust.mixer is None and cust.bridge is other.bridge is not None
        await asyncio.sleep(0.1)  # the mix's last frames are delivered before the next marks
        marks = await talk(("customer", "agent", "other"), 15)
        p = heard("customer", marks)
        assert p["other"] > 1000 * p["agent"]
        assert len(peers["agent"].packets) - marks["agent"] == 0  # the agent hears nothing any more
        seconds = gw.stop_recording(cust)
        assert seconds is not None and seconds > 1.0
        gw.close()

        with wave.open(str(tmp_path / "conf.wav")) as w:
            assert w.getnchannels() == 2
            frames = array.array("h", w.readframes(w.getnframes()))
        left, right = frames[0::2], frames[1::2]
        conf = slice(0, 8000)  # the first second: all three talking in the conference
        assert power(left[conf], TONES["customer"]) > 100 * power(left[conf], TONES["agent"])
        assert power(right[conf], TONES["agent"]) > 100 * power(right[conf], TONES["customer"])
        assert power(right[conf], TONES["other"]) > 100 * power(right[conf], TONES["customer"])

    asyncio.run(run())


def test_customer_leaving_ends_the_mix_and_closes_its_recording(tmp_path: Path) -> None:
    async def run() -> None:
        gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (41100, 41120), rtp_timeout_s=0)
        await gw.start()
        legs = [gw._new_leg(k, _Call(), gw._endpoint(PCMU, 101)) for k in ("customer", "agent", "agent")]  # type: ignore[arg-type]
        await until(lambda: all(leg.rtp.transport is not None for leg in legs))
        cust, agent, other = legs
        gw.bridge(cust, agent)
        gw.record(cust, tmp_path / "c.wav")
        assert gw.conference(cust, agent, other)
        assert not gw.conference(cust, agent, other)  # once
        await asyncio.sleep(0.3)
        gw.hangup(cust)  # released: the mix ends, the agents are not bridged to each other
        assert agent.mixer is None and other.mixer is None and agent.bridge is None and other.bridge is None
        assert cust.recorded_s is not None and cust.recorded_s > 0.1
        assert agent.rtp.on_packet is None and other.rtp.on_packet is None
        gw.close()

    asyncio.run(run())


class _ManualPacer:
    def __init__(self) -> None:
        self.clients: dict[int, Any] = {}

    def add(self, fn: Any) -> int:
        self.clients[len(self.clients) + 1] = fn
        return len(self.clients)

    def remove(self, token: int) -> None:
        self.clients.pop(token, None)

    def tick(self, n: int) -> None:
        for _ in range(n):
            for fn in list(self.clients.values()):
                fn()


def test_a_paused_recording_writes_nothing_meanwhile(tmp_path: Path) -> None:
    from blendcc.adapters.channels.sip.media import Recorder

    pacer = _ManualPacer()
    rec = Recorder(pacer, tmp_path / "p.wav")  # type: ignore[arg-type]
    loud = struct.pack("<160h", *([9000] * 160))
    for paused in (False, True, False):
        rec.paused = paused
        for _ in range(10):
            rec.feed(0, loud)
            pacer.tick(1)
    assert rec.close() == 20 * 160 / 8000  # the paused 200 ms are not in the file
    with wave.open(str(tmp_path / "p.wav")) as w:
        assert w.getnframes() == 20 * 160


def test_phone_kind_tells_the_browser_phone_from_a_sip_phone() -> None:
    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (41200, 41210))

    class WebRtcCall:
        pass

    WebRtcCall.__module__ = "blendcc.adapters.channels.webrtc.phones"
    browser = SipLeg("b", "agent", WebRtcCall(), RtpEndpoint("127.0.0.1", 0))  # type: ignore[arg-type]
    desk = SipLeg("d", "agent", _Call(), RtpEndpoint("127.0.0.1", 0))  # type: ignore[arg-type]
    assert (gw.phone_kind(browser), gw.phone_kind(desk)) == ("browser", "sip")
    assert gw.dtmf_mode(SipLeg("x", "customer", _Call(), RtpEndpoint("127.0.0.1", 0, PCMU, 101))) == "rfc4733"  # type: ignore[arg-type]
    assert gw.dtmf_mode(desk) == "inband"
    gw.worker.shutdown()


def test_a_muted_agent_phone_reaches_neither_the_customer_nor_the_recording(tmp_path: Path) -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (41300, 41320), rtp_timeout_s=0)
        await gw.start()
        legs, peers = [], []
        for kind in ("customer", "agent"):
            p = await peer(loop)
            leg = gw._new_leg(kind, _Call(), gw._endpoint(PCMU, 101))  # type: ignore[arg-type]
            leg.rtp.remote = p.addr
            legs.append(leg)
            peers.append(p)
        await until(lambda: all(leg.rtp.transport is not None for leg in legs))
        cust, agent = legs
        gw.bridge(cust, agent)
        gw.mute(agent, True)
        assert gw.record(cust, tmp_path / "m.wav")
        tone = struct.pack("<160h", *(int(8000 * math.sin(2 * math.pi * 700 * k / 8000)) for k in range(160)))
        for _ in range(15):
            peers[1].send(agent.rtp.port, PCMU, tone)
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        assert peers[0].packets == []  # nothing relayed to the customer
        seconds = gw.stop_recording(cust)
        with wave.open(str(tmp_path / "m.wav")) as w:
            frames = array.array("h", w.readframes(w.getnframes()))
        assert seconds is not None and seconds > 0 and max(abs(x) for x in frames[1::2]) == 0
        gw.mute(agent, False)
        for _ in range(5):
            peers[1].send(agent.rtp.port, PCMU, tone)
        await until(lambda: len(peers[0].packets) == 5)  # relayed again
        gw.close()

    asyncio.run(run())

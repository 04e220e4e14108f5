"""Runs inside a private network namespace: the SIP conformance scenarios (issue 14's faults) against a voice server.

Usage: python netns_conformance.py SCENARIO... ; prints one JSON object (results per scenario) as its last line.
SIPp checks what it receives (statuses, headers, SDP); this side reports what the server did (the responses
it sent, the interactions, the media of the leg).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import shutil
import struct
import sys
import wave
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netns_voice import Server, register, wait_for
from sipp_harness import PCAPS, scenario, sipp, workdir

from blendcc.adapters.channels.sip.message import parse, uri_hostport


class Sent:
    """Every SIP datagram the edge sends: (status or method, CSeq)."""

    def __init__(self, srv: Server):
        self.items: list[tuple[str, str]] = []
        edge = srv.stack.gateway.edge
        original = edge.send

        def send(data: bytes, addr: tuple[str, int]) -> None:
            try:
                m = parse(data)
                self.items.append((str(m.status or m.method), m.get("CSeq") or ""))
            except Exception:
                self.items.append(("?", ""))
            original(data, addr)

        edge.send = send  # type: ignore[method-assign]

    def count(self, what: str, cseq: str) -> int:
        return sum(1 for s, c in self.items if s == what and c == cseq)


def leg_of(srv: Server, caller: str) -> Any:
    return next((leg for leg in srv.stack.gateway.legs.values() if leg.call.caller_id == caller), None)


def tone(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                               for i in range(int(8000 * seconds))))
    return path


async def hold(srv: Server, work: Path) -> dict[str, Any]:
    """Hold then resume by re-INVITE: each 200 is sent once when its ACK arrives (no retransmissions)."""
    sent = Sent(srv)
    r = await sipp(scenario("reinvite_hold", work, caller="hold"), work, local_port=5081, timeout_s=20)
    return {"sipp": r.__dict__, "ok_hold": sent.count("200", "2 INVITE"), "ok_resume": sent.count("200", "3 INVITE"),
            "rows": len(srv.rows("hold"))}


async def codec(srv: Server, work: Path) -> dict[str, Any]:
    """Re-INVITE with PCMA only, media moved to a socket of ours: our prompt arrives there in PCMA; then a
    G.729-only re-INVITE gets 488 and the leg stays on PCMA."""
    loop = asyncio.get_running_loop()
    got: list[int] = []

    class Media(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            if len(data) >= 12:
                got.append(data[1] & 0x7F)

    tr, _ = await loop.create_datagram_endpoint(Media, local_addr=("127.0.0.1", 26550))
    sent = Sent(srv)
    codec_at_488: list[int] = []
    original = srv.stack.gateway.edge.send

    def spy(data: bytes, addr: tuple[str, int]) -> None:
        original(data, addr)
        if data.startswith(b"SIP/2.0 488"):
            leg = leg_of(srv, "codec")
            codec_at_488.append(leg.rtp.codec if leg else -1)

    srv.stack.gateway.edge.send = spy  # type: ignore[method-assign]
    try:
        run = asyncio.create_task(sipp(scenario("reinvite_codec", work, caller="codec", alt_port="26550",
                                                hold_ms="2500"), work, local_port=5082, rtp_port=26500,
                                       timeout_s=20))
        moved = await wait_for(lambda: (leg := leg_of(srv, "codec")) is not None
                               and leg.rtp.remote == ("127.0.0.1", 26550), 8)
        leg = leg_of(srv, "codec")
        if moved and leg is not None:
            srv.stack.gateway.play(leg, str(tone(work / "tone.wav")), lambda: None)
        await asyncio.sleep(1.5)
        codec_after_reinvite = leg.rtp.codec if leg else None
        r = await run
    finally:
        tr.close()
    return {"sipp": r.__dict__, "moved": bool(moved), "codec_after_reinvite": codec_after_reinvite,
            "payload_types": sorted(set(got)), "packets": len(got), "codec_at_488": codec_at_488,
            "statuses": [s for s, c in sent.items if c in ("2 INVITE", "3 INVITE")]}


async def merged(srv: Server, work: Path) -> dict[str, Any]:
    """The same INVITE again with a new branch while the call is up: 482, still one interaction."""
    before = srv.stack.gateway.edge.stats["calls"]
    r = await sipp(scenario("merged", work, caller="merged"), work, local_port=5083, timeout_s=15)
    await wait_for(lambda: srv.rows("merged"), 5)
    calls = srv.stack.gateway.edge.stats["calls"] - before
    return {"sipp": r.__dict__, "rows": len(srv.rows("merged")), "calls": calls}


async def methods(srv: Server, work: Path) -> dict[str, Any]:
    """UPDATE, PRACK, MESSAGE, SUBSCRIBE, NOTIFY, an invented method and OPTIONS inside a call."""
    sent = Sent(srv)
    r = await sipp(scenario("midcall_methods", work, caller="methods"), work, local_port=5084, timeout_s=15)
    return {"sipp": r.__dict__, "answers": {c: s for s, c in sent.items if s.isdigit() and " " in c}}


async def extensions(srv: Server, work: Path) -> dict[str, Any]:
    """Require: timer and an unknown tag get 420 with Unsupported, a gzip body 415; no interaction."""
    r = await sipp(scenario("extensions", work, caller="ext"), work, local_port=5085, timeout_s=15)
    return {"sipp": r.__dict__, "rows": len(srv.rows("ext"))}


VIDEO = {
    "video_second": ("m=audio [media_port] RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\n"
                     "m=video 26612 RTP/AVP 96\na=rtpmap:96 H264/90000",
                     "m=audio [1-9][0-9]* RTP/AVP 0 101.*m=video 0 RTP/AVP 96"),
    "video_first": ("m=video 26614 RTP/AVP 96\na=rtpmap:96 H264/90000\n"
                    "m=audio [media_port] RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000",
                    "m=video 0 RTP/AVP 96.*m=audio [1-9][0-9]* RTP/AVP 0 101"),
}


async def video(srv: Server, work: Path) -> dict[str, Any]:
    """Audio+video offers, audio first and video first: answered, the video m-line kept with port 0."""
    out: dict[str, Any] = {}
    for i, (name, (mlines, order)) in enumerate(VIDEO.items()):
        r = await sipp(scenario("video", work, caller=name, mlines=mlines, order=order), work,
                       local_port=5086 + i, rtp_port=26600 + 20 * i, timeout_s=15)
        out[name] = r.__dict__
    return out


async def version(srv: Server, work: Path) -> dict[str, Any]:
    """SIP/3.0 gets 505; requests without Via or Call-ID are dropped, logged and counted."""
    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Catch(logging.WARNING)
    logging.getLogger("blendcc.adapters.channels.sip.edge").addHandler(handler)
    stats = srv.stack.gateway.edge.stats
    before = stats.get("dropped", 0)
    try:
        r = await sipp(scenario("version", work, caller="v3"), work, local_port=5088, timeout_s=15)
    finally:
        logging.getLogger("blendcc.adapters.channels.sip.edge").removeHandler(handler)
    return {"sipp": r.__dict__, "dropped": stats.get("dropped", 0) - before,
            "logged": [m for m in records if "dropped" in m]}


async def late(srv: Server, work: Path) -> dict[str, Any]:
    """INVITE without SDP: our offer in the 200, SIPp's PCMA answer in the ACK; the leg follows it."""
    run = asyncio.create_task(sipp(scenario("late_offer", work, caller="late", hold_ms="1500",
                                            play=f"{PCAPS}/g711a.pcap@100"), work, local_port=5089,
                                   rtp_port=26700, timeout_s=20))
    ok = await wait_for(lambda: (leg := leg_of(srv, "late")) is not None and leg.rtp.received > 20, 8)
    leg = leg_of(srv, "late")
    media = {"codec": leg.rtp.codec, "remote": list(leg.rtp.remote or ()), "received": leg.rtp.received,
             "telephone_event": leg.rtp.telephone_event} if leg else None
    r = await run
    return {"sipp": r.__dict__, "audio": bool(ok), "media": media}


async def late_noanswer(srv: Server, work: Path) -> dict[str, Any]:
    """A late offer whose ACK has no SDP: we hang up with BYE."""
    r = await sipp(scenario("late_offer_noanswer", work, caller="lateno"), work, local_port=5090, timeout_s=15)
    return {"sipp": r.__dict__, "live_calls": srv.stack.gateway.edge.live_calls()}


async def refer(srv: Server, work: Path) -> dict[str, Any]:
    """Agent a1's phone answers the caller, then transfers it blind by REFER to agent a2, whose phone rings
    and answers; the caller hangs up on a2. The interaction is transferred once."""
    from blendcc.domain.lifecycle.voice import VoiceCallState as V

    voice = srv.stack.voice
    srv.c.config.put("agents", "a2", {"name": "Bob", "queues": ["support", "sales"]}, "test")
    status = {u: await register(p, u, f"pw-{u}") for u, p in (("a1", 5091), ("a2", 5092))}
    await srv.login("a1")
    await srv.login("a2")
    await asyncio.to_thread(srv.c.agents.set_status, "a2", "aux", "meeting")  # the offer goes to a1
    play = f"{PCAPS}/g711a.pcap@100"
    a1 = asyncio.create_task(sipp(scenario("uas_refer", work, talk_ms="2000", target="a2", play=play), work,
                                  local_port=5091, uas=True, rtp_port=26800, timeout_s=30))
    a2 = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=play), work, local_port=5092,
                                  uas=True, rtp_port=26900, timeout_s=30))
    await asyncio.sleep(0.5)
    caller = asyncio.create_task(sipp(scenario("uac", work, caller="refer", hold_ms="9000", play=play), work,
                                      local_port=5093, rtp_port=27000, timeout_s=30))
    vc = await wait_for(lambda: next((c for c in voice.calls.values()
                                      if c.caller_id == "refer" and c.state is V.CONNECTED), None))
    if vc is not None:
        await asyncio.to_thread(srv.c.agents.set_status, "a2", "available", None)
    on_a2 = bool(await wait_for(lambda: vc is not None and vc.agent_id == "a2" and vc.state is V.CONNECTED, 15))
    out = {"register": status, "on_a2": on_a2, "caller": (await caller).__dict__, "a1": (await a1).__dict__,
           "a2": (await a2).__dict__}
    rows = await wait_for(lambda: [x for x in srv.rows("refer") if x["outcome"] == "completed"])
    out["rows"] = rows
    out["timeline"] = [e["type"] for e in srv.timeline(rows[0]["contact_id"])] if rows else []
    return out


class Proxy(asyncio.DatagramProtocol):
    """A stand-in for a loose-routing proxy on 127.0.0.1:``port`` (RFC 3261 16.12): records each request it
    gets (method, Request-URI, Route values) and forwards it to its Request-URI unchanged (its Route entry
    kept, so the SIPp peer can check it too). It adds no Via, so responses go straight back to the sender."""

    def __init__(self, port: int):
        self.port = port
        self.seen: list[dict[str, Any]] = []
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        msg = parse(data)
        if not msg.is_request:
            return
        self.seen.append({"method": msg.method, "uri": msg.uri, "route": msg.get_all("Route")})
        hop = uri_hostport(msg.uri or "")
        if hop is not None:
            self.transport.sendto(data, hop)


async def proxy(port: int) -> tuple[Any, Proxy]:
    return await asyncio.get_running_loop().create_datagram_endpoint(lambda: Proxy(port),
                                                                     local_addr=("127.0.0.1", port))


async def route(srv: Server, work: Path) -> dict[str, Any]:
    """Record-Route through a proxy on 5095. As UAS: a caller's INVITE was Record-Routed; our 200 echoes the
    Record-Route and, when we hang up, our BYE goes to the proxy with Route. As UAC (the dialer's INVITE to a
    trunk): the callee's 200 carries the proxy's Record-Route; our ACK and BYE go through the proxy."""
    from blendcc.adapters.channels.sip.telephony import SipTelephony

    tr, px = await proxy(5095)
    try:
        run = asyncio.create_task(sipp(scenario("record_route", work, caller="rroute", proxy_port="5095"), work,
                                       local_port=5094, rtp_port=27100, timeout_s=15))
        vc = await wait_for(lambda: next((c for c in srv.stack.voice.calls.values() if c.caller_id == "rroute"
                                          and leg_of(srv, "rroute") is not None
                                          and leg_of(srv, "rroute").call.state == "confirmed"), None), 8)
        if vc is not None:
            await asyncio.sleep(0.3)
            srv.stack.voice.hang_up(vc)  # we end the call (as an IVR hang-up does): our BYE
        uas = await run
        uas_seen = list(px.seen)
        px.seen.clear()
        events: list[str] = []
        tel = SipTelephony(srv.stack.gateway, "sip:127.0.0.1:5096")
        tel.on_event(lambda e: events.append(e.kind))
        callee = asyncio.create_task(sipp(scenario("uas_record_route", work, proxy_port="5095"), work,
                                          local_port=5096, uas=True, rtp_port=27200, timeout_s=15))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(tel.place_call, "d-route", "+44 20 7946 0002", "+442079460999", 10.0)
        await wait_for(lambda: "answered" in events, 8)
        await asyncio.sleep(0.3)
        tel.hangup("d-route")
        uac = await callee
    finally:
        tr.close()
    return {"uas": {"sipp": uas.__dict__, "proxy": uas_seen},
            "uac": {"sipp": uac.__dict__, "proxy": list(px.seen), "events": events}}


async def prack(srv: Server, work: Path) -> dict[str, Any]:
    """Require: 100rel: a reliable 183 retransmitted until PRACK (SIPp waits 1.2 s), 481 for a wrong RAck,
    200 for the right one, and the INVITE's 200 only after it; then the same with Supported: 100rel."""
    out: dict[str, Any] = {}
    for i, want in enumerate(("Require", "Supported")):
        sent = Sent(srv)
        r = await sipp(scenario("prack", work, caller=f"prack{want}", want=want, prack_after_ms="1200"), work,
                       local_port=5097 + i, timeout_s=20)
        order = [(s, c) for s, c in sent.items if c in ("1 INVITE", "2 PRACK", "3 PRACK")]
        out[want] = {"sipp": r.__dict__, "order": order, "rows": len(srv.rows(f"prack{want}"))}
    return out


SCENARIOS = {"prack": prack, "hold": hold, "codec": codec, "merged": merged, "methods": methods,
             "extensions": extensions, "video": video, "version": version, "late": late,
             "late_noanswer": late_noanswer, "refer": refer, "route": route}


async def main(names: list[str]) -> dict[str, Any]:
    work = workdir()
    srv = Server(work)
    await srv.start()
    out: dict[str, Any] = {}
    try:
        for n in names:
            edge = srv.stack.gateway.edge
            send = edge.send
            try:
                out[n] = await SCENARIOS[n](srv, work)
            except Exception as exc:  # reported to the test, which fails with it
                out[n] = {"error": repr(exc)}
            finally:
                edge.send = send  # type: ignore[method-assign]
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main(sys.argv[1:] or list(SCENARIOS))), default=str))

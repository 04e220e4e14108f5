"""Runs inside a private network namespace: SIP over TCP (SIPp ``-t t1``) and TLS with SRTP against a voice server.

Usage: python netns_transport.py SCENARIO... ; prints one JSON object (results per scenario) as its last line.
Agents' phones are ``stream_phone.StreamPhone`` (registered over TCP or TLS, rung on that connection); the TLS
caller is one too, since Debian's SIPp is built without TLS and SRTP.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netns_voice import PASSWORDS, Server, wait_for, wav_info
from sipp_harness import PCAPS, scenario, sipp, workdir
from stream_phone import Media, StreamPhone, offer, sdp_crypto, srtp_session

from blendcc.adapters.channels.sip.tlscert import self_signed

TLS_PORT = 5061


async def media_socket(port: int) -> Media:
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_datagram_endpoint(Media, local_addr=("127.0.0.1", port))
    return proto


async def agent_answers(phone: StreamPhone, media: Media, srtp: bool, talk_s: float) -> dict[str, Any]:
    """The agent's phone: takes the INVITE on its connection, answers (RTP/SAVP with its own key when the
    offer is), sends a tone, decrypts what the relay sends, answers the BYE."""
    inv = await asyncio.wait_for(phone.requests.get(), 20)
    assert inv.method == "INVITE", inv.method
    proto, port, their_key = sdp_crypto(inv.body)
    my_key = os.urandom(30) if their_key else None
    if their_key:
        media.rx = srtp_session(their_key, inbound=True)
    tag = "agent" + phone.user
    phone.respond(inv, 180, "Ringing", tag=tag)
    await asyncio.sleep(0.2)
    phone.respond(inv, 200, "OK", offer(media_port(media), my_key), tag=tag)
    ack = await asyncio.wait_for(phone.requests.get(), 10)
    sent = await media.send_tone(("127.0.0.1", port), talk_s, srtp_session(my_key, False) if my_key else None)
    bye = await asyncio.wait_for(phone.requests.get(), 20)
    phone.respond(bye, 200, "OK")
    return {"invite_via": inv.get("Via"), "invite_contact": inv.get("Contact"), "offer_proto": proto,
            "offer_keyed": their_key is not None, "ack": ack.method, "bye": bye.method, "sent": sent,
            "received": len(media.clear), "auth_failures": media.auth_failures, "peak": media.peak(),
            "raw_is_clear": _raw_is_clear(media)}


def media_port(media: Media) -> int:
    assert media.transport is not None
    return int(media.transport.get_extra_info("sockname")[1])


def _raw_is_clear(media: Media) -> bool:
    """Whether what arrived on the wire was readable RTP payload (the decrypted payload equals the raw one)."""
    if media.rx is None or not media.clear:
        return True
    return any(raw[12:172] == clear[12:172] for raw, clear in zip(media.raw, media.clear, strict=False))


async def tcp(srv: Server, work: Path) -> dict[str, Any]:
    """Agent a1's phone registers over TCP and keeps its connection (RFC 5626 ping answered with a pong); a
    SIPp caller over TCP dials 'main'; the agent is rung on its connection, answers, audio flows both ways."""
    phone = StreamPhone("TCP", "a1")
    await phone.connect(5060)
    reg = await phone.register(PASSWORDS["a1"])
    phone.ping()
    await srv.login("a1")
    media = await media_socket(26000)
    agent = asyncio.create_task(agent_answers(phone, media, False, 3.0))
    caller = await sipp(scenario("uac", work, caller="tcp", hold_ms="5000", play=f"{PCAPS}/g711a.pcap@100"),
                        work, local_port=5063, rtp_port=26100, extra=["-t", "t1"], timeout_s=25)
    agent_r = await asyncio.wait_for(agent, 25)
    rows = await wait_for(lambda: [x for x in srv.rows("tcp") if x["state"] in ("closed", "wrap_up")])
    streams = srv.stack.gateway.edge.streams
    await phone.close()
    return {"register": reg, "pongs": phone.pongs, "caller": caller.__dict__, "agent": agent_r, "rows": rows,
            "stream_stats": dict(streams.stats)}


async def tls_srtp(srv: Server, work: Path) -> dict[str, Any]:
    """Agent a2's phone registers over TLS (verifying our certificate); a caller over TLS offers RTP/SAVP and
    dials 'support-line'; the agent is rung over TLS with an RTP/SAVP offer; both sides send a tone in SRTP
    and decrypt what the relay sends them with the keys of our SDP."""
    cert = srv.settings.sip_tls_cert
    phone = StreamPhone("TLS", "a2", cafile=cert)
    await phone.connect(TLS_PORT)
    reg = await phone.register(PASSWORDS["a2"])
    await srv.login("a2")
    agent_media, caller_media = await media_socket(26200), await media_socket(26300)
    agent = asyncio.create_task(agent_answers(phone, agent_media, True, 3.0))
    caller = StreamPhone("TLS", "tlscaller", cafile=cert)
    r = await srtp_caller(caller, "support-line", caller_media, 5.0)
    agent_r = await asyncio.wait_for(agent, 25)
    rows = await wait_for(lambda: [x for x in srv.rows("tlscaller") if x["state"] in ("closed", "wrap_up")])
    cid = rows[0]["contact_id"] if rows else None
    rec = srv.stack.voice.recordings(cid) if cid else []
    await phone.close()
    return {"register": reg, **r, "agent": agent_r, "rows": rows, "recordings": rec,
            "wav": wav_info(rec[0]["path"]) if rec else None}


async def srtp_caller(caller: StreamPhone, service: str, media: Media, talk_s: float) -> dict[str, Any]:
    """A caller over TLS offering RTP/SAVP: INVITE, ACK, a tone in SRTP for ``talk_s``, BYE; what it got back
    decrypted with the key of our answer."""
    await caller.connect(TLS_PORT)
    key = os.urandom(30)
    target = f"sip:{service}@127.0.0.1:{TLS_PORT};transport=tls"
    inv = caller.request("INVITE", target, target, body=offer(media_port(media), key))
    ok = await caller.final(30)
    if ok.status != 200:
        await caller.close()
        return {"invite_status": ok.status}
    proto, port, server_key = sdp_crypto(ok.body)
    if server_key:
        media.rx = srtp_session(server_key, inbound=True)
    caller.request("ACK", target, target, cseq=inv.cseq[0], to_tag=ok.to_tag)
    sent = await media.send_tone(("127.0.0.1", port), talk_s, srtp_session(key, inbound=False))
    caller.request("BYE", target, target, to_tag=ok.to_tag)
    bye = await caller.final()
    await caller.close()
    return {"invite_status": ok.status, "answer_proto": proto, "answer_keyed": server_key is not None,
            "answer_contact": ok.get("Contact"), "bye_status": bye.status, "sent": sent,
            "received": len(media.clear), "auth_failures": media.auth_failures, "peak": media.peak(),
            "raw_is_clear": _raw_is_clear(media)}


SCENARIOS = {"tcp": tcp, "tls_srtp": tls_srtp}


async def main(names: list[str]) -> dict[str, Any]:
    work = workdir()
    cert, key = self_signed(work / "tls")
    srv = Server(work, sip_tls_cert=cert, sip_tls_key=key, sip_tls_port=TLS_PORT)
    await srv.start()
    out: dict[str, Any] = {}
    try:
        for n in names:
            try:
                out[n] = await SCENARIOS[n](srv, work)
            except Exception as exc:  # reported to the test, which fails with it
                logging.exception("scenario %s", n)
                out[n] = {"error": repr(exc)}
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main(sys.argv[1:] or list(SCENARIOS))), default=str))

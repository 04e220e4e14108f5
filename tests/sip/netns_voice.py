"""Runs inside a private network namespace: a voice server (SQLite, SIP edge on 5060) and SIPp peers.

Usage: python netns_voice.py SCENARIO... ; prints one JSON object (results per scenario) as its last line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
import time
import wave
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sipp_harness import PCAPS, register_phones, scenario, sipp, workdir

from blendcc.bootstrap import build_container
from blendcc.bootstrap.voice import VoiceStack
from blendcc.config import Settings

PASSWORDS = {"a1": "pw-a1", "a2": "pw-a2", "a3": "pw-a3", "sup": "pw-sup"}
WORKFLOW = {"name": "Main", "filters": [{"name": "tech", "expression": "ivr.menu == '2'",
                                         "targets": [{"queue": "support"}]},
                                        {"name": "line", "expression": "dialled_number == 'support-line'",
                                         "targets": [{"queue": "support"}]},
                                        {"name": "callbacks", "expression": "dialled_number == 'cb-line'",
                                         "targets": [{"queue": "cbq"}]}],
            "default": [{"queue": "sales"}]}


IVR_FLOW = {
    "id": "main-menu", "name": "Main menu", "language": "en", "start": "menu",
    "nodes": [
        {"id": "menu", "kind": "menu", "prompt": {"text": "Welcome. For sales press 1. For support press 2."},
         "options": [{"key": "1", "next": "to-sales"}, {"key": "2", "next": "to-support"}],
         "timeout_s": 5, "retries": 1, "on_failure": "to-sales"},
        {"id": "to-sales", "kind": "queue"},
        {"id": "to-support", "kind": "queue"},
    ],
}


CB_FLOW = {"id": "callback", "language": "en", "start": "wait",
           "nodes": [{"id": "wait", "kind": "queue", "announce_every_s": 60,
                      "callback": {"key": "1", "confirm": {"text": "Goodbye."}}}]}
VM_FLOW = {"id": "voicemail", "language": "en", "start": "vm",
           "nodes": [{"id": "vm", "kind": "voicemail", "mailbox": "sales", "max_seconds": 30}]}


class Server:
    def __init__(self, work: Path, **overrides: Any):
        self.work = work
        self.settings = Settings(database_url=f"sqlite:///{work}/voice.db", admin_password="admin-pw",
                                 sip_enabled=True, sip_port=5060, sip_users=PASSWORDS, rtp_port_min=21000,
                                 rtp_port_max=23000, recording_dir=str(work / "rec"), recording_default="all",
                                 ivr_numbers={"ivr-line": "main-menu", "vm-line": "voicemail",
                                              "cb-line": "callback"},
                                 prompt_cache_dir=str(work / "prompts"),
                                 **overrides)
        self.c = build_container(self.settings)
        cfg = self.c.config
        cfg.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 15}, "test")
        cfg.put("queues", "support", {"name": "Support", "wrap_up_s": 0, "offer_timeout_s": 15}, "test")
        cfg.put("agents", "a1", {"name": "Ann", "queues": ["sales"]}, "test")
        cfg.put("agents", "a2", {"name": "Bob", "queues": ["support"]}, "test")
        cfg.put("queues", "cbq", {"name": "Call-backs", "wrap_up_s": 0, "offer_timeout_s": 15}, "test")
        cfg.put("agents", "a3", {"name": "Cy", "queues": ["cbq"]}, "test")
        cfg.put("workflows", "main", WORKFLOW, "test")
        cfg.put("ivr_flows", "main-menu", IVR_FLOW, "test")
        cfg.put("ivr_flows", "voicemail", VM_FLOW, "test")
        cfg.put("ivr_flows", "callback", CB_FLOW, "test")
        self.stack = VoiceStack(self.c, self.settings)

    async def start(self) -> None:
        await self.stack.start()
        self._tick = asyncio.create_task(self._ticker())

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            await asyncio.to_thread(self.c.runtime.tick)

    async def login(self, agent: str) -> None:
        if not self.c.agents.view(agent)["logged_in"]:
            await asyncio.to_thread(self.c.agents.login, agent)

    def rows(self, caller: str) -> list[dict[str, Any]]:
        return [r for r in self.c.store.interactions(limit=1000)
                if (r.get("attributes") or {}).get("caller_id") == caller]

    def timeline(self, cid: str) -> list[dict[str, Any]]:
        return self.c.contacts.timeline(cid)

    def close(self) -> None:
        self._tick.cancel()
        self.stack.close()


async def register(port: int, user: str, password: str) -> int:
    """Register ``user``'s phone at 127.0.0.1:port with a Python UDP client (digest answer by hand)."""
    return (await register_phones({user: password}, port))[user]


async def wait_for(fn: Any, timeout: float = 10.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        await asyncio.sleep(0.1)
    return fn()


def wav_info(path: str) -> dict[str, Any]:
    import array

    with wave.open(path, "rb") as w:
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
        ch = w.getnchannels()
    s = array.array("h", frames)
    left, right = s[0::2], s[1::2]
    return {"seconds": seconds, "channels": ch, "left_peak": max(map(abs, left), default=0),
            "right_peak": max(map(abs, right), default=0)}


# ---------------------------------------------------------------------- scenarios


async def basic(srv: Server, work: Path) -> dict[str, Any]:
    """A caller dials 'main', is answered, waits 1.5 s in queue (nobody logged in) and hangs up."""
    sf = scenario("uac", work, caller="basic", hold_ms="1500")
    r = await sipp(sf, work, local_port=5061, service="main")
    rows = await wait_for(lambda: [x for x in srv.rows("basic") if x["outcome"] == "abandoned"])
    return {"sipp": r.__dict__, "rows": rows, "timeline": [e["type"] for e in srv.timeline(rows[0]["contact_id"])]
            if rows else [], "live_calls": srv.stack.gateway.edge.live_calls()}


async def retrans(srv: Server, work: Path) -> dict[str, Any]:
    """The same INVITE (same branch) is sent again after our 200: answered again, still one call."""
    sf = scenario("uac_retrans", work, caller="retrans", hold_ms="500")
    r = await sipp(sf, work, local_port=5062)
    rows = await wait_for(lambda: [x for x in srv.rows("retrans") if x["outcome"] == "abandoned"])
    return {"sipp": r.__dict__, "rows": rows, "retransmissions_seen": srv.stack.gateway.edge.stats["retransmissions"]}


async def bridged(srv: Server, work: Path) -> dict[str, Any]:
    """SIPp registers as agent a1 (digest), a caller is offered to a1, a1's SIPp phone answers; audio
    flows both ways through the relay and the call is recorded; the caller hangs up after 5 s."""
    reg = await sipp(scenario("register", work, user="a1"), work, local_port=5070, extra=["-au", "a1", "-ap", "pw-a1"])
    await srv.login("a1")
    agent = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="500",
                                              play=f"{PCAPS}/g711a.pcap@100"),
                                     work, local_port=5070, uas=True, rtp_port=24000, timeout_s=25))
    await asyncio.sleep(0.5)
    caller = await sipp(scenario("uac", work, caller="bridged", hold_ms="5000",
                                 play=f"{PCAPS}/g711a.pcap@100"), work, local_port=5063, rtp_port=24100)
    agent_r = await agent
    rows = await wait_for(lambda: [x for x in srv.rows("bridged") if x["state"] in ("closed", "wrap_up")])
    cid = rows[0]["contact_id"] if rows else None
    tl = srv.timeline(cid) if cid else []
    rec = srv.stack.voice.recordings(cid) if cid else []
    connected = next((e["at"] for e in tl if e["type"] == "ContactConnected"), None)
    ended = next((e["at"] for e in tl if e["type"] == "ContactEnded"), None)
    return {"register": reg.__dict__, "agent": agent_r.__dict__, "caller": caller.__dict__, "rows": rows,
            "timeline": [e["type"] for e in tl], "talk_s": (ended - connected) if connected and ended else None,
            "recordings": rec, "wav": wav_info(rec[0]["path"]) if rec else None}


async def cancel(srv: Server, work: Path) -> dict[str, Any]:
    """Agent a2's phone rings (never answers); the caller hangs up; the ringing phone gets CANCEL."""
    st = await register(5071, "a2", "pw-a2")
    await srv.login("a2")
    agent = asyncio.create_task(sipp(scenario("uas_ring", work), work, local_port=5071, uas=True, timeout_s=15))
    await asyncio.sleep(0.5)
    caller = await sipp(scenario("uac", work, caller="cancel", hold_ms="2000"), work, local_port=5064,
                        service="support-line", extra=[])
    agent_r = await agent
    rows = await wait_for(lambda: [x for x in srv.rows("cancel") if x["outcome"] == "abandoned"])
    return {"register_status": st, "agent": agent_r.__dict__, "caller": caller.__dict__, "rows": rows}


async def dtmf(srv: Server, work: Path) -> dict[str, Any]:
    """The caller presses 2, 5 and # (SIPp's RFC 4733 pcaps): each digit is decoded exactly once."""
    play = ",".join(f"{PCAPS}/dtmf_2833_{d}.pcap@1000" for d in ("2", "5", "pound"))
    r = await sipp(scenario("uac", work, caller="dtmf", hold_ms="500", play=play), work, local_port=5065,
                   rtp_port=24200)
    rows = await wait_for(lambda: [x for x in srv.rows("dtmf") if x["outcome"] == "abandoned"])
    cid = rows[0]["contact_id"] if rows else None
    vc = srv.stack.voice.calls.get(cid) if cid else None
    return {"sipp": r.__dict__, "rows": rows, "digits": vc.digits if vc else None}


async def dialer(srv: Server, work: Path) -> dict[str, Any]:
    """The dialer's Telephony port over SIP against SIPp trunks: answered then hung up, busy, no answer."""
    from blendcc.adapters.channels.sip.telephony import SipTelephony

    out: dict[str, Any] = {}
    for name, scen, port, timeout in (("answered", "uas_agent", 5075, 10.0), ("busy", "uas_busy", 5076, 10.0),
                                      ("no_answer", "uas_ring", 5077, 1.0)):
        events: list[tuple[str, str | None, str | None]] = []
        tel = SipTelephony(srv.stack.gateway, f"sip:127.0.0.1:{port}")
        tel.on_event(lambda e, ev=events: ev.append((e.kind, e.answered_by, e.cause)))
        subst = {"ring_ms": "300", "play": ""} if scen == "uas_agent" else {}
        peer = asyncio.create_task(sipp(scenario(scen, work, **subst), work, local_port=port, uas=True, timeout_s=15))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(tel.place_call, f"d-{name}", "+44 20 7946 0001", "+442079460999", timeout)
        await wait_for(lambda ev=events: any(k != "ringing" for k, _, _ in ev), 12)
        if name == "answered":
            await asyncio.sleep(0.5)
            tel.hangup(f"d-{name}")
        r = await peer
        out[name] = {"events": events, "peer": r.__dict__}
    return out


async def ivr(srv: Server, work: Path) -> dict[str, Any]:
    """The caller dials the IVR line, hears the menu prompt and presses 2 (SIPp's RFC 4733 pcap) while it
    plays: the contact carries ivr.menu = 2 and the workflow sends it to the support queue."""
    play = f"{PCAPS}/dtmf_2833_2.pcap@1500"
    r = await sipp(scenario("uac", work, caller="ivr", hold_ms="1000", play=play), work, local_port=5066,
                   rtp_port=24300, service="ivr-line")
    rows = await wait_for(lambda: [x for x in srv.rows("ivr") if x["outcome"] == "abandoned"])
    cid = rows[0]["contact_id"] if rows else None
    vc = srv.stack.voice.calls.get(cid) if cid else None
    prompts = sorted(p.name for p in (work / "prompts").glob("*.wav"))
    return {"sipp": r.__dict__, "rows": rows, "digits": vc.digits if vc else None, "prompts": prompts,
            "timeline": [e["type"] for e in srv.timeline(cid)] if cid else []}


async def voicemail(srv: Server, work: Path) -> dict[str, Any]:
    """The caller dials the voicemail line, speaks (SIPp plays g711a.pcap) for 4 s and hangs up: the
    message is a mono WAV in the mailbox as long as the caller spoke, listed with the caller's number."""
    r = await sipp(scenario("uac", work, caller="vmcaller", hold_ms="4000", play=f"{PCAPS}/g711a.pcap@100"),
                   work, local_port=5067, rtp_port=24400, service="vm-line")
    msgs = await wait_for(lambda: [m for m in srv.stack.voice.voicemails("sales") if m.get("seconds") is not None])
    path = work / "rec" / msgs[0]["file"] if msgs else None
    info: dict[str, Any] | None = None
    if path is not None:
        import array

        with wave.open(str(path), "rb") as w:
            samples = array.array("h", w.readframes(w.getnframes()))
            info = {"seconds": w.getnframes() / w.getframerate(), "channels": w.getnchannels(),
                    "peak": max(map(abs, samples), default=0)}
    return {"sipp": r.__dict__, "messages": msgs, "wav": info, "rows": srv.rows("vmcaller")}


async def callback(srv: Server, work: Path) -> dict[str, Any]:
    """The caller waits in queue, presses 1 for a call-back (SIPp's RFC 4733 pcap) and is hung up; the
    contact stays queued. Agent a3's SIPp phone registers and answers the offer; the customer is then
    dialled through the trunk (a SIPp UAS on 5078), answers and is bridged; the agent's side ends it."""
    gw, voice = srv.stack.gateway, srv.stack.voice
    gw.trunk = ("127.0.0.1", 5078)
    voice.dial_out = gw.dial_out
    number = "442079460123"
    caller = await sipp(scenario("uac_hungup", work, caller=number, play=f"{PCAPS}/dtmf_2833_1.pcap@500"),
                        work, local_port=5068, rtp_port=24500, service="cb-line", timeout_s=20)
    queued = await wait_for(lambda: [x for x in srv.rows(number) if x["state"] == "queued"])
    reg = await sipp(scenario("register", work, user="a3"), work, local_port=5079, extra=["-au", "a3", "-ap", "pw-a3"])
    agent = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=f"{PCAPS}/g711a.pcap@100"),
                                     work, local_port=5079, uas=True, rtp_port=24600, timeout_s=25))
    customer = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=f"{PCAPS}/g711a.pcap@100"),
                                        work, local_port=5078, uas=True, rtp_port=24700, timeout_s=25))
    await asyncio.sleep(0.5)
    await srv.login("a3")
    cid = queued[0]["contact_id"] if queued else None
    answered = await wait_for(lambda: [e for e in voice.callback_log if e["contact_id"] == cid
                                       and e["outcome"] == "answered"], 15)
    await asyncio.sleep(1.5)
    vc = voice.calls.get(cid) if cid else None
    relayed = vc is not None and vc.customer.bridge is not None and vc.customer.bridge.relayed
    await asyncio.to_thread(srv.c.runtime.execute, lambda e, now: e.end(cid, "a3", now))
    agent_r, customer_r = await agent, await customer
    rows = await wait_for(lambda: [x for x in srv.rows(number) if x["state"] in ("closed", "wrap_up")])
    return {"caller": caller.__dict__, "queued": queued, "register": reg.__dict__, "agent": agent_r.__dict__,
            "customer": customer_r.__dict__, "log": [e for e in voice.callback_log if e["contact_id"] == cid],
            "answered": answered, "relayed": relayed, "rows": rows,
            "timeline": [e["type"] for e in srv.timeline(cid)] if cid else []}


async def full(srv: Server, work: Path) -> dict[str, Any]:
    """The whole path: dial the IVR line, press 2, wait in the support queue, agent a2's SIPp phone
    (registered with digest by SIPp) answers, audio both ways, recorded; then the event log and live stats."""
    from blendcc.app.reporting.wallboard import build as snapshot

    reg = await sipp(scenario("register", work, user="a2"), work, local_port=5072, extra=["-au", "a2", "-ap", "pw-a2"])
    await srv.login("a2")
    before = srv.c.runtime.query(lambda e, now: snapshot(e, srv.c.stats, now))
    agent = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="300", play=f"{PCAPS}/g711a.pcap@100"),
                                     work, local_port=5072, uas=True, rtp_port=24400, timeout_s=25))
    await asyncio.sleep(0.5)
    play = f"{PCAPS}/dtmf_2833_2.pcap@1500,{PCAPS}/g711a.pcap@100"
    caller = await sipp(scenario("uac", work, caller="full", hold_ms="4000", play=play), work, local_port=5067,
                        rtp_port=24500, service="ivr-line")
    agent_r = await agent
    rows = await wait_for(lambda: [x for x in srv.rows("full") if x["outcome"] == "completed"])
    cid = rows[0]["contact_id"] if rows else None
    after = srv.c.runtime.query(lambda e, now: snapshot(e, srv.c.stats, now))
    rec = srv.stack.voice.recordings(cid) if cid else []

    def handled(snap: dict[str, Any]) -> Any:
        return next(q["today"] for q in snap["queues"] if q["id"] == "support")

    return {"register": reg.__dict__, "agent": agent_r.__dict__, "caller": caller.__dict__, "rows": rows,
            "timeline": [e["type"] for e in srv.timeline(cid)] if cid else [], "recordings": rec,
            "wav": wav_info(rec[0]["path"]) if rec else None, "support_before": handled(before),
            "support_after": handled(after)}


async def amd(srv: Server, work: Path) -> dict[str, Any]:
    """Dialer calls with AMD through SIPp callees that answer (after a reliable 183 we must PRACK) and play a
    synthesised greeting: a person's "Hello?" then silence, and a voicemail greeting."""
    from blendcc.adapters.channels.sip.g711 import PCMU, encode
    from blendcc.adapters.channels.sip.telephony import SipTelephony
    from blendcc.dialer.amd import AmdSettings
    from blendcc.testing.amd_greetings import MACHINE, beep, silence, speak

    greetings = {"human": silence(400) + speak("Hello?", "en-us", 160) + silence(4000),
                 "machine": silence(400) + speak(MACHINE[1], "en", 160) + beep() + silence(1000)}
    out: dict[str, Any] = {}
    for i, (name, pcm) in enumerate(greetings.items()):
        path = work / f"greeting-{name}.ul"
        path.write_bytes(encode(PCMU, pcm))
        port = 5078 + i
        events: list[tuple[str, str | None, str | None]] = []
        tel = SipTelephony(srv.stack.gateway, f"sip:127.0.0.1:{port}")
        tel.on_event(lambda e, ev=events: ev.append((e.kind, e.answered_by, e.cause)))
        peer = asyncio.create_task(sipp(scenario("uas_greeting", work, greeting=str(path)), work, local_port=port,
                                        uas=True, timeout_s=30, rtp_port=26800 + 10 * i))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(tel.place_call, f"amd-{name}", "+44 20 7946 0002", "+442079460999", 10.0,
                                AmdSettings())
        await wait_for(lambda ev=events: any(k == "answered" for k, _, _ in ev), 15)
        verdict = tel.verdicts.get(f"amd-{name}")
        tel.hangup(f"amd-{name}")
        r = await peer
        out[name] = {"events": events, "peer": r.__dict__, "verdict": asdict(verdict) if verdict else None}
    return out


SCENARIOS = {"amd": amd, "full": full, "ivr": ivr, "dialer": dialer, "dtmf": dtmf, "basic": basic, "retrans": retrans,
             "bridged": bridged, "cancel": cancel, "voicemail": voicemail,
             "callback": callback}


async def main(names: list[str]) -> dict[str, Any]:
    work = workdir()
    srv = Server(work)
    await srv.start()
    out: dict[str, Any] = {}
    try:
        for n in names:
            try:
                out[n] = await SCENARIOS[n](srv, work)
            except Exception as exc:  # reported to the test, which fails with it
                out[n] = {"error": repr(exc)}
    finally:
        srv.close()
        srv.c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(json.dumps(asyncio.run(main(sys.argv[1:] or list(SCENARIOS))), default=str))

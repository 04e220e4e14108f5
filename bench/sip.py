"""SIP edge benchmark with SIPp: signalling calls per second, bridged calls with RTP relayed, added jitter.

Runs in a private network namespace (loopback only; root needed), like the SIPp tests:

1. Signalling: SIPp callers dial in at a stepped rate (each call: INVITE, 200, ACK, 100 ms, BYE), every
   call a real voice interaction on SQLite (created, queued, abandoned). Reported: the highest rate with
   zero failed calls, the concurrent calls at that rate, CPU and event-loop lag. Peer, same run and
   rates: SIPp's built-in UAS answering the same callers (no application behind it).
3. TLS+SRTP: ``--tls-srtp N`` calls whose callers and agents' phones are on TLS with SRTP both ways
   (tests/sip/tls_load.py); counted OK when both sides decrypted the other's audio through the relay.
2. Bridged: ``--bridged`` SIPp callers with RTP (g711a.pcap) are answered by registered agent phones (one
   SIPp UAS registered for every agent), so every call is two legs relayed through blendcc. While they
   are all up, a probe process places one more call to its own registered phone and measures the RTP
   interarrival jitter (RFC 3550) it receives through the relay, minus the jitter of its own sending.

    sudo python bench/sip.py [--rates 50,100,200,400,600,800] [--seconds 5] [--bridged 100] [--tls-srtp 20]

3. Recorded: ``--rec-rates`` callers with media per second (``--seconds`` each), each answered by an IVR menu
   where it presses 1 (RFC 4733), then bridged to one of
   ``--rec-agents`` registered phones that send media too, every call recorded; a recording is complete
   when it exists and its length is the call's talk time (ContactConnected to ContactEnded) within 0.1 s.
   Reported: the highest rate with zero failed calls and every recording complete.

The last line is one JSON object: max_cps_zero_failures, bridged_calls, added_jitter_ms,
max_cps_media_recordings_complete, tls_srtp_calls_ok (and details).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "sip"))

from sipp_harness import PCAPS, have_tools, register_phones, scenario, sipp, workdir  # noqa: E402
from tls_load import tls_srtp  # noqa: E402


class LoopLag:
    """Samples how late a 10 ms sleep wakes up (the lag any packet or timer would see)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(0.01)
            self.samples.append(loop.time() - t - 0.01)

    def start(self) -> None:
        self.samples = []
        self.task = asyncio.create_task(self._run())

    def stop(self) -> dict[str, float]:
        if self.task is not None:
            self.task.cancel()
        s = sorted(self.samples) or [0.0]
        return {"lag_p50_ms": round(1000 * s[len(s) // 2], 2), "lag_p99_ms": round(1000 * s[int(len(s) * 0.99)], 2),
                "lag_max_ms": round(1000 * s[-1], 2)}


#: the recorded stage's IVR: a spoken menu; the caller's RFC 4733 "1" queues the call, a missed digit hangs up
REC_MENU = {"id": "rec-menu", "name": "Recorded line", "language": "en", "start": "menu",
            "nodes": [{"id": "menu", "kind": "menu", "prompt": {"text": "For the recorded line, press 1."},
                       "options": [{"key": "1", "next": "to-rec"}], "timeout_s": 4, "retries": 0,
                       "on_failure": "bye"},
                      {"id": "to-rec", "kind": "queue"},
                      {"id": "bye", "kind": "hangup"}]}


def _server(work: Path, agents: int, rec_agents: int = 0) -> Any:
    from blendcc.adapters.channels.sip.tlscert import self_signed
    from blendcc.bootstrap import build_container
    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    cert, key = self_signed(work / "tls")  # the TLS+SRTP run's listener
    users = ({f"b{i}": f"pw-b{i}" for i in range(agents)} | {"probe": "pw-probe"}
             | {f"r{i}": f"pw-r{i}" for i in range(rec_agents)})
    settings = Settings(database_url=f"sqlite:///{work}/bench.db", admin_password="bench-admin", sip_enabled=True,
                        sip_port=5060, sip_users=users, rtp_port_min=30000, rtp_port_max=40000,
                        recording_dir=str(work / "rec"), recording_default="none", log_level="warning",
                        recording_queues={"rec": "all"}, sip_tls_cert=cert, sip_tls_key=key,
                        ivr_numbers={"rec": "rec-menu"}, prompt_cache_dir=str(work / "prompts"))
    c = build_container(settings)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 30}, "bench")
    c.config.put("queues", "probe", {"name": "Probe", "wrap_up_s": 0, "offer_timeout_s": 30}, "bench")
    for i in range(agents):
        c.config.put("agents", f"b{i}", {"name": f"B{i}", "queues": ["sales"]}, "bench")
    c.config.put("agents", "probe", {"name": "Probe", "queues": ["probe"]}, "bench")
    c.config.put("queues", "rec", {"name": "Recorded", "wrap_up_s": 0, "offer_timeout_s": 30}, "bench")
    for i in range(rec_agents):
        c.config.put("agents", f"r{i}", {"name": f"R{i}", "queues": ["rec"]}, "bench")
    c.config.put("ivr_flows", "rec-menu", REC_MENU, "bench")
    c.config.put("workflows", "main", {"filters": [{"name": "probe", "expression": "dialled_number == 'probe'",
                                                    "targets": [{"queue": "probe"}]},
                                                   {"name": "rec", "expression": "dialled_number == 'rec'",
                                                    "targets": [{"queue": "rec"}]}],
                                       "default": [{"queue": "sales"}]}, "bench")
    return c, VoiceStack(c, settings)


async def _stored(c: Any, stack: Any, caller: str, want: int) -> tuple[int, float]:
    """Interactions of this step's caller stored as abandoned, once the single writer has caught up (its
    backlog empty, at most 180 s), and how long after the last call that took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 180 and (stack.gateway.backlog > 0 or stack.voice._ops):
        await asyncio.sleep(0.2)
    drained = time.monotonic() - t0
    rows = await asyncio.to_thread(c.store.interactions, limit=100000)
    n = sum(1 for r in rows if (r.get("attributes") or {}).get("caller_id") == caller and r["outcome"] == "abandoned")
    return n, drained


async def signalling(c: Any, stack: Any, work: Path, rates: list[int], seconds: float) -> dict[str, Any]:
    lag = LoopLag()
    steps = []
    best = 0
    for rate in rates:
        calls = int(rate * seconds)
        lag.start()
        cpu0, t0 = time.process_time(), time.monotonic()
        r = await sipp(scenario("uac", work, caller=f"load{rate}", hold_ms="100"), work, local_port=5061,
                       calls=calls, rate=rate, limit=rate * 2, timeout_s=seconds * 4 + 10, service="main")
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
        stored, drained_s = await _stored(c, stack, f"load{rate}", calls)
        step = {"rate_cps": rate, "calls": calls, "successful": r.successful, "failed": r.failed,
                "interactions_abandoned": stored,
                "interactions_per_s": round(stored / (wall + drained_s), 1), "backlog_drained_s": round(drained_s, 1),
                "sipp_rc": r.rc, "sipp_retransmissions": r.retransmissions, "cpu_percent": round(100 * cpu / wall, 1),
                "concurrent_calls": round(rate * 0.1, 1), **lag.stop()}
        steps.append(step)
        print(f"signalling {rate:4d} cps: {r.successful}/{calls} ok, {r.failed} failed; {stored} interactions stored "
              f"({step['interactions_per_s']}/s, writer caught up {step['backlog_drained_s']} s after the last call); "
              f"{r.retransmissions} SIPp retransmissions, CPU {step['cpu_percent']} %, "
              f"loop lag p99 {step['lag_p99_ms']} ms", flush=True)
        if r.failed == 0 and r.successful == calls and r.rc == 0 and stored == calls:  # nothing lost
            best = rate
        else:
            break
        await asyncio.sleep(2)  # let the store drain between steps
    return {"max_cps_zero_failures": best, "steps": steps}


async def peer(work: Path, rate: int, seconds: float) -> dict[str, Any]:
    """The same SIPp callers against SIPp's own UAS (-sn uas) on another port: the tool's ceiling."""
    uas = await asyncio.create_subprocess_exec(
        "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "5080", "-nostdin", "-timeout", f"{seconds * 4 + 10:g}s",
        "-m", str(int(rate * seconds)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await asyncio.sleep(0.5)
    calls = int(rate * seconds)
    sf = scenario("uac", work, caller="peer", hold_ms="100")
    r = await sipp(sf, work, local_port=5062, calls=calls, rate=rate, limit=rate * 2, timeout_s=seconds * 4 + 10,
                   extra=["-rsa", "127.0.0.1:5080"])
    uas.kill()
    await uas.wait()
    return {"rate_cps": rate, "calls": calls, "successful": r.successful, "failed": r.failed}


async def register_all(users: dict[str, str], port: int) -> int:
    """REGISTER each user's phone at 127.0.0.1:port (digest), from one socket; returns how many got 200."""
    return sum(code == 200 for code in (await register_phones(users, port, expires=3600)).values())


async def bridged(c: Any, stack: Any, work: Path, n: int) -> dict[str, Any]:
    agents = {f"b{i}": f"pw-b{i}" for i in range(n)}
    registered = await register_all(agents, 5070)
    for a in agents:
        await asyncio.to_thread(c.agents.login, a)
    hold_ms = int(n / 20 * 1000) + 16000  # all up together for longer than the probe runs
    pcap = f"{PCAPS}/g711a.pcap"
    uas = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="200",
                                            play=",".join([f"{pcap}@4700"] * (hold_ms // 4700 + 1))),
                                   work, local_port=5070, uas=True, calls=n, rtp_port=41000,
                                   timeout_s=hold_ms / 1000 + 40))
    await asyncio.sleep(0.5)
    lag = LoopLag()
    lag.start()
    cpu0, t0 = time.process_time(), time.monotonic()
    callers = asyncio.create_task(sipp(scenario("uac", work, caller="bridge", hold_ms=str(hold_ms),
                                                play=",".join([f"{pcap}@4700"] * (hold_ms // 4700 + 1))),
                                       work, local_port=5063, calls=n, rate=20, limit=n, rtp_port=42000,
                                       timeout_s=hold_ms / 1000 + 40))
    # wait until every call is bridged, then measure while they all carry audio
    peak = 0
    deadline = time.monotonic() + n / 20 + 10
    while time.monotonic() < deadline:
        peak = max(peak, sum(1 for v in stack.voice.calls.values() if v.state == "connected"))
        if peak >= n:
            break
        await asyncio.sleep(0.2)
    relayed0 = _relayed(stack)
    await asyncio.sleep(1.0)
    pps = _relayed(stack) - relayed0
    # the probe: one more bridged call, measured from outside this process
    await asyncio.to_thread(c.agents.login, "probe")
    probe = await asyncio.create_subprocess_exec(sys.executable, __file__, "--probe", stdout=subprocess.PIPE,
                                                 stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(probe.communicate(), 60)
    try:
        jitter = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        jitter = {"error": (out + err).decode()[-2000:]}
    concurrent = sum(1 for v in stack.voice.calls.values() if v.state == "connected")
    wall = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    loop_lag = lag.stop()
    caller_r, uas_r = await callers, await uas
    return {"registered": registered, "bridged_peak": peak, "bridged_during_probe": concurrent,
            "relayed_packets_per_s": pps, "cpu_percent": round(100 * cpu / wall, 1), **loop_lag,
            "callers": {"successful": caller_r.successful, "failed": caller_r.failed},
            "agents": {"successful": uas_r.successful, "failed": uas_r.failed}, "probe": jitter}


async def recorded(c: Any, stack: Any, work: Path, rates: list[int], seconds: float, agents: int,
                   talk_ms: int) -> dict[str, Any]:
    """Callers with media (g711a.pcap) at each rate for ``seconds``, each bridged to a registered agent phone
    that also sends media, every call recorded. A call's recording is complete when it exists and its length
    is its talk time (ContactConnected to ContactEnded) within 0.1 s. Reported per rate: calls, failed,
    refused by admission control (503), recordings missing and off by more than 0.1 s."""
    users = {f"r{i}": f"pw-r{i}" for i in range(agents)}
    registered = await register_all(users, 5071)
    for a in users:
        await asyncio.to_thread(c.agents.login, a)
    pcap = f"{PCAPS}/g711a.pcap"
    agent_play = f"{pcap}@100"  # media from the start of each leg (the pcap is 4.7 s)
    play = f"{PCAPS}/dtmf_2833_1.pcap@600,{pcap}@100"  # the caller presses 1 in the IVR menu, then talks
    steps, best = [], 0
    lag = LoopLag()
    bridged_s = _bridge_spans(stack)
    for rate in rates:
        calls = int(rate * seconds)
        tag = f"rec{rate}"
        refused0 = stack.gateway.admission.refused
        uas = asyncio.create_task(sipp(scenario("uas_agent", work, ring_ms="100", play=agent_play), work,
                                       local_port=5071, uas=True, calls=calls, rtp_port=43000,
                                       timeout_s=seconds + talk_ms / 1000 + 60))
        await asyncio.sleep(0.5)
        lag.start()
        cpu0, t0 = time.process_time(), time.monotonic()
        r = await sipp(scenario("uac", work, caller=tag, hold_ms=str(talk_ms), play=play), work,
                       local_port=5064, calls=calls, rate=rate, limit=rate * 10, rtp_port=44000, service="rec",
                       timeout_s=seconds + talk_ms / 1000 + 60)
        wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
        loop_lag = lag.stop()
        uas.cancel()
        await asyncio.gather(uas, return_exceptions=True)
        await _stored(c, stack, tag, calls)
        await asyncio.sleep(1.0)
        rows = [x for x in await asyncio.to_thread(c.store.interactions, limit=100000)
                if (x.get("attributes") or {}).get("caller_id") == tag]
        missing, off, diffs, off_bridge, bdiffs = 0, 0, [], 0, []
        late_bridge: list[float] = []
        late_end: list[float] = []
        untalked: list[list[str]] = []
        chose = sum(1 for row in rows if ((row.get("attributes") or {}).get("ivr") or {}).get("menu") == "1")
        for row in rows:
            tl = await asyncio.to_thread(c.contacts.timeline, row["contact_id"])
            on = next((e["at"] for e in tl if e["type"] == "ContactConnected"), None)
            end = next((e["at"] for e in tl if e["type"] == "ContactEnded"), None)
            if on is None or end is None:
                untalked.append([e["type"] for e in tl])  # what happened to a caller who never talked
                continue
            recs = stack.voice.recordings(row["contact_id"])
            if not recs:
                missing += 1
                continue
            import wave
            with wave.open(recs[0]["path"], "rb") as w:
                length = w.getnframes() / w.getframerate()
            diffs.append(length - (end - on))
            off += abs(length - (end - on)) > 0.1
            span = bridged_s.get(row["contact_id"])
            if span is not None and span[1] is not None:
                bdiffs.append(length - (span[1] - span[0]))
                off_bridge += abs(bdiffs[-1]) > 0.1
                late_bridge.append(span[2] - on)  # the engine's connect (stored) -> the bridge (on the loop)
                late_end.append(end - span[3])  # the hang-up on the wire -> the engine's end (stored)
        talked = len(diffs) + missing
        refused = stack.gateway.admission.refused - refused0
        ok = r.rc == 0 and r.failed == 0 and missing == 0 and off == 0 and talked == calls and chose == calls
        step = {"rate_cps": rate, "calls": calls, "successful": r.successful, "failed": r.failed,
                "refused_503": refused, "ivr_digit_1": chose,
                "talked": talked, "recordings_missing": missing, "recordings_off_0_1s": off,
                "worst_diff_s": round(max(diffs, key=abs), 3) if diffs else None,
                "recordings_off_bridge_0_1s": off_bridge,
                "worst_diff_bridge_s": round(max(bdiffs, key=abs), 3) if bdiffs else None,
                "bridge_after_connect_max_s": round(max(late_bridge), 3) if late_bridge else None,
                "end_after_hangup_max_s": round(max(late_end), 3) if late_end else None,
                "untalked_example": untalked[0] if untalked else None,
                "cpu_percent": round(100 * cpu / wall, 1), "cpu_ms_per_call": round(1000 * cpu / calls, 1),
                "load_1m": round(os.getloadavg()[0], 2), **loop_lag}
        steps.append(step)
        print(f"recorded {rate:3d} cps: {r.successful}/{calls} ok, {r.failed} failed ({refused} refused 503), "
              f"{chose} chose 1 in the IVR; "
              f"{talked} talked, {missing} without a recording, {off} off by > 0.1 s (worst {step['worst_diff_s']} s); "
              f"vs the bridged time {off_bridge} off (worst {step['worst_diff_bridge_s']} s); bridged up to "
              f"{step['bridge_after_connect_max_s']} s after the engine's connect, ended up to "
              f"{step['end_after_hangup_max_s']} s after the hang-up; "
              f"CPU {step['cpu_percent']} % ({step['cpu_ms_per_call']} ms/call), loop lag p99 {step['lag_p99_ms']} ms, "
              f"load {step['load_1m']}", flush=True)
        if not ok:
            break
        best = rate
        await asyncio.sleep(3)
    for a in users:
        await asyncio.to_thread(c.agents.logout, a, True)
    return {"registered": registered, "max_cps_media_recordings_complete": best, "steps": steps}


def _bridge_spans(stack: Any) -> dict[str, list[Any]]:
    """contact id -> [bridged at, unbridged at] on the loop's clock (then both on the wall clock, the
    event log's): the time the caller and the agent
    actually had media between them (the engine's ContactConnected comes before it: the accept runs on
    the store's worker first, and that handoff grows with load)."""
    gw, spans = stack.gateway, {}
    bridge, unbridge = gw.bridge, gw.unbridge

    contact_of: dict[str, str] = {}

    def on_bridge(customer: Any, agent: Any) -> None:
        bridge(customer, agent)
        vc = stack.voice.by_leg.get(customer.id)
        if vc is not None:
            spans[vc.contact_id] = [time.monotonic(), None, time.time(), None]
            contact_of[customer.id] = contact_of[agent.id] = vc.contact_id

    def on_unbridge(leg: Any) -> None:
        cid = contact_of.pop(leg.id, None)
        if cid is not None and leg.bridge is not None and spans[cid][1] is None:
            spans[cid][1], spans[cid][3] = time.monotonic(), time.time()
        unbridge(leg)

    connect = gw.connect

    def on_connect(customer: Any, since: float) -> bool:  # a pre-bridged call starts relaying now
        vc = stack.voice.by_leg.get(customer.id)
        if vc is not None and vc.contact_id in spans:
            spans[vc.contact_id][0], spans[vc.contact_id][2] = time.monotonic(), time.time()
        return bool(connect(customer, since))

    gw.bridge, gw.unbridge, gw.connect = on_bridge, on_unbridge, on_connect
    return spans


def _relayed(stack: Any) -> int:
    seen = set()
    total = 0
    for leg in stack.gateway.legs.values():
        if leg.bridge is not None and id(leg.bridge) not in seen:
            seen.add(id(leg.bridge))
            total += leg.bridge.relayed
    return total


# ---------------------------------------------------------------------- the probe (its own process)


async def probe_main() -> dict[str, Any]:
    from blendcc.adapters.channels.sip.dialog import Call
    from blendcc.adapters.channels.sip.digest import authorization
    from blendcc.adapters.channels.sip.edge import SipEdge
    from blendcc.adapters.channels.sip.message import SipMessage, new_branch
    from blendcc.adapters.channels.sip.rtp import RtpEndpoint, RtpPacket
    from blendcc.adapters.channels.sip.sdp import PCMU, answer, build_sdp

    loop = asyncio.get_running_loop()
    caller_rtp, phone_rtp = RtpEndpoint("127.0.0.1", 43000, PCMU), RtpEndpoint("127.0.0.1", 43002, PCMU)
    await caller_rtp.open(loop)
    await phone_rtp.open(loop)
    arrivals: list[tuple[float, int]] = []
    phone_rtp.on_packet = lambda pkt, raw: arrivals.append((loop.time(), pkt.timestamp))
    answered = asyncio.Event()

    def on_invite(call: Call) -> None:  # the probe agent's phone answers at once
        assert call.remote_media is not None
        phone_rtp.remote = (call.remote_media.address, call.remote_media.port)
        call.answer(answer(call.remote_media, "127.0.0.1", 43002)[0])

    edge = SipEdge("127.0.0.1", 5090, on_invite=on_invite)
    await edge.start(loop)
    got: asyncio.Queue[SipMessage] = asyncio.Queue()

    def register(auth: str | None) -> None:
        req = SipMessage(method="REGISTER", uri="sip:127.0.0.1")
        for k, v in (("Via", f"SIP/2.0/UDP 127.0.0.1:5090;branch={new_branch()}"),
                     ("From", "<sip:probe@127.0.0.1>;tag=p"), ("To", "<sip:probe@127.0.0.1>"),
                     ("Call-ID", "probe-reg"), ("CSeq", f"{2 if auth else 1} REGISTER"),
                     ("Contact", "<sip:probe@127.0.0.1:5090>"), ("Expires", "600")):
            req.add(k, v)
        if auth:
            req.add("Authorization", auth)
        edge.client_transaction(req, ("127.0.0.1", 5060), got.put_nowait, lambda: None)

    register(None)
    challenge = (await asyncio.wait_for(got.get(), 5)).get("WWW-Authenticate") or ""
    register(authorization(challenge, "probe", "pw-probe", "REGISTER", "sip:127.0.0.1"))
    await asyncio.wait_for(got.get(), 5)
    call = edge.invite("sip:probe@127.0.0.1:5060", ("127.0.0.1", 5060), "probe-caller",
                       build_sdp("127.0.0.1", 43000, [PCMU], None))
    call.on_event = lambda c, name, detail: answered.set() if name == "answered" else None
    await asyncio.wait_for(answered.wait(), 10)
    assert call.remote_media is not None
    caller_rtp.remote = (call.remote_media.address, call.remote_media.port)
    # send 10 s of 20 ms packets on an absolute schedule; record when each really left
    start = loop.time() + 0.02
    sent: list[tuple[float, int]] = []
    seq, ts = 0, 0
    for i in range(500):
        due = start + i * 0.02
        await asyncio.sleep(max(0.0, due - loop.time()))
        caller_rtp.send_raw(RtpPacket(PCMU, seq, ts, 42, b"\xff" * 160).encode())
        sent.append((loop.time(), ts))
        seq, ts = seq + 1, ts + 160
    await asyncio.sleep(0.3)
    call.bye()
    await asyncio.sleep(0.2)
    edge.close()
    rx = [(t, s) for t, s in arrivals if s <= ts]
    return {"sent": len(sent), "received": len(rx), "jitter_received_ms": round(_jitter(rx) * 1000, 3),
            "jitter_sent_ms": round(_jitter(sent) * 1000, 3),
            "transit_spread_ms": round(_spread(sent, rx) * 1000, 3)}


def _jitter(points: list[tuple[float, int]]) -> float:
    """RFC 3550 interarrival jitter (seconds) of (arrival time, RTP timestamp at 8 kHz)."""
    j = 0.0
    for (t0, s0), (t1, s1) in itertools.pairwise(points):
        d = (t1 - t0) - (s1 - s0) / 8000
        j += (abs(d) - j) / 16
    return j


def _spread(sent: list[tuple[float, int]], rx: list[tuple[float, int]]) -> float:
    """Standard deviation of one-way transit time through the relay (same clock: one machine)."""
    at = dict((s, t) for t, s in sent)
    transit = [t - at[s] for t, s in rx if s in at]
    return statistics.pstdev(transit) if len(transit) > 1 else 0.0


# ---------------------------------------------------------------------- driver


async def inner(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    logging.basicConfig(level=logging.ERROR)
    work = workdir()
    c, stack = _server(work, args.bridged, args.rec_agents)
    await stack.start()
    tick = asyncio.create_task(_ticker(c))
    try:
        rates = [int(x) for x in args.rates.split(",")]
        rec = (await recorded(c, stack, work, [int(x) for x in args.rec_rates.split(",")], args.seconds,
                              args.rec_agents, args.talk_ms) if args.rec_rates else {})
        sig = await signalling(c, stack, work, rates, args.seconds)
        top = sig["max_cps_zero_failures"] or rates[0]
        peer_r = await peer(work, top, args.seconds)
        print(f"peer (SIPp UAS, no application) at {top} cps: {peer_r['successful']}/{peer_r['calls']} ok", flush=True)
        br = await bridged(c, stack, work, args.bridged) if args.bridged else {}
        tls = await tls_srtp(c, stack, args.tls_srtp) if args.tls_srtp else {}
    finally:
        tick.cancel()
        stack.close()
        c.store.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return {"signalling": sig, "peer_sipp_uas": peer_r, "bridged": br, "tls_srtp": tls, "recorded": rec}


async def _ticker(c: Any) -> None:
    while True:
        await asyncio.sleep(0.1)
        await asyncio.to_thread(c.runtime.tick)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rates", default="50,100,200,400,600,800")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--bridged", type=int, default=100)
    ap.add_argument("--tls-srtp", type=int, default=20, help="calls of the TLS+SRTP run (0: none)")
    ap.add_argument("--rec-rates", default="20,30,40,50", help="calls/s of the recorded-media stage ('' skips it)")
    ap.add_argument("--rec-agents", type=int, default=200)
    ap.add_argument("--talk-ms", type=int, default=3000)
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(asyncio.run(probe_main())))
        return
    if not args.inner:
        missing = have_tools()
        if missing:
            sys.exit(f"bench/sip.py: {missing}")
        cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable, __file__,
               "--inner", "--rates", args.rates, "--seconds", str(args.seconds), "--bridged", str(args.bridged),
               "--tls-srtp", str(args.tls_srtp),
               "--rec-rates", args.rec_rates, "--rec-agents", str(args.rec_agents), "--talk-ms", str(args.talk_ms)]
        sys.exit(subprocess.run(cmd, check=False, env={**os.environ, "BLENDCC_IN_NETNS": "1"}).returncode)
    res = asyncio.run(inner(args))
    sig, br = res["signalling"], res["bridged"]
    probe = br.get("probe", {}) if br else {}
    added = None
    if "jitter_received_ms" in probe:
        added = round(max(0.0, probe["jitter_received_ms"] - probe["jitter_sent_ms"]), 3)
    if br:
        print(f"bridged: {br['bridged_peak']} concurrent bridged calls ({br['relayed_packets_per_s']} RTP packets/s "
              f"relayed), CPU {br['cpu_percent']} %, loop lag p99 {br['lag_p99_ms']} ms; probe jitter received "
              f"{probe.get('jitter_received_ms')} ms vs sent {probe.get('jitter_sent_ms')} ms -> added {added} ms",
              flush=True)
    if res["tls_srtp"]:
        t = res["tls_srtp"]
        print(f"TLS+SRTP: {t['ok']}/{t['calls']} calls OK at {t['rate_cps']} calls/s (callers {t['callers_ok']}, "
              f"agents {t['agents_ok']})", flush=True)
    print(f"max {sig['max_cps_zero_failures']} calls/s with zero failures (target 200); peer SIPp UAS at that "
          f"rate: {res['peer_sipp_uas']['successful']}/{res['peer_sipp_uas']['calls']}", flush=True)
    print(json.dumps({"max_cps_zero_failures": sig["max_cps_zero_failures"],
                      "bridged_calls": br.get("bridged_during_probe") if br else 0,
                      "added_jitter_ms": added,
                      "tls_srtp_calls_ok": res["tls_srtp"].get("ok", 0) if res["tls_srtp"] else None,
                      "max_cps_media_recordings_complete":
                          (res["recorded"] or {}).get("max_cps_media_recordings_complete"),
                      "details": res}))


if __name__ == "__main__":
    main()

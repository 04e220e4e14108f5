"""Browser-phone benchmark: the server's CPU per call answered in a browser (aiortc bridge) against the same
calls answered by registered SIP phones (the G.711 relay alone), measured on a real `blendcc serve` process.

Both runs: N customers (the project's SIP UA, real RTP with a 400 Hz tone) call in; N agents answer, either
with a browser phone (an aiortc client playing the desktop over /ws/agent: ICE, DTLS-SRTP, Opus) or with a
registered SIP phone (the project's SIP UA answering, a tone back). While all N calls are up, the server's
CPU time (utime + stime from /proc) is sampled over ``--seconds``; packets are counted on both ends.

    python bench/browser_phone.py [--calls 4] [--seconds 10]

The last line is one JSON object: browser_calls, cpu_per_browser_call_pct, cpu_per_sip_call_pct (peer),
and the packets each side received.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import connect

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.media import PcmQueue
from blendcc.adapters.channels.sip.sdp import PCMU
from blendcc.adapters.channels.webrtc.media import RelayTrack

ADMIN = "bench-admin-pw"
PASSWORD = "bench-agent-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
TICKS = os.sysconf("SC_CLK_TCK")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tone(freq: float, n: int, start: int) -> bytes:
    return array.array("h", (int(8000 * math.sin(2 * math.pi * freq * (start + i) / 8000))
                             for i in range(n))).tobytes()


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Talker:
    """Sends a tone on a SIP leg every 20 ms and counts what comes back."""

    def __init__(self, leg: Any, freq: float) -> None:
        self.leg, self.freq, self.received = leg, freq, 0
        leg.rtp.on_packet = self._heard
        self.task = asyncio.create_task(self._send())

    def _heard(self, pkt: Any, raw: bytes) -> None:
        self.received += 1

    async def _send(self) -> None:
        n, t0 = 0, time.monotonic()
        while not self.leg.released:
            if self.leg.rtp.remote is not None:
                self.leg.rtp.send_audio(g711.encode(PCMU, tone(self.freq, 160, n)))
            n += 160
            await asyncio.sleep(max(0.0, t0 + n / 8000 - time.monotonic()))


class ToneQueue(PcmQueue):
    """A microphone for the aiortc client: an endless 1 kHz tone taken 20 ms at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def frame(self) -> bytes:
        self.n += 160
        return tone(1000, 160, self.n)


class BrowserAgent:
    """One agent's desktop: /ws/agent, the phone registered, answers the first ring with an aiortc client."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.pc: RTCPeerConnection | None = None
        self.frames = 0
        self.connected = asyncio.Event()

    async def run(self) -> None:
        async with connect(self.url.replace("http://", "ws://") + "/ws/agent",
                           subprotocols=["blendcc.v1", f"bearer.{self.token}"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "phone.register"}))
            async for text in ws:
                msg = json.loads(text)
                if msg.get("stream") != "phone":
                    continue
                if msg["type"] == "ring":
                    pc = self.pc = RTCPeerConnection()
                    pc.addTrack(RelayTrack(ToneQueue()))
                    pc.on("track", lambda track: asyncio.ensure_future(self._listen(track)))
                    await pc.setLocalDescription(await pc.createOffer())
                    await ws.send(json.dumps({"type": "phone.answer", "call": msg["call"],
                                              "sdp": pc.localDescription.sdp}))
                elif msg["type"] == "answer" and self.pc is not None:
                    await self.pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type="answer"))
                    self.connected.set()

    async def _listen(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                await track.recv()
            except Exception:
                return
            self.frames += 1


class SipAgents:
    """Registered SIP phones for the agents: one UA answering every INVITE and talking back."""

    def __init__(self, port: int) -> None:
        self.gateway = SipGateway("127.0.0.1", port, "127.0.0.1", (36600, 36800))
        self.gateway.voice = self  # type: ignore[assignment]
        self.talkers: list[Talker] = []

    def incoming(self, leg: Any, caller_id: str | None, dialled: str | None) -> None:
        self.gateway.answer(leg)
        self.talkers.append(Talker(leg, 1000))

    def dtmf(self, leg: Any, digit: str) -> None: ...
    def leg_ended(self, leg: Any) -> None: ...
    def agent_answered(self, leg: Any) -> None: ...
    def agent_failed(self, leg: Any, status: int) -> None: ...
    def phone_hold(self, leg: Any, held: bool) -> None: ...
    def listener_answered(self, leg: Any) -> bool:
        return False
    def callback_event(self, leg: Any, name: str, detail: Any) -> None: ...


async def measure(kind: str, calls: int, seconds: float, work: Path) -> dict[str, Any]:
    sip_port, http_port = free_port(socket.SOCK_DGRAM), free_port()
    env = {**os.environ, "BLENDCC_ADMIN_PASSWORD": ADMIN, "BLENDCC_LOG_LEVEL": "warning",
           "BLENDCC_SIP_ENABLED": "true", "BLENDCC_SIP_PORT": str(sip_port), "BLENDCC_RTP_PORT_MIN": "36000",
           "BLENDCC_RTP_PORT_MAX": "36400", "BLENDCC_RECORDING_DIR": str(work / f"rec-{kind}"),
           "BLENDCC_SIP_USERS": json.dumps({f"a{i}": f"pw-{i}" for i in range(calls)})}
    log = open(work / f"server-{kind}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "blendcc.cli", "serve", "--port", str(http_port),
                             "--database-url", f"sqlite:///{work / f'{kind}.db'}"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    customers = SipGateway("127.0.0.1", 0, "127.0.0.1", (37000, 37200))
    agents: list[BrowserAgent] = []
    tasks: list[asyncio.Task[None]] = []
    sip_agents: SipAgents | None = None
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            for _ in range(300):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            admin = (await http.post("/api/auth/token", json={"username": "admin", "password": ADMIN})).json()
            h = {"Authorization": f"Bearer {admin['access_token']}"}
            await http.put("/api/config/calendars/always", json={"weekly": ALWAYS}, headers=h)
            await http.put("/api/config/queues/sales", json={"name": "Sales", "calendar_id": "always",
                                                             "wrap_up_s": 0, "offer_timeout_s": 60}, headers=h)
            await http.put("/api/config/workflows/main", json={"name": "Main", "default": [{"queue": "sales"}]},
                           headers=h)
            if kind == "sip":
                phone_port = free_port(socket.SOCK_DGRAM)
                sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "sip"))
                from sipp_harness import register_phones

                await register_phones({f"a{i}": f"pw-{i}" for i in range(calls)}, phone_port, sip_port)
                await asyncio.sleep(0.2)  # the registering socket closes on the next loop turns
                sip_agents = SipAgents(phone_port)
                await sip_agents.gateway.start()
            for i in range(calls):
                await http.put(f"/api/config/agents/a{i}", json={"name": f"Agent {i}", "queues": ["sales"]},
                               headers=h)
                await http.put(f"/api/users/u{i}", json={"password": PASSWORD, "role": "agent",
                                                         "agent_id": f"a{i}"}, headers=h)
                token = (await http.post("/api/auth/token", json={"username": f"u{i}", "password": PASSWORD})
                         ).json()["access_token"]
                if kind == "browser":
                    agent = BrowserAgent(url, token)
                    agents.append(agent)
                    tasks.append(asyncio.create_task(agent.run()))
                    await asyncio.sleep(0.2)
                await http.post("/api/agent/login", json={"status": "available"},
                                headers={"Authorization": f"Bearer {token}"})
            await customers.start()
            talkers: list[Talker] = []
            for i in range(calls):
                leg = customers.dial(f"sip:main@127.0.0.1:{sip_port}", ("127.0.0.1", sip_port), f"+4420794{i:05d}",
                                     "outbound")
                talkers.append(Talker(leg, 400))
            for agent in agents:
                await asyncio.wait_for(agent.connected.wait(), 30)
            await asyncio.sleep(2.0)  # every call bridged and its media flowing
            before = [t.received for t in talkers]
            c0, t0 = cpu_s(proc.pid), time.monotonic()
            await asyncio.sleep(seconds)
            c1, t1 = cpu_s(proc.pid), time.monotonic()
            heard = [t.received - b for t, b in zip(talkers, before, strict=True)]
            return {"calls": calls, "cpu_pct": round(100 * (c1 - c0) / (t1 - t0), 1),
                    "cpu_per_call_pct": round(100 * (c1 - c0) / (t1 - t0) / calls, 2),
                    "customer_packets_per_s": round(sum(heard) / calls / seconds, 1),
                    "agent_frames": [a.frames for a in agents] if agents else
                    [t.received for t in (sip_agents.talkers if sip_agents else [])]}
    finally:
        for task in tasks:
            task.cancel()
        for agent in agents:
            if agent.pc is not None:
                await agent.pc.close()
        customers.close()
        if sip_agents is not None:
            sip_agents.gateway.close()
        proc.terminate()
        proc.wait(10)
        log.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        sip = await measure("sip", args.calls, args.seconds, Path(tmp))
        browser = await measure("browser", args.calls, args.seconds, Path(tmp))
    return {"browser_calls": args.calls, "cpu_per_browser_call_pct": browser["cpu_per_call_pct"],
            "cpu_per_sip_call_pct": sip["cpu_per_call_pct"], "browser": browser, "sip_phones": sip}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    result = asyncio.run(run(args))
    print(f"server CPU per call: browser phone {result['cpu_per_browser_call_pct']} %, "
          f"registered SIP phone (peer) {result['cpu_per_sip_call_pct']} % ({args.calls} calls each)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""The browser phone end to end: a real server (uvicorn, SIP edge, RTP relay), a customer's SIP call with real
RTP, and an aiortc client playing the agent's browser over /ws/agent (real ICE and DTLS-SRTP).

Checked: the agent's socket is rung instead of a SIP phone; audio flows both ways (a tone each way, RMS on
the other side); hold stops the audio to the customer; hang-up from the browser and from the customer; the
recording lasts as long as the talk time; a decline fails the offer; another agent's call cannot be touched.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fractions
import json
import math
import socket
import time
import wave
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import av
import httpx
import uvicorn
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from websockets.asyncio.client import ClientConnection, connect

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.sdp import PCMU
from blendcc.api.app import create_app
from blendcc.bootstrap import build_container
from blendcc.config import Settings

ADMIN = "phone-admin-pw"
PASSWORD = "phone-agent-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rms(pcm: bytes) -> float:
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def tone(freq: float, n: int, start: int, rate: int = 8000, amp: int = 8000) -> bytes:
    return array.array("h", (int(amp * math.sin(2 * math.pi * freq * (start + i) / rate)) for i in range(n))).tobytes()


class ToneTrack(MediaStreamTrack):
    """The browser's microphone: a 1 kHz tone, 20 ms frames in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.pts = 0
        self.t0: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.t0 is None:
            self.t0 = time.monotonic()
        else:
            self.pts += 960
            await asyncio.sleep(max(0.0, self.t0 + self.pts / 48000 - time.monotonic()))
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(tone(1000, 960, self.pts, 48000))
        frame.sample_rate, frame.pts, frame.time_base = 48000, self.pts, fractions.Fraction(1, 48000)
        return frame


class Browser:
    """The agent's desktop: /ws/agent, the phone signalling and an aiortc peer connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.heard: list[bytes] = []  # decoded audio from the server, per frame
        self.pc: RTCPeerConnection | None = None
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for text in self.ws:
            self.frames.append(json.loads(text))
            self._new.set()

    async def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while True:
            found = next((f for f in self.frames if pred(f)), None)
            if found is not None:
                self.frames.remove(found)
                return found
            self._new.clear()
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing matched; got {self.frames[-5:]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), left)

    async def phone(self, kind: str, timeout: float = 15.0) -> dict[str, Any]:
        return await self.wait(lambda f: f.get("stream") == "phone" and f.get("type") == kind, timeout)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def answer(self, call: str) -> str:
        """Offer with a microphone track, send phone.answer, apply the server's answer (returned)."""
        pc = self.pc = RTCPeerConnection()
        pc.addTrack(ToneTrack())
        pc.on("track", lambda track: asyncio.ensure_future(self._listen(track)))
        await pc.setLocalDescription(await pc.createOffer())
        await self.send({"type": "phone.answer", "call": call, "sdp": pc.localDescription.sdp})
        answer = await self.phone("answer")
        assert answer["call"] == call
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        return str(answer["sdp"])

    async def _listen(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.heard.append(bytes(frame.planes[0])[: frame.samples * 2 * len(frame.layout.channels)])

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        await self.ws.close()
        self._reader.cancel()


class Customer:
    """A caller's SIP phone (the project's own UAC on its own edge): sends a 400 Hz tone, keeps what it hears."""

    def __init__(self, gateway: SipGateway) -> None:
        self.gateway = gateway
        self.events: list[str] = []
        self.heard: list[tuple[float, bytes]] = []
        self.leg: Any = None
        self._sender: asyncio.Task[None] | None = None
        gateway.outbound_handler = lambda leg, name, detail: self.events.append(name)

    def call(self, sip_port: int, caller: str) -> None:
        self.leg = self.gateway.dial(f"sip:main@127.0.0.1:{sip_port}", ("127.0.0.1", sip_port), caller, "outbound")
        ep = self.leg.rtp
        ep.on_packet = lambda pkt, raw: self.heard.append((time.monotonic(), g711.decode(PCMU, pkt.payload)))
        self._sender = asyncio.create_task(self._send())

    async def _send(self) -> None:
        n = 0
        t0 = time.monotonic()
        while True:
            if self.leg.rtp.remote is not None:
                self.leg.rtp.send_audio(g711.encode(PCMU, tone(400, 160, n)))
            n += 160
            await asyncio.sleep(max(0.0, t0 + n / 8000 - time.monotonic()))

    def packets_since(self, t: float) -> list[bytes]:
        return [pcm for at, pcm in self.heard if at >= t]

    def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()


class Centre:
    def __init__(self, settings: Settings, url: str, http: httpx.AsyncClient) -> None:
        self.settings, self.url, self.http = settings, url, http
        self.container: Any = None

    async def token(self, user: str, password: str) -> str:
        r = await self.http.post("/api/auth/token", json={"username": user, "password": password})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    async def as_user(self, token: str, method: str, path: str, body: Any = None) -> Any:
        r = await self.http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    async def browser(self, token: str) -> Browser:
        ws = await connect(self.url.replace("http://", "ws://") + "/ws/agent",
                           subprotocols=["blendcc.v1", f"bearer.{token}"])  # type: ignore[list-item]
        b = Browser(ws)
        await b.wait(lambda f: f.get("stream") == "snapshot")
        return b


@contextlib.asynccontextmanager
async def running_centre(tmp_path: Path, **overrides: Any) -> AsyncIterator[Centre]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'phone.db'}", admin_password=ADMIN,
                        sip_enabled=True, sip_port=free_port(socket.SOCK_DGRAM), rtp_port_min=34000,
                        rtp_port_max=34400, recording_dir=str(tmp_path / "rec"), recording_default="all",
                        prompt_cache_dir=str(tmp_path / "prompts"), **overrides)
    container = build_container(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), task
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        centre = Centre(settings, url, http)
        centre.container = container
        admin = await centre.token("admin", ADMIN)
        for path, body in (("/api/config/calendars/always", {"weekly": ALWAYS}),
                           ("/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": 0,
                                                         "offer_timeout_s": 60}),
                           ("/api/config/workflows/main", {"name": "Main", "default": [{"queue": "sales"}]}),
                           ("/api/config/agents/a1", {"name": "Ann", "queues": ["sales"]}),
                           ("/api/config/agents/a2", {"name": "Bob", "queues": ["sales"]}),
                           ("/api/users/ann", {"password": PASSWORD, "role": "agent", "agent_id": "a1"}),
                           ("/api/users/bob", {"password": PASSWORD, "role": "agent", "agent_id": "a2"})):
            await centre.as_user(admin, "PUT", path, body)
        try:
            yield centre
        finally:
            server.should_exit = True
            await task


@contextlib.asynccontextmanager
async def customer_phone() -> AsyncIterator[Customer]:
    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (34600, 34640))
    await gw.start()
    customer = Customer(gw)
    try:
        yield customer
    finally:
        customer.stop()
        gw.close()


async def until(fn: Callable[[], Any], timeout: float = 10.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def wav_seconds(path: str) -> float:
    with wave.open(path, "rb") as w:
        return w.getnframes() / w.getframerate()


def test_browser_phone_rings_talks_both_ways_holds_records_and_hangs_up(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_centre(tmp_path) as centre, customer_phone() as customer:
            ann = await centre.token("ann", PASSWORD)
            browser = await centre.browser(ann)
            await browser.send({"type": "phone.register"})
            registered = await browser.phone("registered")
            assert registered["calls"] == [] and registered["ice_servers"] == []
            await centre.as_user(ann, "POST", "/api/agent/login", {"status": "available"})

            # call 1: the customer calls, the browser is rung (not a SIP phone: none is registered) and answers
            customer.call(centre.settings.sip_port, "+442079460001")
            ring = await browser.phone("ring")
            assert ring["caller"] == "+442079460001" and ring["kind"] == "agent"
            cid = ring["contact_id"]
            sdp = await browser.answer(ring["call"])
            m_audio = next(line for line in sdp.splitlines() if line.startswith("m=audio"))
            assert m_audio.split()[3] == "0"  # G.711 (PCMU) first: the relay's own codec, no Opus work
            await until(lambda: "answered" in customer.events)
            t_talk = time.monotonic()
            # ~20 ms packets from the browser through the relay, and the customer's back (ICE and DTLS first)
            await until(lambda: len(customer.packets_since(t_talk)) > 60 and len(browser.heard) > 60, timeout=15)
            assert rms(b"".join(customer.packets_since(t_talk)[-40:])) > 2000  # the browser's 1 kHz tone (8000)
            assert rms(b"".join(browser.heard[-40:])) > 2000  # the customer's 400 Hz tone

            # hold (the desktop's hold button): nothing reaches the customer; resume: audio again
            await centre.as_user(ann, "POST", f"/api/agent/contacts/{cid}/hold")
            await until(lambda: not customer.packets_since(time.monotonic() - 0.3))  # the relay stopped
            t_held = time.monotonic()
            await asyncio.sleep(1.0)
            assert customer.packets_since(t_held) == []
            await centre.as_user(ann, "POST", f"/api/agent/contacts/{cid}/resume")
            t_resumed = time.monotonic()
            await until(lambda: len(customer.packets_since(t_resumed)) > 40)
            assert rms(b"".join(customer.packets_since(t_resumed)[-30:])) > 2000

            # the agent hangs up in the browser: the customer gets a BYE, the contact ends
            await browser.send({"type": "phone.hangup", "call": ring["call"]})
            ended = await browser.phone("ended")
            assert ended["call"] == ring["call"]
            await until(lambda: "ended" in customer.events)
            voice = centre.container.voice.voice
            recs = await until(lambda: [r for r in voice.recordings(cid) if r["seconds"] is not None])
            timeline = centre.container.contacts.timeline(cid)
            connected = next(e["at"] for e in timeline if e["type"] == "ContactConnected")
            ended_at = next(e["at"] for e in timeline if e["type"] == "ContactEnded")
            talk_s = ended_at - connected
            assert talk_s > 2.0
            assert abs(wav_seconds(recs[0]["path"]) - talk_s) < 0.5, (recs, talk_s)
            with wave.open(recs[0]["path"], "rb") as w:
                pcm = w.readframes(w.getnframes())
            stereo = array.array("h", pcm)
            assert rms(stereo[0::2].tobytes()) > 1000 and rms(stereo[1::2].tobytes()) > 1000  # both directions
            customer.events.clear()

            # call 2: answered, then the customer hangs up: the browser is told the call ended
            await until(lambda: not centre.container.agents.view("a1")["work"])  # no wrap-up time: free again
            customer.call(centre.settings.sip_port, "+442079460002")
            ring2 = await browser.phone("ring")
            await browser.answer(ring2["call"])
            await until(lambda: "answered" in customer.events)
            await asyncio.sleep(0.5)
            customer.gateway.hangup(customer.leg)
            ended2 = await browser.phone("ended")
            assert ended2["call"] == ring2["call"] and ended2["reason"] == "server"
            await browser.close()

    asyncio.run(scenario())


def test_decline_fails_the_offer_and_another_agents_call_is_out_of_reach(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_centre(tmp_path) as centre, customer_phone() as customer:
            ann, bob = await centre.token("ann", PASSWORD), await centre.token("bob", PASSWORD)
            a, b = await centre.browser(ann), await centre.browser(bob)
            await a.send({"type": "phone.answer", "call": "webrtc-1", "sdp": "v=0"})
            assert "register the phone first" in (await a.phone("error"))["message"]
            for br in (a, b):
                await br.send({"type": "phone.register"})
                await br.phone("registered")
            await centre.as_user(ann, "POST", "/api/agent/login", {"status": "available"})
            customer.call(centre.settings.sip_port, "+442079460003")
            ring = await a.phone("ring")
            # bob's socket cannot answer, decline or hang up ann's call
            for kind in ("phone.decline", "phone.hangup"):
                await b.send({"type": kind, "call": ring["call"]})
                assert "no call" in (await b.phone("error"))["message"]
            await a.send({"type": "phone.answer", "call": ring["call"], "sdp": "not an offer"})
            assert (await a.phone("error"))["call"] == ring["call"]  # refused; the call still rings
            await a.send({"type": "phone.decline", "call": ring["call"]})
            cancelled = await a.phone("cancelled")
            assert cancelled["reason"] == "declined"
            voice = centre.container.voice.voice
            await until(lambda: voice.stats["failed_offers"] >= 1)
            await a.close()
            await b.close()

    asyncio.run(scenario())


def test_reconnect_within_grace_resumes_the_call_and_a_phone_gone_for_good_ends_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_centre(tmp_path, webrtc_ring_timeout_s=1.5, webrtc_prefer_g711=False) as centre, \
                customer_phone() as customer:
            phones = centre.container.phones
            ann = await centre.token("ann", PASSWORD)
            first = await centre.browser(ann)
            await first.send({"type": "phone.register"})
            await first.phone("registered")
            await centre.as_user(ann, "POST", "/api/agent/login", {"status": "available"})

            # nobody answers: the ring times out (480) and the desktop is told
            customer.call(centre.settings.sip_port, "+442079460004")
            ring = await first.phone("ring")
            assert (await first.phone("cancelled", timeout=5))["reason"] == "timeout"
            voice = centre.container.voice.voice
            await until(lambda: voice.stats["failed_offers"] >= 1)  # the offer was declined for the agent
            customer.gateway.hangup(customer.leg)
            customer.stop()
            customer.call(centre.settings.sip_port, "+442079460005")
            again = await first.phone("ring")
            assert again["contact_id"] != ring["contact_id"] and again["call"] != ring["call"]
            sdp = await first.answer(again["call"])
            first_pt = next(line for line in sdp.splitlines() if line.startswith("m=audio")).split()[3]
            assert f"a=rtpmap:{first_pt} opus/48000/2" in sdp  # Opus first when G.711 is not preferred
            await until(lambda: "answered" in customer.events)

            # the socket drops; a new one registers within the grace period and re-offers the same call id
            await first.close()
            await asyncio.sleep(0.5)
            second = await centre.browser(ann)
            await second.send({"type": "phone.register"})
            registered = await second.phone("registered")
            assert registered["calls"] == [{"call": again["call"], "state": "confirmed",
                                            "contact_id": again["contact_id"]}]
            await second.answer(again["call"])
            t_resumed = time.monotonic()
            await until(lambda: len(customer.packets_since(t_resumed)) > 60)
            assert rms(b"".join(customer.packets_since(t_resumed)[-40:])) > 2000  # the new connection's audio
            assert "ended" not in customer.events

            # this time the socket stays away: after the grace period the call ends and the customer is hung up
            phones.grace_s = 0.5
            await second.close()
            await until(lambda: "ended" in customer.events, timeout=5)
            assert phones.calls == {} and not phones.has_phone("a1")

    asyncio.run(scenario())

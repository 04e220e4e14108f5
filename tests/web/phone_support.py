"""What the browser-phone tests share: a customer's SIP phone on its own loop, Chromium with a fake
microphone, a centre with the SIP edge, and the page instrumentation that reads WebRTC statistics."""

from __future__ import annotations

import array
import asyncio
import json
import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.sdp import PCMU
from blendcc.api import routes_widget
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server

from .conftest import ARTIFACTS, CHROMIUM

PASSWORD = "phone-ui-pw"
ALWAYS = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CATALOGUES = routes_widget.WEB / "i18n" / "desktop"
#: axe-core (the web package's dev dependency, installed by `make frontend`) checks WCAG 2 A/AA in the page
AXE = routes_widget.WEB / "node_modules" / "axe-core" / "axe.min.js"
#: every RTCPeerConnection the page makes, kept for getStats() (test instrumentation, not product code)
KEEP_PEERS = """(() => { const Native = window.RTCPeerConnection; window.__peers = [];
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.__peers.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype; })();"""
INBOUND_AUDIO = """async () => { const pc = window.__peers[window.__peers.length - 1]; if (!pc) return null;
  const stats = await pc.getStats(); let out = null;
  stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') out = {packets: s.packetsReceived,
    energy: s.totalAudioEnergy || 0}; });
  return out; }"""


def texts(lang: str, areas: tuple[str, ...] = ("shell", "phone")) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in areas:
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tone(n: int, start: int) -> bytes:
    return array.array("h", (int(8000 * math.sin(2 * math.pi * 400 * (start + i) / 8000)) for i in range(n))).tobytes()


class ThreadedCustomer:
    """A caller's SIP phone on its own event loop (thread): sends a 400 Hz tone, keeps what it hears (audio
    decoded; RFC 4733 telephone-event payloads apart, in ``tones``)."""

    def __init__(self, rtp: tuple[int, int] = (35600, 35640)) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateway = SipGateway("127.0.0.1", 0, "127.0.0.1", rtp)
        self.events: list[str] = []
        self.heard: list[bytes] = []
        self.tones: list[bytes] = []
        self.leg: Any = None
        self.senders: list[asyncio.Task[None]] = []
        self.gateway.outbound_handler = lambda leg, name, detail: self.events.append(name)
        self._run(self.gateway.start())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def call(self, sip_port: int, caller: str, dialled: str = "main") -> None:
        async def dial() -> None:
            self.leg = self.gateway.dial(f"sip:{dialled}@127.0.0.1:{sip_port}", ("127.0.0.1", sip_port), caller,
                                         "outbound")
            self.leg.rtp.on_packet = self._packet
            self.senders.append(self.loop.create_task(self._send()))

        self._run(dial())

    def hang_up(self) -> None:
        """The caller hangs up (BYE)."""
        async def bye() -> None:
            self.gateway.hangup(self.leg)

        self._run(bye())

    def _packet(self, pkt: Any, raw: bytes) -> None:
        if pkt.payload_type == PCMU:
            self.heard.append(g711.decode(PCMU, pkt.payload))
        else:
            self.tones.append(pkt.payload)

    def digits(self) -> str:
        """The RFC 4733 digits received, one per event (its end packets are sent three times)."""
        out, last = "", None
        for payload in list(self.tones):
            if len(payload) >= 4 and payload[1] & 0x80 and payload[0] <= 15:
                if last != payload:
                    out += "0123456789*#ABCD"[payload[0]]
                last = payload
            else:
                last = None
        return out

    async def _send(self) -> None:
        n, t0 = 0, time.monotonic()
        while self.leg is not None and not self.leg.released:
            if self.leg.rtp.remote is not None:
                self.leg.rtp.send_audio(g711.encode(PCMU, tone(160, n)))
            n += 160
            await asyncio.sleep(max(0.0, t0 + n / 8000 - time.monotonic()))

    def peak(self) -> int:
        return max((max(abs(s) for s in array.array("h", pcm)) for pcm in list(self.heard) if pcm), default=0)

    def close(self) -> None:
        async def stop() -> None:
            for task in self.senders:
                task.cancel()
            self.gateway.close()

        self._run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def phone_browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed (Debian package chromium)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


@contextmanager
def voice_centre_with(tmp_path: Path, agents: tuple[tuple[str, str, str], ...] = (("a1", "Ann", "ann"),),
                      rtp: tuple[int, int] = (35000, 35400),
                      env: dict[str, str] | None = None) -> Iterator[tuple[Server, int]]:
    """A real `blendcc serve` with the SIP edge, one always-open queue "sales" and (agent id, name, user)
    agents in it, each user's password PASSWORD; yields the server and its SIP port."""
    sip_port = free_udp_port()
    env = {"BLENDCC_SIP_ENABLED": "true", "BLENDCC_SIP_PORT": str(sip_port), "BLENDCC_RTP_PORT_MIN": str(rtp[0]),
           "BLENDCC_RTP_PORT_MAX": str(rtp[1]), "BLENDCC_RECORDING_DIR": str(tmp_path / "rec"),
           "BLENDCC_PROMPT_CACHE_DIR": str(tmp_path / "prompts"), **(env or {})}
    server = Server(f"sqlite:///{tmp_path / 'phone-ui.db'}", tmp_path, env=env)
    server.start(timeout=60)
    try:
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        setup: list[tuple[str, dict[str, Any]]] = [
            ("/api/config/calendars/always", {"weekly": ALWAYS}),
            ("/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": 0,
                                          "offer_timeout_s": 60}),
            ("/api/config/workflows/main", {"name": "Main", "default": [{"queue": "sales"}]})]
        for agent_id, name, user in agents:
            setup += [(f"/api/config/agents/{agent_id}", {"name": name, "queues": ["sales"]}),
                      (f"/api/users/{user}", {"password": PASSWORD, "role": "agent", "agent_id": agent_id})]
        for path, body in setup:
            admin.ok("PUT", path, body)
        admin.close()
        yield server, sip_port
    finally:
        server.stop()


@pytest.fixture
def voice_centre(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    with voice_centre_with(tmp_path) as centre:
        yield centre


def axe_phone(page: Page, where: str) -> None:
    """No serious or critical WCAG 2 A/AA violation (axe-core) in the phone's controls as they are now."""
    assert AXE.is_file(), "axe-core is not installed: run `make frontend` (npm ci in src/blendcc/web)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => (await axe.run(".phone", {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations.map(v => ({id: v.id, impact: v.impact,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], (where, bad)


def fits(page: Page, viewport: dict[str, int]) -> None:
    """Nothing overflows the screen sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)



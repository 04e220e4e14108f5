"""The browser phone in the agent desktop, against the REAL server (`blendcc serve` with the SIP edge) in Debian
Chromium with a fake microphone: the agent turns the phone on, a customer's SIP call (real RTP, a 400 Hz tone)
rings in the page, the agent answers there, RTP flows both ways, a reload mid-call resumes it, and the agent
hangs up in the page. Screenshots: test-artifacts/phone-*.png."""

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
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.sdp import PCMU
from blendcc.api import routes_pages, routes_widget
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, wait_until

from .conftest import ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.slow

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


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "phone"):
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
    """A caller's SIP phone on its own event loop (thread): sends a 400 Hz tone, keeps what it hears."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateway = SipGateway("127.0.0.1", 0, "127.0.0.1", (35600, 35640))
        self.events: list[str] = []
        self.heard: list[bytes] = []
        self.leg: Any = None
        self.senders: list[asyncio.Task[None]] = []
        self.gateway.outbound_handler = lambda leg, name, detail: self.events.append(name)
        self._run(self.gateway.start())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def call(self, sip_port: int, caller: str) -> None:
        async def dial() -> None:
            self.leg = self.gateway.dial(f"sip:main@127.0.0.1:{sip_port}", ("127.0.0.1", sip_port), caller,
                                         "outbound")
            self.leg.rtp.on_packet = lambda pkt, raw: self.heard.append(g711.decode(PCMU, pkt.payload))
            self.senders.append(self.loop.create_task(self._send()))

        self._run(dial())

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


@pytest.fixture
def voice_centre(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    sip_port = free_udp_port()
    env = {"BLENDCC_SIP_ENABLED": "true", "BLENDCC_SIP_PORT": str(sip_port), "BLENDCC_RTP_PORT_MIN": "35000",
           "BLENDCC_RTP_PORT_MAX": "35400", "BLENDCC_RECORDING_DIR": str(tmp_path / "rec"),
           "BLENDCC_PROMPT_CACHE_DIR": str(tmp_path / "prompts")}
    server = Server(f"sqlite:///{tmp_path / 'phone-ui.db'}", tmp_path, env=env)
    server.start(timeout=60)
    try:
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        for path, body in (("/api/config/calendars/always", {"weekly": ALWAYS}),
                           ("/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": 0,
                                                         "offer_timeout_s": 60}),
                           ("/api/config/workflows/main", {"name": "Main", "default": [{"queue": "sales"}]}),
                           ("/api/config/agents/a1", {"name": "Ann", "queues": ["sales"]}),
                           ("/api/users/ann", {"password": PASSWORD, "role": "agent", "agent_id": "a1"})):
            admin.ok("PUT", path, body)
        admin.close()
        yield server, sip_port
    finally:
        server.stop()


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


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 860}),
                                                 ("fa", {"width": 360, "height": 780})], ids=["en-wide", "fa-360px"])
def test_the_agent_answers_a_call_in_the_desktop_and_audio_flows_both_ways(
        lang: str, viewport: dict[str, int], phone_browser: Any, voice_centre: tuple[Server, int]) -> None:
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    server, sip_port = voice_centre
    t = texts(lang)
    context = phone_browser.new_context(viewport=viewport, locale="en-GB", permissions=["microphone"])
    context.add_init_script(KEEP_PEERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    customer = ThreadedCustomer()
    try:
        page.goto(f"{server.url}/desktop")
        page.get_by_label(texts("en")["lang.label"]).select_option(lang)
        page.get_by_label(t["signin.username"]).fill("ann")
        page.get_by_label(t["signin.password"]).fill(PASSWORD)
        page.get_by_role("button", name=t["signin.submit"]).click()
        page.get_by_role("button", name=t["state.login"]).click()
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.available"])

        # the phone is turned on: the (fake) microphone is opened, the phone registers over the socket
        page.get_by_role("button", name=t["phone.enable"]).click()
        phone = page.locator(".phone")
        expect(phone.get_by_role("status")).to_have_text(t["phone.ready"])
        expect(phone.get_by_label(t["phone.microphone"], exact=True)).to_be_visible()
        expect(phone.get_by_role("button", name=t["phone.mute"])).to_have_attribute("aria-pressed", "false")
        axe_phone(page, "ready")

        # a customer calls: the page rings with the caller's number
        customer.call(sip_port, "+442079460010")
        ring = phone.get_by_role("group", name=t["phone.incoming"])
        expect(ring).to_contain_text("+442079460010")
        expect(phone.get_by_role("status")).to_contain_text("+442079460010")
        axe_phone(page, "ringing")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        caller_box = ring.locator(".phone-caller").bounding_box()
        answer_box = ring.get_by_role("button", name=t["phone.answer"]).bounding_box()
        assert caller_box is not None and answer_box is not None
        assert abs(caller_box["y"] + caller_box["height"] / 2 - answer_box["y"] - answer_box["height"] / 2) < 10
        # logical layout: the caller comes first in reading order, so it is right of Answer in Persian
        assert (caller_box["x"] > answer_box["x"]) == (lang == "fa"), (caller_box, answer_box)
        fits(page, viewport)
        shot(page, f"{lang}-ringing")

        # answered in the page (English: the phone's Answer button; Persian: the offer's Alt+A shortcut, which
        # answers the ringing browser phone): the customer's call is connected to the browser's audio
        if lang == "fa":
            page.keyboard.press("Alt+A")
        else:
            ring.get_by_role("button", name=t["phone.answer"]).click()
        wait_until(lambda: "answered" in customer.events, 15, "the call to be answered")
        expect(phone.locator(".phone-call")).to_contain_text(t["phone.talking"], timeout=15000)
        time.sleep(2.5)
        # browser -> customer: RTP through the relay, carrying the fake microphone's audio
        assert len(customer.heard) > 50, len(customer.heard)
        assert customer.peak() > 300, customer.peak()
        # customer -> browser: the 400 Hz tone arrives as audio with energy
        inbound = page.evaluate(INBOUND_AUDIO)
        assert inbound is not None and inbound["packets"] > 50 and inbound["energy"] > 0, inbound
        axe_phone(page, "talking")
        fits(page, viewport)
        shot(page, f"{lang}-talking")

        # a reload mid-call: the page signs back in, turns the phone on again (remembered) and re-offers the
        # call in progress on the new socket; the customer hears the browser again
        page.reload()
        expect(phone.locator(".phone-call")).to_contain_text(t["phone.talking"], timeout=15000)
        before = len(customer.heard)
        time.sleep(1.5)
        assert len(customer.heard) - before > 40 and "ended" not in customer.events
        inbound = page.evaluate(INBOUND_AUDIO)
        assert inbound is not None and inbound["packets"] > 20 and inbound["energy"] > 0, inbound

        # mute in the page: the toggle says so
        phone.get_by_role("button", name=t["phone.mute"]).click()
        expect(phone.get_by_role("button", name=t["phone.unmute"])).to_have_attribute("aria-pressed", "true")
        phone.get_by_role("button", name=t["phone.unmute"]).click()

        # hung up in the page: the customer's phone gets the BYE, the call controls go away
        phone.get_by_role("button", name=t["phone.hangup"]).click()
        wait_until(lambda: "ended" in customer.events, 15, "the customer's call to end")
        expect(phone.locator(".phone-call")).to_have_count(0)
        expect(phone.get_by_role("status")).to_have_text(t["phone.ready"])
        shot(page, f"{lang}-after")
        assert errors == [], errors
    finally:
        customer.close()
        context.close()


#: the browser refuses the microphone while ``window.__micError`` names a DOMException (test instrumentation)
MIC_REFUSAL = """(() => { const md = navigator.mediaDevices; const real = md.getUserMedia.bind(md);
  window.__micError = 'NotAllowedError';
  md.getUserMedia = (c) => window.__micError ? Promise.reject(new DOMException('refused', window.__micError))
    : real(c); })();"""


def test_a_blocked_or_missing_microphone_is_said_plainly_and_retry_recovers(
        phone_browser: Any, voice_centre: tuple[Server, int]) -> None:
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    server, _ = voice_centre
    t = texts("en")
    context = phone_browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.add_init_script(MIC_REFUSAL)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/desktop")
        page.get_by_label(t["signin.username"]).fill("ann")
        page.get_by_label(t["signin.password"]).fill(PASSWORD)
        page.get_by_role("button", name=t["signin.submit"]).click()
        phone = page.locator(".phone")
        phone.get_by_role("button", name=t["phone.enable"]).click()
        expect(phone.locator(".phone-alert")).to_contain_text(t["phone.mic_blocked"])
        expect(phone.get_by_role("status")).to_have_text(t["phone.mic_blocked"])
        axe_phone(page, "blocked")
        shot(page, "en-mic-blocked")
        page.evaluate("window.__micError = 'NotFoundError'")
        phone.get_by_role("button", name=t["phone.retry"]).click()
        expect(phone.locator(".phone-alert")).to_contain_text(t["phone.mic_absent"])
        page.evaluate("window.__micError = null")
        phone.get_by_role("button", name=t["phone.retry"]).click()
        expect(phone.get_by_role("status")).to_have_text(t["phone.ready"])
        expect(phone.locator(".phone-alert")).to_have_count(0)
    finally:
        context.close()

"""Live monitoring in Debian Chromium against a real `blendcc serve` with its SIP edge: a live call (a SIP
customer, agent a1's SIPp phone) appears and "Listen" rings the supervisor's SIPp phone, which is answered,
moved to whisper and barge and back (audited), and hung up with the call; a web chat is read live and
joined (the customer's socket gets the supervisor's message); a long-wait alert appears and is
acknowledged. English at 1280 px, Persian at 360 px; axe-core."""

from __future__ import annotations

import array
import asyncio
import json
import math
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from blendcc.adapters.channels.sip import g711
from blendcc.adapters.channels.sip.gateway import SipGateway
from blendcc.adapters.channels.sip.sdp import PCMU
from blendcc.api import routes_widget
from channels.webchat.live_chat import Socket
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, wait_until
from sip.sipp_harness import register_phones, scenario

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import ALWAYS, INSTANCE, PASSWORD
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"
SIP_PASSWORD = "monitor-sip-pw"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "monitor"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Caller:
    """A customer's SIP phone on its own event loop (thread) sending a tone; hangs up when told. Its loop also
    runs the phones' registrations (the browser's driver owns this thread's loop)."""

    def __init__(self, rtp: tuple[int, int]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateway = SipGateway("127.0.0.1", 0, "127.0.0.1", rtp)
        self.events: list[str] = []
        self.leg: Any = None
        self.gateway.outbound_handler = lambda leg, name, detail: self.events.append(name)
        self.sender: Any = None
        self.run(self.gateway.start())

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def call(self, sip_port: int, caller: str) -> None:
        async def dial() -> None:
            self.leg = self.gateway.dial(f"sip:main@127.0.0.1:{sip_port}", ("127.0.0.1", sip_port), caller,
                                         "outbound")
            self.sender = self.loop.create_task(self._send())

        self.run(dial())

    async def _send(self) -> None:
        n, t0 = 0, time.monotonic()
        while self.leg is not None and not self.leg.released:
            if self.leg.rtp.remote is not None:
                pcm = array.array("h", (int(8000 * math.sin(2 * math.pi * 400 * (n + i) / 8000)) for i in range(160)))
                self.leg.rtp.send_audio(g711.encode(PCMU, pcm.tobytes()))
            n += 160
            await asyncio.sleep(max(0.0, t0 + n / 8000 - time.monotonic()))

    def hangup(self) -> None:
        async def bye() -> None:
            if self.leg is not None and not self.leg.released:
                self.gateway.hangup(self.leg)

        self.run(bye())

    def close(self) -> None:
        async def stop() -> None:
            if self.sender is not None:
                self.sender.cancel()
            self.gateway.close()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class SippPhone:
    """A registered SIP phone answered by SIPp (tests/sip/scenarios/uas_agent.xml): one call, then it exits;
    exit status 0 means the call was offered, answered and ended by a BYE."""

    def __init__(self, user: str, sip_port: int, work: Path, media_port: int, loop: Caller) -> None:
        self.port = free_udp_port()
        status = loop.run(register_phones({user: SIP_PASSWORD}, self.port, edge_port=sip_port))
        assert status == {user: 200}, status
        xml = scenario("uas_agent", work, ring_ms="300", play="")
        self.log = work / f"sipp-{user}.log"
        self.proc = subprocess.Popen(
            ["sipp", "-sf", str(xml), "-i", "127.0.0.1", "-p", str(self.port), "-m", "1", "-mi", "127.0.0.1",
             "-mp", str(media_port), "-nostdin", "-timeout", "180s", "-timeout_error", "-trace_err",
             "-error_file", str(self.log)], cwd=str(work), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def finished(self, timeout: float = 20.0) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def monitor_centre(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    if shutil.which("sipp") is None:
        if os.environ.get("CI"):
            pytest.fail("sipp is not installed (make system-deps)", pytrace=False)
        pytest.skip("sipp is not installed")
    sip_port = free_udp_port()
    env = {"BLENDCC_SIP_ENABLED": "true", "BLENDCC_SIP_PORT": str(sip_port), "BLENDCC_SIP_HOST": "127.0.0.1",
           "BLENDCC_SIP_USERS": json.dumps({"a1": SIP_PASSWORD, "sup": SIP_PASSWORD}),
           "BLENDCC_RTP_PORT_MIN": "36000", "BLENDCC_RTP_PORT_MAX": "36400",
           "BLENDCC_RECORDING_DIR": str(tmp_path / "rec"), "BLENDCC_PROMPT_CACHE_DIR": str(tmp_path / "prompts"),
           "BLENDCC_WEBCHAT": json.dumps({"default": INSTANCE}),
           "BLENDCC_WEBCHAT_ATTACHMENT_DIR": str(tmp_path / "attachments")}
    server = Server(f"sqlite:///{tmp_path / 'monitor.db'}", tmp_path, env=env)
    server.start(timeout=60)
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    try:
        for path, body in (
                ("/api/config/calendars/always", {"weekly": ALWAYS}),
                ("/api/config/queues/sales", {"name": "Sales", "calendar_id": "always", "wrap_up_s": 0,
                                              "offer_timeout_s": 60}),
                ("/api/config/queues/backlog", {"name": "Backlog", "calendar_id": "always", "long_wait_s": 1}),
                ("/api/config/workflows/main", {"name": "Main", "channels": ["voice", "chat"],
                                                "default": [{"queue": "sales"}]}),
                ("/api/config/workflows/mail", {"name": "Mail", "channels": ["email"],
                                                "default": [{"queue": "backlog"}]}),
                ("/api/config/agents/a1", {"name": "Ann", "queues": ["sales"],
                                           "capacity": {"limits": {"voice": 1, "chat": 3}}}),
                ("/api/users/ann", {"password": PASSWORD, "role": "agent", "agent_id": "a1"}),
                ("/api/users/sup", {"password": PASSWORD, "role": "supervisor"})):
            admin.ok("PUT", path, body)
        yield server, sip_port
    finally:
        admin.close()
        server.stop()


def row_of(page: Page, text: str) -> Any:
    return page.locator("table.data tbody tr").filter(has_text=text)


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 860}),
                                                ("fa", {"width": 360, "height": 780})], ids=["en-1280", "fa-360"])
def test_supervisor_listens_to_a_call_reads_and_joins_a_chat_and_acknowledges_an_alert(
        lang: str, viewport: dict[str, int], browser: Any, monitor_centre: tuple[Server, int], tmp_path: Path) -> None:
    require_console()
    server, sip_port = monitor_centre
    t = texts(lang)
    sup = Client(server.url, "sup", PASSWORD)
    ann = Client(server.url, "ann", PASSWORD)
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    caller = Caller((36600, 36640))
    phones: list[SippPhone] = []
    chat_ws: Socket | None = None
    context, page, errors = console_page(browser, viewport)
    try:
        # an email nobody can take waits in the backlog queue past its 1 s long-wait threshold
        admin.ok("POST", "/api/contacts", {"channel": "email", "caller_id": "late@example.org", "text": "hello?"},
                 expect=201)
        ann.ok("POST", "/api/agent/login", {"status": "available"})
        agent_phone = SippPhone("a1", sip_port, tmp_path, 36700, caller)
        sup_phone = SippPhone("sup", sip_port, tmp_path, 36720, caller)
        phones += [agent_phone, sup_phone]

        sign_in(page, server.url, lang, "sup", PASSWORD)
        page.goto(f"{server.url}/console/#/monitor")
        expect(page.get_by_role("heading", level=1)).to_have_text(t["nav.monitor"])

        # the alert is pushed and acknowledged: who and when, audited
        alert = page.locator('.mon-alert[data-kind="long_wait"]')
        expect(alert).to_contain_text("backlog", timeout=10000)
        nav_link = page.get_by_role("navigation", name=t["nav.label"]).get_by_role("link", name=t["nav.monitor"])
        expect(nav_link.get_by_test_id("alert-badge")).to_contain_text(t["mon.badge"].replace("{n}", "1").strip())
        # a view at the far end of the navigation scrolls the badge away on a narrow screen: its hidden
        # words must stay inside the navigation, not widen the page (they did at 360 px in Persian)
        page.goto(f"{server.url}/console/#/wfm/adherence")
        expect(page.get_by_role("heading", level=1)).not_to_have_text(t["nav.monitor"])
        no_horizontal_overflow(page)
        page.goto(f"{server.url}/console/#/monitor")
        alert.get_by_role("button", name=t["mon.ack"]).click()
        expect(alert.locator(".mon-acked")).to_contain_text("sup")
        expect(nav_link.get_by_test_id("alert-badge")).to_have_count(0)  # nothing left to acknowledge
        acks = admin.ok("GET", "/api/audit?action=alert_acknowledged")
        assert [(e["actor"], e["detail"]["kind"]) for e in acks] == [("sup", "long_wait")]
        assert all(a["acked_by"] == "sup" for a in sup.ok("GET", "/api/supervisor/alerts")["alerts"]
                   if a["kind"] == "long_wait")

        # a live call: the customer rings, a1's phone answers; the call shows with its queue and agent
        caller.call(sip_port, "+442079460055")
        call_row = row_of(page, "+442079460055")
        expect(call_row).to_contain_text(t["mon.st.connected"], timeout=15000)
        expect(call_row).to_contain_text("Ann")
        expect(call_row).to_contain_text("Sales")
        # Listen rings the supervisor's own phone (user 'sup'); SIPp answers it
        call_row.get_by_role("button", name=t["mon.listen"]).click()
        panel = page.locator(".mon-panel")
        expect(panel.get_by_label(t["mon.phone"])).to_have_value("sup")
        panel.get_by_role("button", name=t["mon.listen"]).click()
        expect(panel.get_by_role("status")).to_have_text(t["mon.listen_ringing"].replace("{phone}", "sup"))
        (live_call,) = sup.ok("GET", "/api/voice/calls")
        assert live_call["listeners"] == 1 and live_call["agent_id"] == "a1"
        def mode_now() -> list[str]:
            (row,) = [r for r in sup.ok("GET", "/api/supervisor/live-contacts") if r["channel"] == "voice"]
            return [m["mode"] for m in row["monitors"] if m["phone"] == "sup"]

        # SIPp answers: the page is told (topic "monitor") and offers whisper and barge
        wait_until(lambda: mode_now() == ["listen"], 10, "the supervisor's phone to answer")
        modes = panel.get_by_role("group", name=t["mon.modes_label"])
        expect(modes.get_by_role("button", name=t["mon.to.listen"])).to_have_attribute("aria-pressed", "true",
                                                                                        timeout=10000)

        modes.get_by_role("button", name=t["mon.to.whisper"]).click()
        expect(modes.get_by_role("button", name=t["mon.to.whisper"])).to_have_attribute("aria-pressed", "true")
        assert mode_now() == ["whisper"]
        modes.get_by_role("button", name=t["mon.to.barge"]).click()
        expect(modes.get_by_role("button", name=t["mon.to.barge"])).to_have_attribute("aria-pressed", "true")
        assert mode_now() == ["barge"]
        steps = [(e["action"], e["detail"].get("mode")) for e in reversed(admin.ok("GET", "/api/audit?actor=sup"))
                 if e["action"].startswith("call_")]
        assert steps == [("call_listened", None), ("call_whispered", "whisper"), ("call_barged", "barge")]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"console-monitor-listen-{lang}-{viewport['width']}.png"), full_page=True)
        no_horizontal_overflow(page)
        assert_accessible(page, what=f"monitor, listening ({lang})")
        modes.get_by_role("button", name=t["mon.to.listen"]).click()
        expect(modes.get_by_role("button", name=t["mon.to.listen"])).to_have_attribute("aria-pressed", "true")
        assert mode_now() == ["listen"]
        caller.hangup()
        # the call ended: both phones got their BYE after a completed call (the listener leg was answered)
        for phone in (agent_phone, sup_phone):
            assert phone.finished() == 0, phone.log.read_text(errors="replace") if phone.log.exists() else ""
        expect(call_row).to_have_count(0, timeout=10000)

        # a web chat: the customer writes, Ann takes it; the supervisor reads it live and joins it
        http = httpx.Client(base_url=server.url, timeout=10)
        session = http.post("/api/webchat/default/sessions", json={"name": "Dana", "email": "dana@example.org"}).json()
        http.close()
        chat_ws = Socket(connect(server.url.replace("http://", "ws://") + "/ws/webchat", open_timeout=10))
        chat_ws.send({"type": "hello", "session_id": session["session_id"], "token": session["token"], "after": 0})
        chat_ws.type("welcome")
        chat_ws.send({"type": "message", "client_id": "c1", "body": "My meter reads zero", "attachments": []})
        chat_ws.type("ack", client_id="c1")
        offered: list[str] = []

        def chat_offered() -> bool:
            offered[:] = [w["contact_id"] for w in ann.ok("GET", "/api/agent")["work"] if w.get("channel") == "chat"]
            return bool(offered)

        wait_until(chat_offered, 10, "the chat to be offered to Ann")
        contact_id = offered[0]
        ann.ok("POST", f"/api/agent/contacts/{contact_id}/accept")
        chat_row = row_of(page, t["mon.ch.chat"])
        expect(chat_row).to_contain_text("Ann", timeout=10000)
        chat_row.get_by_role("button", name=t["mon.read"]).click()
        thread = page.locator(".mon-messages")
        expect(thread).to_contain_text("My meter reads zero")
        chat_ws.send({"type": "message", "client_id": "c2", "body": "Is anyone there?", "attachments": []})
        expect(thread).to_contain_text("Is anyone there?")  # live: no reload
        ann.ok("POST", f"/api/contacts/{contact_id}/messages", {"body": "Checking your meter now."}, expect=201)
        expect(thread).to_contain_text("Checking your meter now.")
        page.get_by_label(t["mon.join_label"]).fill("I am the supervisor; we will fix it today.")
        page.get_by_role("button", name=t["mon.join_send"]).click()
        pushed = chat_ws.wait(lambda f: f.get("type") == "message"
                              and f["message"].get("body") == "I am the supervisor; we will fix it today.",
                              what="the supervisor's message at the customer")
        assert pushed["message"]["body"].startswith("I am the supervisor")
        # the customer's widget says "Supervisor" in its own language, never the author id "supervisor:sup"
        assert pushed["message"]["author"] == {"kind": "agent", "name": None, "role": "supervisor"}
        expect(thread).to_contain_text("I am the supervisor; we will fix it today.")
        (joined,) = admin.ok("GET", "/api/audit?action=conversation_joined")
        assert joined["actor"] == "sup" and joined["target"] == contact_id
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        page.screenshot(path=str(ARTIFACTS / f"console-monitor-chat-{lang}-{viewport['width']}.png"), full_page=True)
        no_horizontal_overflow(page)
        assert_accessible(page, what=f"monitor, chat ({lang})")
        assert errors == [], errors
    finally:
        context.close()
        if chat_ws is not None:
            chat_ws.close()
        for p in phones:
            p.stop()
        caller.close()
        for c in (sup, ann, admin):
            c.close()

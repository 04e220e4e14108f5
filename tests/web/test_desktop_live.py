"""The desktop browser tests' live centre (tests/web/desktop_live.py) is what the tests rely on: seeded queues,
agents and customers, an offer with its screen pop on the agent's socket, the preview campaign's records, the
SIP edge listening, and Chromium with a fake microphone granted without a prompt."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from .desktop_live import CAMPAIGN, CHANNELS, DesktopCentre, desktop_browser, desktop_centre, desktop_shot
from .live_centre import AgentSocket

__all__ = ["desktop_browser", "desktop_centre", "desktop_shot"]  # fixtures used below

pytestmark = pytest.mark.slow


def test_the_centre_is_seeded_and_offers_a_chat_with_its_screen_pop(desktop_centre: DesktopCentre) -> None:
    c = desktop_centre
    queues = {q["id"] for q in c.admin.get("/api/stats/live")["queues"]}
    assert set(CHANNELS) <= queues
    ann = c.agent("ann")
    assert ann.ok("POST", "/api/agent/login", {"status": "available"})["state"] == "available"
    socket_ = AgentSocket(c.url, ann.token)
    try:
        out = c.new_contact("chat", "maria@example.org", "My bill is wrong")
        assert out["offered_to"] == "a1" and out["customer_id"] == c.customers["Maria Lopez"]
        offer = socket_.wait(lambda f: f.get("stream") == "offer", what="the offer")
        assert offer["contact_id"] == out["contact_id"]
        assert offer["screen_pop"]["customer"]["name"] == "Maria Lopez"
        ann.ok("POST", f"/api/agent/contacts/{out['contact_id']}/accept")
        ann.ok("POST", f"/api/agent/contacts/{out['contact_id']}/wrapup",
               {"disposition": "resolved", "notes": "fixture check"})
    finally:
        socket_.close()
        ann.ok("POST", "/api/agent/logout")


def test_the_preview_campaign_hands_its_records_to_an_agent(desktop_centre: DesktopCentre) -> None:
    li = desktop_centre.agent("li")
    li.ok("POST", "/api/agent/login", {"status": "available"})
    try:
        nxt = li.get(f"/api/agent/preview/{CAMPAIGN}")
        assert nxt["record"]["phone"].startswith("+44207946000"), nxt
        li.ok("POST", f"/api/agent/preview/{CAMPAIGN}/skip", {"record_id": nxt["record"]["record_id"],
                                                              "reason": "fixture check"})
    finally:
        li.ok("POST", "/api/agent/logout")


def test_the_sip_edge_listens_on_its_port(desktop_centre: DesktopCentre) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(OSError):
        s.bind(("127.0.0.1", desktop_centre.sip_port))  # taken: the server's SIP edge holds it


def test_chromium_grants_the_fake_microphone_and_screenshots_are_kept(
        desktop_centre: DesktopCentre, desktop_browser: Any, desktop_shot: Any) -> None:
    context = desktop_browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(desktop_centre.url + "/health")
        tracks = page.evaluate("""async () => {
            const s = await navigator.mediaDevices.getUserMedia({audio: true});
            const kinds = s.getTracks().map(t => t.kind + ':' + t.readyState);
            s.getTracks().forEach(t => t.stop());
            return kinds;
        }""")
        assert tracks == ["audio:live"]
        assert desktop_shot(page, "fixture-health").name == "desktop-fixture-health.png"
    finally:
        context.close()

"""The supervisor's BROWSER phone on the console's monitor page, against the real server with the SIP edge, in
Chromium with a fake microphone: a customer's SIP call (a 400 Hz tone) is answered by agent a1's SIPp phone; the
supervisor turns the browser phone on, presses Listen, and the monitoring call rings in the page, which answers it
by itself: the server has the supervisor's leg in listen mode (then whisper), RTP audio reaches the browser, and
the call goes on on the wallboard and back (the phone is the console's, not the page's); Hang up in the page ends
the supervisor's leg while the customer and the agent talk on. A listen-in the page did not ask for rings on the
wallboard with Answer in the shell's bar; turning the phone off ends the monitoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from blendcc.api import routes_widget
from e2e.e2e_support import ADMIN_PASSWORD, Client, Server, wait_until

from .. import phone_support
from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD
from ..phone_support import INBOUND_AUDIO, KEEP_PEERS
from .console_support import no_horizontal_overflow, require_console, sign_in
from .test_monitor import Caller, SippPhone, monitor_centre, row_of

media_browser = phone_support.phone_browser  # fixture: Chromium with a fake microphone
__all__ = ["monitor_centre"]  # the fixture (a real centre with SIP, agent a1/ann, supervisor sup)

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "monitor", "monphone", "wallboard"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 860}),
                                                ("fa", {"width": 360, "height": 780})], ids=["en-1280", "fa-360"])
def test_supervisor_listens_with_the_browser_phone(lang: str, viewport: dict[str, int], media_browser: Any,
                                                   monitor_centre: tuple[Server, int], tmp_path: Path) -> None:
    require_console()
    server, sip_port = monitor_centre
    t = texts(lang)
    sup = Client(server.url, "sup", PASSWORD)
    ann = Client(server.url, "ann", PASSWORD)
    admin = Client(server.url, "admin", ADMIN_PASSWORD)
    caller = Caller((36600, 36640))
    agent_phone: SippPhone | None = None
    context = media_browser.new_context(viewport=viewport, locale="en-GB")
    context.add_init_script(KEEP_PEERS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        ann.ok("POST", "/api/agent/login", {"status": "available"})
        agent_phone = SippPhone("a1", sip_port, tmp_path, 36700, caller)  # the agent's SIP phone (SIPp answers)

        sign_in(page, server.url, lang, "sup", PASSWORD)
        page.goto(f"{server.url}/console/#/monitor")
        expect(page.get_by_role("heading", level=1)).to_have_text(t["nav.monitor"])
        # the supervisor turns the browser phone on: it registers as "sup", the phone a listen-in rings
        box = page.locator(".mph")
        expect(box.get_by_role("heading", level=2)).to_have_text(t["mph.title"])
        toggle = box.get_by_role("switch", name=t["mph.toggle"])
        expect(toggle).to_have_attribute("aria-checked", "false")
        toggle.click()
        expect(box.get_by_role("status")).to_have_text(t["mph.ready"], timeout=10000)
        expect(toggle).to_have_attribute("aria-checked", "true")

        # a live call: the customer rings, a1's SIPp phone answers
        caller.call(sip_port, "+442079460077")
        call_row = row_of(page, "+442079460077")
        expect(call_row).to_contain_text(t["mon.st.connected"], timeout=15000)
        call_row.get_by_role("button", name=t["mon.listen"]).click()
        panel = page.locator(".mon-panel")
        # no phone to type: the browser phone is the phone of the supervisor's username
        expect(panel.get_by_label(t["mon.phone"])).to_have_count(0)
        expect(panel).to_contain_text(t["mph.listen_browser"].replace("{phone}", "sup"))
        panel.get_by_role("button", name=t["mon.listen"]).click()

        def mode_now() -> list[str]:
            (row,) = [r for r in sup.ok("GET", "/api/supervisor/live-contacts") if r["channel"] == "voice"]
            return [m["mode"] for m in row["monitors"] if m["phone"] == "sup"]

        # the page answers the monitoring call by itself: the supervisor's leg is up and listening
        wait_until(lambda: mode_now() == ["listen"], 15, "the browser phone to answer the listen-in")
        (live_call,) = sup.ok("GET", "/api/voice/calls")
        assert live_call["listeners"] == 1 and live_call["agent_id"] == "a1"
        expect(box.get_by_role("status")).to_have_text(t["mph.talking"], timeout=10000)
        in_call = box.get_by_role("group", name=t["mph.in_call"])
        expect(in_call.get_by_role("button", name=t["mph.hangup"])).to_be_visible()
        # the customer's tone reaches the browser over RTP (the agent's SIPp phone sends nothing)
        inbound: dict[str, Any] = {}

        def audio_flows() -> bool:
            inbound.update(page.evaluate(INBOUND_AUDIO) or {})
            return inbound.get("packets", 0) > 50 and inbound.get("energy", 0) > 0

        wait_until(audio_flows, 15, "RTP audio at the supervisor's browser")
        assert page.evaluate("document.querySelector('audio.mph-audio').srcObject !== null")

        modes = panel.get_by_role("group", name=t["mon.modes_label"])
        expect(modes.get_by_role("button", name=t["mon.to.listen"])).to_have_attribute("aria-pressed", "true",
                                                                                        timeout=10000)
        modes.get_by_role("button", name=t["mon.to.whisper"]).click()
        expect(modes.get_by_role("button", name=t["mon.to.whisper"])).to_have_attribute("aria-pressed", "true")
        assert mode_now() == ["whisper"]
        mute = in_call.get_by_role("button", name=t["mph.mute"])
        mute.click()
        expect(mute).to_have_attribute("aria-pressed", "true")
        ARTIFACTS.mkdir(exist_ok=True)
        # the phone belongs to the console, not the page: on the wallboard the call goes on, in the shell's bar
        page.evaluate("location.hash = '#/wallboard'")
        expect(page.get_by_role("heading", level=1)).to_have_text(t["nav.wallboard"])
        bar = page.locator(".mph-bar")
        expect(bar).to_have_attribute("aria-label", t["mph.title"])
        expect(bar.get_by_role("status")).to_have_text(t["mph.talking"])
        expect(bar.get_by_role("group", name=t["mph.in_call"]).get_by_role("button", name=t["mph.mute"])) \
            .to_have_attribute("aria-pressed", "true")
        page.wait_for_timeout(1500)  # a few wallboard ticks later, still listening and still hearing the call
        assert mode_now() == ["whisper"]
        packets = int(inbound.get("packets", 0))
        wait_until(lambda: (page.evaluate(INBOUND_AUDIO) or {}).get("packets", 0) > packets + 25, 10,
                   "RTP audio still flowing on the wallboard")
        assert page.evaluate("document.querySelector('audio.mph-audio').srcObject !== null")
        page.screenshot(path=str(ARTIFACTS / f"console-phone-bar-{lang}-{viewport['width']}.png"), full_page=True)
        no_horizontal_overflow(page)
        page.go_back()  # back on the monitor page: the same call, its controls on the page again
        expect(page.get_by_role("heading", level=1)).to_have_text(t["nav.monitor"])
        expect(box.get_by_role("status")).to_have_text(t["mph.talking"])
        expect(bar).to_have_count(0)
        expect(mute).to_have_attribute("aria-pressed", "true")
        expect(modes.get_by_role("button", name=t["mon.to.whisper"])).to_have_attribute("aria-pressed", "true")
        page.screenshot(path=str(ARTIFACTS / f"console-monitor-phone-{lang}-{viewport['width']}.png"), full_page=True)
        no_horizontal_overflow(page)
        assert_accessible(page, what=f"monitor, browser phone listening ({lang})")

        # Hang up in the page: the supervisor's leg ends, the customer and the agent stay connected
        in_call.get_by_role("button", name=t["mph.hangup"]).click()
        wait_until(lambda: mode_now() == [], 10, "the supervisor's leg to end")
        expect(box.get_by_role("status")).to_have_text(t["mph.ready"], timeout=10000)
        expect(call_row).to_contain_text(t["mon.st.connected"])

        # a listen-in this page did not ask for (here: through the API) rings with Answer and Decline, on any
        # view: here the wallboard, in the shell's bar; answered there, it goes on back on the monitor page
        page.evaluate("location.hash = '#/wallboard'")
        expect(page.get_by_role("heading", level=1)).to_have_text(t["nav.wallboard"])
        sup.ok("POST", f"/api/voice/contacts/{live_call['contact_id']}/listen", {"phone": "sup"})
        ring = bar.get_by_role("group", name=t["mph.incoming"])
        ring.get_by_role("button", name=t["mph.answer"]).click(timeout=10000)
        wait_until(lambda: mode_now() == ["listen"], 15, "the browser phone to answer in the shell's bar")
        expect(ring).to_have_count(0)
        expect(bar.get_by_role("status")).to_have_text(t["mph.talking"])
        page.go_back()
        expect(box.get_by_role("status")).to_have_text(t["mph.talking"])
        assert mode_now() == ["listen"]
        # turning the browser phone off ends the monitoring; the panel asks for a SIP phone again
        toggle.click()
        wait_until(lambda: mode_now() == [], 10, "the supervisor's leg to end with the phone off")
        expect(toggle).to_have_attribute("aria-checked", "false")
        expect(box.get_by_role("status")).to_have_text(t["mph.off"])
        expect(panel.get_by_label(t["mon.phone"])).to_have_value("sup")
        expect(call_row).to_contain_text(t["mon.st.connected"])
        audit = admin.ok("GET", "/api/audit?actor=sup")
        steps = [e["action"] for e in reversed(audit) if e["action"].startswith("call_")]
        assert steps == ["call_listened", "call_whispered", "call_listened"]
        caller.hangup()
        status = agent_phone.finished()  # SIPp: offered, answered and ended by a BYE
        assert status == 0, agent_phone.log.read_text(errors="replace") if agent_phone.log.exists() else status
        expect(call_row).to_have_count(0, timeout=10000)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        assert errors == [], errors
    finally:
        context.close()
        if agent_phone is not None:
            agent_phone.stop()
        caller.close()
        for c in (sup, ann, admin):
            c.close()

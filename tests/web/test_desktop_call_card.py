"""The desktop's call card on a real call, against the REAL server (`blendcc serve` with the SIP edge) in Debian
Chromium: the agent answers a customer's SIP call in the browser phone, then holds and resumes, mutes, sends
keypad digits (the customer's phone receives them as RFC 4733 events), records on demand (a WAV is written),
consults a colleague whose browser phone rings and answers, and completes the transfer: the colleague keeps
the customer, who hears the colleague's microphone. Screenshots: test-artifacts/phone-card-*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_pages
from e2e.e2e_support import Client, wait_until

from . import phone_support
from .phone_support import KEEP_PEERS, PASSWORD, ThreadedCustomer, axe_phone, fits, shot, texts, voice_centre_with

phone_browser = phone_support.phone_browser  # fixture

pytestmark = pytest.mark.slow

AGENTS = (("a1", "Ann", "ann"), ("a2", "Bob", "bob"))


def desk(browser: Any, url: str, user: str, lang: str, viewport: dict[str, int]) -> tuple[Any, Page]:
    """A signed-in agent desktop in ``lang``, logged in to its queues, with the browser phone on and ready."""
    t = texts(lang)
    context = browser.new_context(viewport=viewport, locale="en-GB", permissions=["microphone"])
    context.add_init_script(KEEP_PEERS)
    page = context.new_page()
    page.goto(f"{url}/desktop")
    page.get_by_label(texts("en")["lang.label"]).select_option(lang)
    page.get_by_label(t["signin.username"]).fill(user)
    page.get_by_label(t["signin.password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["signin.submit"]).click()
    page.get_by_role("button", name=t["state.login"]).click()
    expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.available"])
    page.get_by_role("button", name=t["phone.enable"]).click()
    expect(page.locator(".phone").get_by_role("status")).to_have_text(t["phone.ready"])
    return context, page


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 860}),
                                                 ("fa", {"width": 360, "height": 780})], ids=["en-wide", "fa-360px"])
def test_call_card_controls_and_a_consulted_transfer_on_a_real_call(
        lang: str, viewport: dict[str, int], phone_browser: Any, tmp_path: Path) -> None:
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    t = texts(lang, ("shell", "phone", "panes"))
    with voice_centre_with(tmp_path, AGENTS, rtp=(35700, 35900),
                           env={"BLENDCC_RECORDING_DEFAULT": "on_demand"}) as (server, sip_port):
        customer = ThreadedCustomer(rtp=(35950, 35990))
        contexts: list[Any] = []
        errors: list[str] = []
        try:
            ctx_ann, ann = desk(phone_browser, server.url, "ann", lang, viewport)
            contexts.append(ctx_ann)
            ann.on("pageerror", lambda exc: errors.append(str(exc)))
            ann_api = Client(server.url, "ann", PASSWORD)
            # Bob is away while the customer calls, so the call is Ann's
            ann_phone = ann.locator(".phone")

            customer.call(sip_port, "+442079460011")
            ringing = ann_phone.get_by_role("group", name=t["phone.incoming"])
            ringing.get_by_role("button", name=t["phone.answer"]).click()
            wait_until(lambda: "answered" in customer.events, 15, "the call to be answered")
            card = ann.locator(".pn-voice")
            expect(card.locator(".pn-caller")).to_have_text("+442079460011", timeout=15000)
            expect(card.locator(".pn-state")).to_have_text(t["voice.state_talking"])
            contact_id = wait_until(lambda: next((w["contact_id"] for w in ann_api.ok("GET", "/api/agent")["work"]),
                                                 None), 10, "Ann to hold the contact")
            call = f"/api/agent/contacts/{contact_id}/call"
            controls = card.get_by_role("group", name=t["voice.controls"])
            assert ann_api.ok("GET", call)["recording_policy"] == "on_demand"

            # hold and resume: the engine's stage and the server's card follow the button
            controls.get_by_role("button", name=t["voice.hold"]).click()
            expect(card.locator(".pn-state")).to_have_text(t["voice.state_held"])
            assert ann_api.ok("GET", call)["held"] is True
            controls.get_by_role("button", name=t["voice.resume"]).click()
            expect(card.locator(".pn-state")).to_have_text(t["voice.state_talking"])
            assert ann_api.ok("GET", call)["held"] is False

            # mute: the card says so, the server's leg is muted, the browser phone's toggle too
            controls.get_by_role("button", name=t["voice.mute"]).click()
            expect(controls.get_by_role("button", name=t["voice.unmute"])).to_have_attribute("aria-pressed", "true")
            assert ann_api.ok("GET", call)["muted"] is True
            controls.get_by_role("button", name=t["voice.unmute"]).click()
            expect(controls.get_by_role("button", name=t["voice.mute"])).to_have_attribute("aria-pressed", "false")
            assert ann_api.ok("GET", call)["muted"] is False

            # keypad: the digits reach the customer's phone as telephone-events
            controls.get_by_role("button", name=t["voice.keypad"]).click()
            for key in "42#":
                card.get_by_role("button", name=t["voice.key"].replace("{key}", key), exact=True).click()
            wait_until(lambda: customer.digits() == "42#", 10, "the digits at the customer")

            # recording on demand: started, then stopped; a WAV with the talk is on disk
            controls.get_by_role("button", name=t["voice.record"], exact=True).click()
            expect(card.locator(".pn-rec")).to_have_text(t["voice.recording_now"])
            assert ann_api.ok("GET", call)["recording"] is True
            axe_phone(ann, "call card")
            fits(ann, viewport)
            shot(ann, f"card-{lang}-recording")
            time.sleep(1.5)
            controls.get_by_role("button", name=t["voice.stop_recording"]).click()
            expect(card.locator(".pn-rec")).to_have_count(0)
            wavs = wait_until(lambda: [p for p in (tmp_path / "rec").rglob("*.wav") if p.stat().st_size > 8000],
                              10, "the recording on disk")
            assert wavs, list((tmp_path / "rec").rglob("*"))

            # Bob comes back; Ann consults him: his browser phone rings, he answers, the caller waits on hold
            ctx_bob, bob = desk(phone_browser, server.url, "bob", lang, viewport)
            contexts.append(ctx_bob)
            bob.on("pageerror", lambda exc: errors.append(str(exc)))
            controls.get_by_role("button", name=t["voice.consult"]).click()
            picker = ann.get_by_role("dialog")
            picker.get_by_role("option").filter(has_text="Bob").click()
            picker.get_by_role("button", name=t["xfer.consult_with"].replace("{name}", "Bob")).click()
            bob_phone = bob.locator(".phone")
            bob_phone.get_by_role("group", name=t["phone.incoming"]).get_by_role(
                "button", name=t["phone.answer"]).click(timeout=15000)
            consult = card.get_by_role("region", name=t["voice.consulting"])
            expect(consult).to_contain_text("Bob", timeout=15000)
            wait_until(lambda: (ann_api.ok("GET", call).get("consult") or {}).get("answered") is True, 15,
                       "the consultation to be answered")
            # the caller stays on hold until the consultation is completed, conferenced or cancelled
            expect(controls.get_by_role("button", name=t["voice.resume"])).to_be_disabled()
            shot(ann, f"card-{lang}-consulting")
            fits(ann, viewport)

            # Ann completes the transfer: her call ends (wrap-up), Bob keeps the customer and is heard
            consult.get_by_role("button", name=t["voice.consult_complete"]).click()
            expect(ann_phone.locator(".phone-call")).to_have_count(0, timeout=15000)
            expect(bob_phone.locator(".phone-call")).to_contain_text(t["phone.talking"], timeout=15000)
            before = len(customer.heard)
            time.sleep(1.5)
            assert "ended" not in customer.events
            assert len(customer.heard) - before > 40
            assert customer.peak() > 300
            bob_api = Client(server.url, "bob", PASSWORD)
            wait_until(lambda: contact_id in [w["contact_id"] for w in bob_api.ok("GET", "/api/agent")["work"]], 10,
                       "the contact to be Bob's")

            # Bob hangs up: the customer's phone gets the BYE
            bob_phone.get_by_role("button", name=t["phone.hangup"]).click()
            wait_until(lambda: "ended" in customer.events, 15, "the customer's call to end")
            assert errors == [], errors
        finally:
            customer.close()
            for c in contexts:
                c.close()

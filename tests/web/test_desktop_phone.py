"""The browser phone in the agent desktop, against the REAL server (`blendcc serve` with the SIP edge) in Debian
Chromium with a fake microphone: the agent turns the phone on, a customer's SIP call (real RTP, a 400 Hz tone)
rings in the page, the agent answers there, RTP flows both ways, a reload mid-call resumes it, and the agent
hangs up in the page. Screenshots: test-artifacts/phone-*.png."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from blendcc.api import routes_pages
from e2e.e2e_support import Server, wait_until

from . import phone_support
from .phone_support import INBOUND_AUDIO, KEEP_PEERS, PASSWORD, ThreadedCustomer, axe_phone, fits, shot, texts

phone_browser = phone_support.phone_browser  # fixtures
voice_centre = phone_support.voice_centre

pytestmark = pytest.mark.slow


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

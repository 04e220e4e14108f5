"""The web-chat widget end to end against the REAL server: headless Chromium on a customer's site (another
origin, allowed by BLENDCC_CORS_ORIGINS) embedding `{server}/widget.js`, a `blendcc serve` process on SQLite
or PostgreSQL, and an agent working over REST and /ws/agent. Pre-chat, queue position, the agent's name,
messages both ways, typing, read marks, a reload that resumes with history, the agent ending, CSAT stored,
the transcript mailed. English on a desktop screen, Persian (right to left) on a 360 px phone."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget

from .live_centre import Agent, Centre, database, real_centre
from .webchat_standin import PNG, CustomerSite, wait_for

pytestmark = pytest.mark.slow

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def texts(lang: str) -> dict[str, str]:
    """The widget's own catalogue for ``lang`` (what the customer must see)."""
    path = routes_widget.WEB / "i18n" / f"{lang}.json"
    out: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return out


RUNS = [pytest.param("en", "sqlite", WIDE, id="en-sqlite"),
        pytest.param("fa", "sqlite", PHONE, id="fa-360px-sqlite"),
        pytest.param("fa", "postgresql", PHONE, id="fa-360px-postgresql")]


@pytest.mark.parametrize(("lang", "backend", "viewport"), RUNS)
def test_a_whole_chat_in_the_widget_against_the_real_server(
        lang: str, backend: str, viewport: dict[str, int], browser: Any, shot: Any, tmp_path: Path) -> None:
    t = texts(lang)
    num = (lambda n: str(n).translate(PERSIAN_DIGITS)) if lang == "fa" else str
    with database(backend, tmp_path) as db_url:
        # the customer's site is another origin; the centre allows it for CORS as docs/webchat.md says
        site = _site_on_free_port()
        try:
            with real_centre(db_url, tmp_path, site.url) as centre:
                site.centre_url = centre.url
                _check_cors(centre.url, site.url)
                _scenario(centre, site, browser, shot, lang, t, num, viewport, f"live-{lang}-{backend}")
        finally:
            site.stop()


def _site_on_free_port() -> CustomerSite:
    """The customer's page, started before the server (whose CORS setting names its origin)."""
    site = CustomerSite("")
    site.start()
    return site


def _check_cors(server: str, origin: str) -> None:
    """The browser's pre-flight for the session POST is answered for the site's origin, refused for others."""
    pre = httpx.options(f"{server}/api/webchat/default/sessions",
                        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                 "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin, pre.headers
    other = httpx.options(f"{server}/api/webchat/default/sessions",
                          headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    js = httpx.get(f"{server}/widget.js")
    assert js.status_code == 200 and js.headers["cross-origin-resource-policy"] == "cross-origin"


def _scenario(centre: Centre, site: CustomerSite, browser: Any, shot: Any, lang: str, t: dict[str, str],
              num: Any, viewport: dict[str, int], name: str) -> None:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page: Page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # every request the widget makes to the centre must succeed (the customer's own page is not ours)
    page.on("response", lambda r: problems.append(f"{r.status} {r.request.method} {r.url}")
            if r.url.startswith(centre.url) and r.status >= 400 else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.method} {r.url}")
            if r.url.startswith(centre.url) else None)
    agent: Agent | None = None
    try:
        # the customer read an article in the help centre first (same host: its cookie reaches the site's page)
        since = time.time() - 1
        centre.admin.ok("PUT", f"/api/kb/articles/read-bill/{lang}", {"title": "Bill", "body": "Your bill.",
                                                                      "status": "published"})
        page.goto(f"{centre.url}/help/{lang}/read-bill")
        page.goto(f"{site.url}/?instance=default" + ("&lang=fa" if lang == "fa" else ""))
        direction = page.locator(".root").evaluate("e => getComputedStyle(e).direction")
        assert direction == ("rtl" if lang == "fa" else "ltr")

        # pre-chat
        page.locator(".launcher").click()
        expect(page.locator("#bcc-title")).to_have_text("Northwind Energy")
        customer = "مریم رضایی" if lang == "fa" else "Alice Doe"
        page.locator("#bcc-name").fill(customer)
        page.locator("#bcc-email").fill("alice@example.org")
        page.locator("#bcc-topic").select_option("billing")
        shot(page, f"{name}-prechat")
        page.locator("form.form button[type=submit]").click()
        expect(page.locator("#bcc-message")).to_be_visible()
        # the chat named the help-centre visit: it did not deflect, and its article was read before the contact
        figures = centre.admin.ok("GET", f"/api/kb/figures?start={since}&end={time.time() + 60}")
        assert (figures["sessions"], figures["deflected"]) == (1, 0), figures
        assert [(a["id"], a["contacts"]) for a in figures["viewed_before_contact"]] == [("read-bill", 1)]

        # the first message creates the conversation; nobody is available: the queue position shows
        first = "سلام، قبض من اشتباه است." if lang == "fa" else "Hello, my bill looks wrong."
        _send(page, first)
        expect(_own(page, first).locator(".mark")).to_have_attribute("data-status", "sent")
        expect(page.locator(".queue")).to_contain_text(t["queue_position"].replace("{position}", num(1)))
        shot(page, f"{name}-queued")

        # the agent logs in, available with chat capacity, and accepts the offer
        agent = Agent(centre.url)
        agent.post("/api/agent/login", {"status": "available"})
        offer = agent.socket.wait(lambda f: f.get("stream") == "offer", what="the chat's offer")
        contact_id = offer["contact_id"]
        agent.post(f"/api/agent/contacts/{contact_id}/accept")
        expect(page.locator(".head .agent")).to_have_text(t["chatting_with"].replace("{name}", "Ann"))
        expect(page.locator(".queue")).to_have_count(0)
        # what was sent while queued is now with the agent (as the server's welcome says after a reload)
        expect(_own(page, first).locator(".mark")).to_have_attribute("data-status", "delivered")
        history = agent.rest.get(f"/api/contacts/{contact_id}/messages")["messages"]
        assert [m["body"] for m in history] == [first]

        # the customer's message reaches the agent, and is marked delivered in the widget
        second = "شماره اشتراک من ۱۲۳۴ است." if lang == "fa" else "My account number is 1234."
        _send(page, second)
        got = agent.socket.event("MessageReceived", contact_id=contact_id, body=second)
        expect(_own(page, second).locator(".mark")).to_have_attribute("data-status", "delivered")

        # the agent types, then replies: both show in the widget, and the widget reads the reply
        agent.post(f"/api/contacts/{contact_id}/typing", {"on": True})
        expect(page.locator(".typing")).to_have_text(t["typing"].replace("{name}", "Ann"))
        shot(page, f"{name}-typing")
        answer = "سلام، الان بررسی می‌کنم." if lang == "fa" else "Hi Alice, let me check your bill."
        reply = agent.post(f"/api/contacts/{contact_id}/messages", {"body": answer}, expect=201)
        theirs = page.locator("li.msg.theirs", has_text=answer)
        expect(theirs.locator(".who")).to_have_text("Ann")
        expect(page.locator(".typing")).to_have_text("")
        agent.socket.event("MessageDeliveryUpdated", message_id=reply["id"], status="read")

        # the agent reads the customer's messages: the widget's marks turn to read
        read = agent.post(f"/api/contacts/{contact_id}/read", {"message_id": got["message_id"]})
        assert len(read["read"]) == 2
        for body in (first, second):
            expect(_own(page, body).locator(".mark")).to_have_attribute("data-status", "read")
        _layout_fits(page, viewport)
        shot(page, f"{name}-chat")

        # a reload resumes the same conversation with its history, the agent still named
        page.reload()
        expect(page.locator("li.msg.theirs", has_text=answer)).to_be_visible()
        expect(_own(page, first)).to_be_visible()
        expect(_own(page, second).locator(".mark")).to_have_attribute("data-status", "read")
        expect(page.locator(".head .agent")).to_have_text(t["chatting_with"].replace("{name}", "Ann"))
        after = "ممنون!" if lang == "fa" else "Thanks, that was quick!"
        # with a photo: the upload is a cross-origin multipart POST with the session's bearer token
        page.locator("input[type=file]").set_input_files([{"name": "meter.png", "mimeType": "image/png",
                                                            "buffer": PNG}])
        expect(page.locator(".staged li")).to_have_text("meter.png")
        _send(page, after)
        expect(_own(page, after).locator(".attachment")).to_contain_text("meter.png")
        with_photo = agent.socket.event("MessageReceived", contact_id=contact_id, body=after)
        (photo,) = with_photo["attachments"]
        assert photo["name"] == "meter.png" and photo["size"] == len(PNG)
        with page.expect_download() as download:  # fetched back cross-origin with the bearer token
            _own(page, after).locator(".attachment").click()
        assert Path(download.value.path()).read_bytes() == PNG and download.value.suggested_filename == "meter.png"
        shot(page, f"{name}-resumed")

        # the agent ends; the customer rates 4 stars with a comment and asks for the transcript
        agent.post(f"/api/agent/contacts/{contact_id}/end")
        expect(page.locator(".ended .notice")).to_be_visible()
        page.locator(".star").nth(3).click()
        page.locator("#bcc-rate-comment").fill("عالی" if lang == "fa" else "Quick and kind.")
        expect(page.locator(".star.on")).to_have_count(4)
        page.get_by_role("button", name=t["rate_submit"]).click()
        expect(page.get_by_text(t["rate_thanks"])).to_be_visible()
        survey = wait_for_event(centre, "SurveyAnswered")
        assert (survey.contact_id, survey.survey, survey.score, survey.agent_id, survey.channel) == (
            contact_id, "csat", 4, "a1", "chat")
        assert survey.comment == ("عالی" if lang == "fa" else "Quick and kind.")
        report = centre.admin.get(f"/api/reports/digital?start={survey.at - 3600}&end={survey.at + 3600}"
                                  "&interval=day&group_by=agent&channel=chat")
        assert (report["total"]["csat_count"], report["total"]["csat_mean"], report["total"]["csat"]) == (1, 4, 1)
        expect(page.locator("#bcc-transcript-email")).to_have_value("alice@example.org")
        page.get_by_role("button", name=t["transcript_send"]).click()
        expect(page.get_by_text(t["transcript_sent"])).to_be_visible()
        wait_for(lambda: len(centre.smtp.received) == 1, 15, "the transcript was not mailed")
        mail = centre.smtp.received[0]
        assert mail.rcpt_tos == ["alice@example.org"]
        text = mail.message.get_content()
        assert f"{customer}: {first}" in text and f"Ann: {answer}" in text
        _layout_fits(page, viewport)
        shot(page, f"{name}-ended")
        assert problems == [], problems
    finally:
        if agent is not None:
            agent.close()
        context.close()


def wait_for_event(centre: Centre, kind: str) -> Any:
    found: list[Any] = []

    def seen() -> bool:
        found[:] = centre.events(kind)
        return len(found) == 1

    wait_for(seen, 15, f"no {kind} event in the server's store")
    return found[0]


def _send(page: Page, text: str) -> None:
    page.locator("#bcc-message").fill(text)
    page.locator("#bcc-message").press("Enter")


def _own(page: Page, text: str) -> Any:
    return page.locator("li.msg.own", has_text=text)


def _layout_fits(page: Page, viewport: dict[str, int]) -> None:
    """Nothing overflows the screen sideways; on a phone the panel fills it."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if viewport["width"] <= 480:
        box = page.locator(".panel").bounding_box()
        assert box is not None and (box["x"], box["width"]) == (0, viewport["width"])

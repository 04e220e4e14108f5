"""The agent desktop (/desktop) in Debian Chromium against the seeded live centre (tests/web/desktop_live.py):
sign in and take a chat offer in English (wide) and Persian (360 px, right to left), axe-core clean on the way;
and an offer that comes while the tab is hidden and frozen still arrives, rings and raises a notification."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_pages, routes_widget

from .axe import assert_accessible
from .desktop_live import PASSWORD, DesktopCentre, desktop_browser, desktop_centre, desktop_shot

__all__ = ["desktop_browser", "desktop_centre", "desktop_shot"]  # fixtures used below

pytestmark = pytest.mark.slow

WIDE = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 780}


def texts(lang: str) -> dict[str, str]:
    path = routes_widget.WEB / "i18n" / "desktop" / f"shell.{lang}.json"
    out: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return out


@contextmanager
def desk(browser: Any, centre: DesktopCentre, user: str, lang: str, viewport: dict[str, int],
         **context_args: Any) -> Iterator[Page]:
    """A signed-in desktop of ``user`` in ``lang``, logged in to its queues (available); signs out after."""
    if not (routes_pages.DESKTOP / "index.html").is_file():
        pytest.fail("the desktop is not built: run `make frontend`", pytrace=False)
    t = texts(lang)
    context = browser.new_context(viewport=viewport, locale="en-GB", **context_args)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(centre.desktop_url)
        page.get_by_label(texts("en")["lang.label"]).select_option(lang)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        page.get_by_label(t["signin.username"]).fill(user)
        page.get_by_label(t["signin.password"]).fill(PASSWORD)
        page.get_by_role("button", name=t["signin.submit"]).click()
        state = page.locator('[data-testid="agent-state"]')
        expect(state).to_contain_text(t["state.offline"])
        page.get_by_role("button", name=t["state.login"]).click()
        expect(state).to_contain_text(t["state.available"])
        yield page
        assert errors == [], errors
    finally:
        context.close()
        centre.agent(user).request("POST", "/api/agent/logout")


def counter(page: Page, name: str) -> int:
    """What the desktop recorded doing to get attention (``deskRings``, ``deskNotifications``)."""
    return int(page.evaluate(f"document.documentElement.dataset.{name} || '0'"))


@pytest.mark.parametrize(("user", "lang", "viewport"), [pytest.param("ann", "en", WIDE, id="en-wide"),
                                                         pytest.param("parisa", "fa", PHONE, id="fa-360px")])
def test_sign_in_and_take_a_chat_offer(user: str, lang: str, viewport: dict[str, int], desktop_browser: Any,
                                       desktop_centre: DesktopCentre, desktop_shot: Any) -> None:
    t = texts(lang)
    with desk(desktop_browser, desktop_centre, user, lang, viewport) as page:
        assert_accessible(page, what=f"the desktop, available ({lang})")
        text = "سلام، قبض من اشتباه است." if lang == "fa" else "Hello, my bill looks wrong."
        # a published article the customer's words find: suggested in the customer panel once accepted
        title, body = (("خواندن قبض", "هر **قبض** خدمات و بهای ماهانهٔ آن را نشان می‌دهد.") if lang == "fa"
                       else ("Read your bill", "Your **bill** lists each service and its monthly price."))
        desktop_centre.admin.ok("PUT", f"/api/kb/articles/read-bill/{lang}",
                                {"title": title, "body": body, "status": "published"})
        out = desktop_centre.new_contact("chat", "maria@example.org", text)
        offer = page.locator('[data-testid="offer"]')
        expect(offer).to_contain_text("Maria Lopez")  # the screen pop's customer
        expect(offer).to_contain_text(t["channel.chat"])
        expect(page.locator(".offers [aria-live=assertive]")).to_contain_text("Maria Lopez")
        assert counter(page, "deskRings") >= 1
        desktop_shot(page, f"live-{lang}-offer")
        assert_accessible(page, what=f"the desktop with an offer ({lang})")
        page.keyboard.press("Alt+A")
        expect(offer).to_have_count(0)
        expect(page.get_by_role("tab", name="Maria Lopez")).to_have_attribute("aria-selected", "true")
        expect(page.locator('[data-testid="agent-state"]')).to_contain_text(t["state.busy"])
        if viewport["width"] < 700:  # narrow: the customer panel is a drawer
            page.locator("button.drawer-toggle").click()
        kb = page.locator(".card.kb")
        expect(kb.get_by_role("heading", name=t["kb.title"])).to_be_visible()
        kb.get_by_role("button", name=title).click()
        expect(kb.get_by_role("article", name=title).locator("strong")).to_have_text(body.split("**")[1])
        desktop_shot(page, f"live-{lang}-accepted")
        assert_accessible(page, what=f"the desktop with a conversation open ({lang})")
        # the article's help-centre link into the reply, sent: opened, inserted and sent are recorded for the contact
        kb.get_by_role("button", name=t["kb.insert"]).click()  # on a phone this closes the drawer
        box = page.get_by_label(t["composer.label"])
        expect(box).to_have_value(re.compile(f"/help/{lang}/read-bill$"))
        box.press("Enter")
        expect(box).to_have_value("")
        uses = desktop_centre.admin.ok("GET", f"/api/kb/uses/{out['contact_id']}")
        wait = 0
        while len(uses) < 3 and wait < 50:  # the use records are sent without waiting (best effort)
            time.sleep(0.1)
            wait += 1
            uses = desktop_centre.admin.ok("GET", f"/api/kb/uses/{out['contact_id']}")
        assert [(u["article_id"], u["lang"], u["action"], u["agent"]) for u in uses] == [
            ("read-bill", lang, a, user) for a in ("open", "insert", "send")]
        agent = desktop_centre.agent(user)
        work = {w["contact_id"]: w["stage"] for w in agent.get("/api/agent")["work"]}
        assert work.get(out["contact_id"]) not in (None, "reserved"), work  # accepted on the server
        agent.ok("POST", f"/api/agent/contacts/{out['contact_id']}/wrapup",
                 {"disposition": "resolved", "notes": "done"})
        expect(page.get_by_role("tab")).to_have_count(0)


def test_an_offer_while_the_tab_is_hidden_and_frozen_still_arrives_and_rings(
        desktop_browser: Any, desktop_centre: DesktopCentre, desktop_shot: Any) -> None:
    with desk(desktop_browser, desktop_centre, "li", "en", WIDE, permissions=["notifications"]) as page:
        assert page.evaluate("Notification.permission") == "granted"
        rings, notes = counter(page, "deskRings"), counter(page, "deskNotifications")
        # the agent switches to another tab: hidden, then frozen by the browser (timers and tasks stop)
        page.evaluate("""() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
            Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
        out = desktop_centre.new_contact("chat", "reza@example.org", "Are you there?")
        assert out["offered_to"] == "a3", out  # Li is the only available agent
        time.sleep(3)  # a while in the background: the offer frame waits for the frozen page
        cdp.send("Page.setWebLifecycleState", {"state": "active"})  # the browser thaws it (still hidden)
        page.wait_for_function(f"Number(document.documentElement.dataset.deskRings || '0') > {rings}",
                               timeout=15_000)
        offer = page.locator('[data-testid="offer"]')
        expect(offer).to_contain_text("Reza Karimi")
        page.wait_for_function(  # a desktop notification, since the page is hidden (and allowed to notify)
            f"Number(document.documentElement.dataset.deskNotifications || '0') > {notes}", timeout=15_000)
        desktop_shot(page, "live-hidden-offer")
        li = desktop_centre.agent("li")
        li.ok("POST", f"/api/agent/contacts/{out['contact_id']}/accept")
        expect(offer).to_have_count(0)
        li.ok("POST", f"/api/agent/contacts/{out['contact_id']}/wrapup", {"disposition": "resolved", "notes": "done"})


def test_the_emergency_status_reaches_the_desktop_live(desktop_browser: Any, desktop_centre: DesktopCentre,
                                                      desktop_shot: Any) -> None:
    t = texts("fa")
    with desk(desktop_browser, desktop_centre, "parisa", "fa", PHONE) as page:
        banner = page.locator(".crisis-banner")
        expect(banner).to_have_count(0)
        desktop_centre.admin.ok("POST", "/api/crisis/emergency/*", {"on": True, "mode": "callback_only",
                                                                    "message": "خطوط تلفن قطع است"})
        try:
            expect(banner).to_contain_text(t["crisis.centre"])  # pushed on /ws/agent, no reload
            expect(banner).to_contain_text(t["crisis.mode.callback_only"])
            expect(banner).to_contain_text("خطوط تلفن قطع است")
            desktop_shot(page, "live-fa-emergency")
            assert_accessible(page, what="the desktop in an emergency (fa)")
        finally:
            desktop_centre.admin.ok("POST", "/api/crisis/emergency/*", {"on": False})
        expect(banner).to_have_count(0)

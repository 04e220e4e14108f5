"""The wallboard in Debian Chromium against the real server, in English (1280 px) and Persian (360 px): queue x
channel tiles and agents in natural order, live events change a tile in place without a reload (its DOM node
and a text selection survive), hold shows as its own state and resume returns to on-contact, the polite
summary, no sideways overflow with a long queue name, TV mode (button, ?tv=1, next view, exit), axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, Agent, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"
LONG = "International Customer Service Escalations and Complaints Department (Second Line)"


def wb_texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((CATALOGUES / f"wallboard.{lang}.json").read_text(encoding="utf-8"))
    return out


def configure(centre: Any) -> None:
    a = centre.admin
    a.ok("PUT", "/api/config/queues/escalations", {"name": LONG, "calendar_id": "always", "sl_target": 0.95})
    for n in (10, 2):  # natural order: agent2 before agent10
        a.ok("PUT", f"/api/config/agents/agent{n}", {"name": f"agent{n}", "queues": ["escalations"]})
    a.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})


def digit(lang: str, n: int) -> str:
    """``n`` in the UI language's digits (Persian: U+06F0 + n)."""
    return chr(0x06F0 + n) if lang == "fa" else str(n)


def tile(page: Page, key: str) -> Any:
    return page.locator(f'.wb-tiles [data-key="{key}"]')


def agents_table(page: Page) -> Any:
    """The wallboard's agents table (the IVR table is another ``table.data`` on the page)."""
    return page.locator("table.data").first


def agent_row(page: Page, name: str) -> Any:
    return agents_table(page).locator("tbody tr").filter(has=page.locator("th", has_text=name))


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})])
def test_wallboard_live_tiles_agents_hold_and_tv_mode(lang: str, viewport: dict[str, int], browser: Any,
                                                      tmp_path: Path) -> None:
    require_console()
    w = wb_texts(lang)
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        configure(centre)
        ann = Agent(centre.url)
        context, page, errors = console_page(browser, viewport)
        try:
            t = sign_in(page, centre.url, lang, "sue", PASSWORD)
            page.goto(f"{centre.url}/console/#/wallboard")
            expect(page.locator(".link")).to_have_text(t["link.online"])
            expect(page.locator(".topbar .clock .tz")).to_have_text("UTC")  # the centre's time zone
            nav = page.get_by_role("navigation", name=t["nav.label"])
            expect(nav.get_by_role("link", name=w["nav.wallboard"])).to_have_attribute("aria-current", "page")
            # no traffic yet: one tile per queue (all channels), agents in natural order, all offline
            expect(tile(page, "sales:*")).to_contain_text("Sales")
            expect(tile(page, "escalations:*")).to_contain_text(LONG)
            names = agents_table(page).locator("tbody th").all_inner_texts()
            assert names.index("agent2") < names.index("agent10"), names
            expect(agent_row(page, "Ann")).to_contain_text(w["wb.state.offline"])
            page.evaluate("window.__same_page = true")
            available = page.locator('[data-total="available"] dd')
            expect(available).to_have_text(digit(lang, 0))
            # a live event: Ann logs in available -> the total and her row change without a reload
            ann.post("/api/agent/login", {"status": "available"})
            expect(available).to_have_text(digit(lang, 1))
            expect(agent_row(page, "Ann")).to_contain_text(w["wb.state.available"])
            # Ann goes to aux, a chat comes in and waits: its queue x channel tile appears with the wait
            ann.post("/api/agent/status", {"status": "aux", "reason": "break"})
            chat = centre.admin.ok("POST", "/api/contacts", {"channel": "chat"}, expect=201)
            chat_tile = tile(page, "sales:chat")
            expect(chat_tile.locator('[data-fig="waiting"]')).to_have_text(digit(lang, 1))
            expect(chat_tile).to_contain_text(w["wb.channel.chat"])
            expect(page.locator(".wb-summary")).to_have_attribute("aria-live", "polite")
            # select the tile's title: the next frames change figures in place (same node, selection kept)
            chat_tile.evaluate("""e => { e.__mark = 1; const r = document.createRange();
                r.selectNodeContents(e.querySelector('h3'));
                getSelection().removeAllRanges(); getSelection().addRange(r); }""")
            ann.post("/api/agent/status", {"status": "available"})
            ann.socket.event("ContactOffered", contact_id=chat["contact_id"])
            ann.post(f"/api/agent/contacts/{chat['contact_id']}/accept")
            expect(chat_tile.locator('[data-fig="waiting"]')).to_have_text(digit(lang, 0))
            assert chat_tile.evaluate("e => e.__mark") == 1, "the tile was replaced, not updated"
            assert page.evaluate("getSelection().toString()") == "Sales"
            expect(agent_row(page, "Ann")).to_contain_text(w["wb.state.busy"])
            # hold is its own state; resume returns to on-contact
            ann.post(f"/api/agent/contacts/{chat['contact_id']}/hold")
            expect(agent_row(page, "Ann")).to_contain_text(w["wb.state.held"])
            expect(page.locator('[data-total="held"] dd')).to_have_text(digit(lang, 1))
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"wallboard-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"wallboard ({lang})")
            ann.post(f"/api/agent/contacts/{chat['contact_id']}/resume")
            expect(agent_row(page, "Ann")).to_contain_text(w["wb.state.busy"])
            assert page.evaluate("window.__same_page") is True  # never reloaded
            # TV mode: the button, then views one at a time; exit returns to the board
            page.get_by_role("button", name=w["wb.tv.enter"]).click()
            tv = page.get_by_role("region", name=w["wb.tv.label"])
            expect(tv).to_have_attribute("data-view", "queues")
            expect(tv.locator(".wb-tv-clock .tz")).to_have_text("UTC")  # the centre's clock, labelled
            expect(tv.locator('[data-key="sales:chat"]')).to_be_visible()
            assert "tv=1" in page.url
            tv.get_by_role("button", name=w["wb.tv.next"]).click()
            expect(tv).to_have_attribute("data-view", "agents")
            expect(tv.locator(".wb-card.st-held, .wb-card.st-busy").first).to_contain_text("Ann")
            page.screenshot(path=str(ARTIFACTS / f"wallboard-tv-{lang}-{viewport['width']}.png"))
            assert_accessible(page, what=f"wallboard TV mode ({lang})")
            tv.get_by_role("button", name=w["wb.tv.exit"]).click()
            expect(tv).to_have_count(0)
            # a bookmarked TV address opens TV mode (a kiosk), rotating the views named in it
            page.goto(f"{centre.url}/console/#/wallboard?tv=1&views=channels,queues")
            expect(page.get_by_role("region", name=w["wb.tv.label"])).to_have_attribute("data-view", "channels")
            assert errors == [], errors
        finally:
            context.close()
            ann.close()


def test_root_redirects_to_the_console(tmp_path: Path) -> None:
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        r = httpx.get(f"{centre.url}/", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/console/"
        assert httpx.get(f"{centre.url}/static/app.js").status_code == 404  # the old status page is gone
        assert httpx.get(f"{centre.url}/static/docs.js").status_code == 200  # /docs still uses it


def test_a_kiosk_link_signs_the_wallboard_in_and_leaves_the_address_bar(browser: Any, tmp_path: Path) -> None:
    """`/#token=...&refresh=...` (a kiosk's TV link, or single sign-on's answer): the console adopts the session
    (the refresh token is exchanged at once) and the tokens leave the address bar."""
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        configure(centre)
        tokens = httpx.post(f"{centre.url}/api/auth/token", json={"username": "sue", "password": PASSWORD}).json()
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
        page = context.new_page()
        try:
            page.goto(f"{centre.url}/#token={tokens['access_token']}&refresh={tokens['refresh_token']}")
            expect(page.locator(".wb-tiles [data-key='sales:*']")).to_be_visible()
            expect(page.locator(".who")).to_contain_text("sue")
            assert "token" not in page.url and page.url.endswith("/console/#/wallboard"), page.url
            no_horizontal_overflow(page)  # 1366 px with the long queue name
            # the handed-over refresh token was used (it rotates): presented again, it is refused
            again = httpx.post(f"{centre.url}/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            assert again.status_code == 401
        finally:
            context.close()


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})])
def test_a_large_centres_agents_table_shows_a_page_then_more(lang: str, viewport: dict[str, int], browser: Any,
                                                             tmp_path: Path) -> None:
    """With more than 100 agents the board shows the first 100 (the board re-renders every second), then more."""
    w = wb_texts(lang)
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        a = centre.admin
        a.ok("PUT", "/api/config/queues/escalations", {"name": "Escalations", "calendar_id": "always"})
        a.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        total = len(a.ok("GET", "/api/config/agents"))
        for n in range(104 - total):
            a.ok("PUT", f"/api/config/agents/x{n:03}", {"name": f"x{n:03}", "queues": ["escalations"]})
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        try:
            sign_in(page, centre.url, lang, "sue", PASSWORD)
            page.goto(f"{centre.url}/console/#/wallboard")
            rows = agents_table(page).locator("tbody tr")
            expect(rows).to_have_count(100, timeout=20_000)  # the first frame of a 104-agent board, on a busy machine
            more = page.get_by_role("button", name=w["wb.agents_more"].replace("{more}", digit(lang, 4))
                                    .replace("{hidden}", digit(lang, 4)))
            # the queue column names queues, not their ids
            expect(agent_row(page, "x000")).to_contain_text("Escalations")
            more.click()
            expect(rows).to_have_count(104)
            expect(more).to_have_count(0)
            no_horizontal_overflow(page)
        finally:
            context.close()

"""The supervisor's agent grid in Debian Chromium against the real server (English at 1280 px, Persian at
360 px): a supervisor sees agent a1's row among agents sorted naturally, filters by queue (in the URL), sees
the agent's own state change live in the same row (not replaced), forces a1 to aux through the confirmation
dialog (and the API agrees), and messages the agent: /ws/agent gets the frame and the agent's desktop shows
the banner with the supervisor's name; axe-core on the grid and on the dialog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, Agent, database, real_centre
from .console_support import no_horizontal_overflow, require_console

pytestmark = pytest.mark.slow
I18N = routes_widget.WEB / "i18n"


def catalogue(app: str, area: str, lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((I18N / app / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def sign_in(page: Page, url: str, app: str, lang: str, user: str) -> None:
    shell = catalogue(app, "shell", lang)
    page.goto(f"{url}/{app}/")
    page.locator(".lang-picker select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
    page.get_by_label(shell["signin.username"]).fill(user)
    page.get_by_label(shell["signin.password"]).fill(PASSWORD)
    page.get_by_role("button", name=shell["signin.submit"]).click()


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 800}),
                                                ("fa", {"width": 360, "height": 780})])
def test_supervisor_forces_a_state_and_messages_an_agent(lang: str, viewport: dict[str, int], browser: Any,
                                                         tmp_path: Path) -> None:
    require_console()
    t = catalogue("console", "grid", lang)
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/config/agents/a2", {"name": "agent2", "queues": ["sales"]})
        admin.ok("PUT", "/api/config/agents/a10", {"name": "agent10", "queues": []})
        ann = Agent(centre.url)
        ann.post("/api/agent/login", {"status": "available"})
        console = browser.new_context(viewport=viewport, locale="en-GB")
        desk = browser.new_context(viewport=viewport, locale="en-GB")
        page, desktop = console.new_page(), desk.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            sign_in(page, centre.url, "console", lang, "sue")
            page.get_by_role("navigation").get_by_role("link", name=t["nav.agents"]).click()
            table = page.get_by_role("table", name=t["grid.caption"])
            row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Ann"))
            expect(row).to_contain_text(t["grid.state_available"])
            # the time in state ticks on its own
            clock = row.locator(".grid-time")
            expect(clock).not_to_have_text(clock.inner_text(), timeout=5000)
            # natural sort by name: agent2 before agent10
            names = table.get_by_role("rowheader").all_inner_texts()
            assert [n.split()[0] for n in names] == ["agent2", "agent10", "Ann"], names

            # the queue filter goes into the URL and narrows the rows
            page.get_by_label(t["grid.filter.queue"]).select_option("sales")
            page.get_by_role("button", name=t["grid.filter.apply"]).click()
            expect(page).to_have_url(f"{centre.url}/console/#/agents?queue=sales")
            expect(table.get_by_role("rowheader")).to_have_count(2)

            # the agent's own change arrives over /ws/supervisor into the same row element
            row.evaluate("el => { el.dataset.mark = 'kept'; }")
            ann.post("/api/agent/status", {"status": "aux", "reason": "lunch"})
            expect(row).to_contain_text(t["grid.reason_lunch"])
            ann.post("/api/agent/status", {"status": "available"})
            expect(row).to_contain_text(t["grid.state_available"])
            assert row.evaluate("el => el.dataset.mark") == "kept"  # updated in place, not replaced

            # force aux (break) through the confirmation dialog; Escape first closes without acting
            act = row.get_by_role("button", name=f"{t['grid.act']} Ann")
            act.click()
            dialog = page.get_by_role("dialog", name=t["grid.dialog_title"].replace("{name}", "Ann"))
            expect(dialog).to_be_visible()
            page.keyboard.press("Escape")
            expect(dialog).to_have_count(0)
            expect(act).to_be_focused()
            act.click()
            dialog.get_by_label(t["grid.action"]).select_option("aux")
            dialog.get_by_label(t["grid.reason"]).select_option("break")
            expect(dialog).to_contain_text(t["grid.confirm_aux"].replace("{name}", "Ann")
                                           .replace("{reason}", t["grid.reason_break"]))
            assert_accessible(page, what=f"agent grid dialog ({lang})")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"agent-grid-dialog-{lang}-{viewport['width']}.png"))
            dialog.get_by_role("button", name=t["grid.confirm"]).click()
            expect(dialog).to_have_count(0)
            expect(row).to_contain_text(t["grid.reason_break"])
            expect(page.get_by_role("status").filter(has_text=t["grid.done_state"].replace("{name}", "Ann"))) \
                .to_be_visible()
            state = admin.ok("GET", "/api/supervisor/agents/a1")
            assert (state["state"], state["reason"]) == ("aux", "break")

            # the agent's desktop is open; the supervisor sends a message
            sign_in(desktop, centre.url, "desktop", lang, "ann")
            expect(desktop.get_by_test_id("agent-state")).to_be_visible()  # its /ws/agent snapshot arrived
            act.click()
            dialog.get_by_label(t["grid.action"]).select_option("message")
            dialog.get_by_label(t["grid.message"]).fill("Please join the sales huddle")
            dialog.get_by_role("button", name=t["grid.confirm"]).click()
            expect(dialog).to_have_count(0)
            frame = ann.socket.event("SupervisorMessage", agent_id="a1")
            assert (frame["text"], frame["from"]) == ("Please join the sales huddle", "sue")
            supmsg = catalogue("desktop", "supmsg", lang)
            banner = desktop.get_by_role("alert").filter(has_text="Please join the sales huddle")
            expect(banner).to_contain_text("sue")
            expect(banner).to_contain_text(supmsg["supmsg.dismiss"])
            desktop.screenshot(path=str(ARTIFACTS / f"agent-grid-desktop-message-{lang}-{viewport['width']}.png"))
            banner.get_by_role("button", name=supmsg["supmsg.dismiss_from"].replace("{name}", "sue")).click()
            expect(banner).to_have_count(0)
            assert any(e["action"] == "agent_messaged" and e["actor"] == "sue" and e["target"] == "a1"
                       for e in admin.ok("GET", "/api/audit?action=agent_messaged"))

            # a contact offered to Ann shows in her row as it rings, then as handled once answered
            ann.post("/api/agent/status", {"status": "available"})
            expect(row).to_contain_text(t["grid.state_available"])
            cid = admin.ok("POST", "/api/contacts", {"channel": "voice"}, expect=201)["contact_id"]
            expect(row).to_contain_text(t["grid.contact_ringing"])
            expect(row).to_contain_text(t["grid.contact_item"].replace("{channel}", t["grid.channel_voice"])
                                        .replace("{queue}", "sales"))
            ann.post(f"/api/agent/contacts/{cid}/accept")
            expect(row).to_contain_text(t["grid.state_busy"])
            expect(row).not_to_contain_text(t["grid.contact_ringing"])
            assert row.evaluate("el => el.dataset.mark") == "kept"

            # moving her contact to agent2, who is logged out: the server's refusal shows in the dialog
            act.click()
            dialog.get_by_label(t["grid.action"]).select_option("move")
            dialog.get_by_role("radio", name=t["grid.to_agent"]).check()
            dialog.get_by_label(t["grid.target_agent"], exact=True).select_option("a2")
            expect(dialog).to_contain_text(t["grid.confirm_move"].replace("{contact}", cid)
                                           .replace("{target}", "agent2"))
            dialog.get_by_role("button", name=t["grid.confirm"]).click()
            expect(dialog.get_by_role("alert")).to_contain_text("not logged in")
            page.keyboard.press("Escape")
            expect(dialog).to_have_count(0)
            assert any(e["action"] == "contact_moved" for e in admin.ok("GET", "/api/audit?action=contact_moved")) \
                is False  # refused: nothing moved, nothing audited
            page.screenshot(path=str(ARTIFACTS / f"agent-grid-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"agent grid ({lang})")
            assert errors == [], errors
        finally:
            console.close()
            desk.close()
            ann.close()

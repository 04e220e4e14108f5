"""The console's shell in Debian Chromium against the real server: sign-in (an agent is turned away), the
centre's clock labelled with its time zone, navigation by role, a view from the URL, the audit log, Persian
right to left, 360 px without overflow, and axe-core; its page and context routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from e2e.e2e_support import ADMIN_PASSWORD, Client

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, database, real_centre
from .console_support import CATALOGUES, console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 800}),
                                                ("fa", {"width": 360, "height": 780})])
def test_console_shell_signs_in_by_role_and_opens_views(lang: str, viewport: dict[str, int], browser: Any,
                                                        tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()  # agent a1 with the user ann
        context, page, errors = console_page(browser, viewport)
        try:
            # an agent is told the console is not for agents, and may sign out
            t = sign_in(page, centre.url, lang, "ann", PASSWORD)
            expect(page.get_by_role("alert")).to_contain_text("ann")
            page.get_by_role("button", name=t["signout"]).click()
            # the admin gets the shell; an empty path opens the first view the role may see
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            nav = page.get_by_role("navigation", name=t["nav.label"])
            expect(nav.get_by_role("link", name=t["nav.audit"])).to_be_visible()
            expect(page.locator(".clock .tz")).to_have_text("UTC")
            expect(page.locator(".link")).to_have_text(t["link.online"])  # the supervisor socket is live
            # the audit log lists the sign-ins, newest first; a filter in the URL narrows it
            page.goto(f"{centre.url}/console/#/admin/audit?actor=admin")
            table = page.get_by_role("table", name=t["audit.caption"])
            expect(table.locator("tbody tr").first).to_contain_text("admin")
            # the action in words (the API's name beside it, for the filter)
            acts = json.loads((CATALOGUES / f"actions.{lang}.json").read_text(encoding="utf-8"))
            signed_in = table.locator("tbody tr").filter(has_text=acts["act.login_succeeded"]).first
            expect(signed_in.locator("code[dir=ltr]")).to_have_text("login_succeeded")
            expect(nav.get_by_role("link", name=t["nav.audit"])).to_have_attribute("aria-current", "page")
            assert page.title().startswith(t["nav.audit"])
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"console-shell-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"console shell ({lang})")
            assert errors == [], errors
        finally:
            context.close()


def test_console_page_and_context_routes(tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()
        r = httpx.get(f"{centre.url}/console", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/console/"
        page = httpx.get(f"{centre.url}/console/")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert httpx.get(f"{centre.url}/console/assets/..%2f..%2fsecrets").status_code == 404
        assert httpx.get(f"{centre.url}/api/console/context").status_code == 401
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            assert ann.http.get("/api/console/context").status_code == 403
        finally:
            ann.close()
        ctx = centre.admin.ok("GET", "/api/console/context")
        assert ctx == {"timezone": "UTC", "username": "admin", "role": "admin", "sip_enabled": False}

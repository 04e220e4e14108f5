"""The console's crisis page in Debian Chromium against the real server (English at 1280 px, Persian at 360 px):
normal operation, the one switch turning a queue's emergency mode on (the server's status and the wallboard say
so, the audit trail names who), and off again; axe-core on each state, no sideways scroll."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_support import ADMIN_PASSWORD

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import database, real_centre
from .console_support import CATALOGUES, console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
VIEWPORTS = [("en", {"width": 1280, "height": 900}), ("fa", {"width": 360, "height": 780})]


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "crisis"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}-{lang}-{width}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_the_emergency_switch(lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()  # queue sales, agent a1
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            page.goto(f"{centre.url}/console/#/crisis")
            expect(page.get_by_role("heading", name=t["nav.crisis"], level=1)).to_be_visible()
            expect(page.get_by_text(t["crisis.normal"])).to_be_visible()
            assert_accessible(page, what=f"the crisis page, normal ({lang})")

            message = "خط تلفن قطع است" if lang == "fa" else "Our phone lines are down; please write to us."
            page.get_by_role("combobox", name=t["crisis.scope"]).select_option("sales")
            page.get_by_role("combobox", name=t["crisis.mode"]).select_option("closed")
            page.get_by_label(t["crisis.message"], exact=True).fill(message)
            page.get_by_role("button", name=t["crisis.switch_button"]).click()
            mode = page.locator(".crisis .mode")
            expect(mode).to_contain_text(t["crisis.mode.closed"])
            expect(mode).to_contain_text(message)
            (on,) = centre.admin.ok("GET", "/api/crisis/status")["emergency"]
            assert (on["scope"], on["mode"], on["message"], on["by"]) == ("sales", "closed", message, "admin")
            shot(page, "crisis-on", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the crisis page, emergency on ({lang})")

            page.goto(f"{centre.url}/console/#/wallboard")  # the wallboard says so too
            expect(page.locator(".wb-emergency")).to_contain_text(message, timeout=15_000)
            page.goto(f"{centre.url}/console/#/crisis")
            page.get_by_role("button", name=t["crisis.end"].replace("{scope}", "Sales")).click()
            expect(page.get_by_text(t["crisis.normal"])).to_be_visible()
            assert centre.admin.ok("GET", "/api/crisis/status")["emergency"] == []
            actions = [e["action"] for e in centre.admin.ok("GET", "/api/audit?limit=20")]
            assert "emergency_set" in actions and "emergency_cleared" in actions
            assert errors == []
        finally:
            context.close()

"""The console's temporary agents (a section of the Crisis page) in Debian Chromium against the real server
(English at 1280 px and 360 px, Persian at 360 px): a bad roster refused with its lines named, a good one
onboarded with the initial passwords shown once (one of them signs in), the batch listed with its expiry,
and removed in one step after confirming (the login stops working); axe-core on each state, no sideways scroll."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_support import ADMIN_PASSWORD

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import database, real_centre
from .console_support import CATALOGUES, console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
VIEWPORTS = [("en", {"width": 1280, "height": 900}), ("en", {"width": 360, "height": 780}),
             ("fa", {"width": 360, "height": 780})]
ROSTER = "name,login,skills,team\nLeila Karimi,leila@example.com,billing:5,\nPiotr Nowak,piotr,billing:2,\n"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "crisis", "tempagents"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}-{lang}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, Path("/tmp") / f"tempagents-{name}-{lang}-{width}.png")


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_onboard_and_remove_a_batch(lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()  # queue sales, agent a1
        centre.admin.ok("PUT", "/api/config/skills/billing", {"name": "Billing"})
        good, bad = tmp_path / "helpers.csv", tmp_path / "bad.csv"
        good.write_text(ROSTER, encoding="utf-8")
        bad.write_text("name,login,skills\nX,ann,billing:2\nY,y,cooking:1\n", encoding="utf-8")
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            page.goto(f"{centre.url}/console/#/crisis")
            expect(page.get_by_role("heading", name=t["temp.title"], level=2)).to_be_visible()
            expect(page.get_by_text(t["temp.none"])).to_be_visible()

            page.get_by_label(t["temp.file"]).set_input_files(str(bad))
            page.get_by_role("button", name=t["temp.import"]).click()
            notice = page.locator(".temp-agents [role=alert]")
            expect(notice).to_contain_text("line 2, login")
            expect(notice).to_contain_text("line 3, skills")
            assert centre.admin.ok("GET", "/api/temp-agents/batches") == []

            page.get_by_label(t["temp.file"]).set_input_files(str(good))
            page.get_by_label(t["temp.name"], exact=True).fill("Storm helpers")
            page.get_by_role("button", name=t["temp.import"]).click()
            creds = page.get_by_role("region", name=t["temp.credentials"])
            expect(creds).to_contain_text("piotr")
            expect(creds.locator("tbody tr")).to_have_count(2)
            password = creds.locator("tbody tr", has_text="piotr").locator("code").inner_text()
            (batch,) = centre.admin.ok("GET", "/api/temp-agents/batches")
            assert (batch["name"], batch["count"], batch["state"]) == ("Storm helpers", 2, "active")
            assert [a["skills"] for a in batch["agents"]] == [{"billing": 3}, {"billing": 2}]  # capped at 3
            signed = httpx.post(f"{centre.url}/api/auth/token", json={"username": "piotr", "password": password})
            assert signed.status_code == 200, signed.text
            row = page.locator(".temp-agents tbody tr", has_text="Storm helpers")
            expect(row).to_contain_text(t["temp.state.active"])
            shot(page, "tempagents-created", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"temporary agents, batch created ({lang}, {viewport['width']} px)")

            row.get_by_role("button", name=t["temp.remove"]).click()
            confirm = t["temp.confirm"].replace("{name}", "Storm helpers").replace("{count}", "2")
            expect(page.get_by_role("group", name=confirm)).to_be_visible()
            page.get_by_role("button", name=t["temp.confirm_yes"]).click()
            expect(row).to_contain_text(t["temp.state.removed"])
            expect(page.get_by_role("status").filter(has_text="Storm helpers")).to_be_visible()
            assert centre.admin.ok("GET", "/api/temp-agents/batches")[0]["state"] == "removed"
            refused = httpx.post(f"{centre.url}/api/auth/token", json={"username": "piotr", "password": password})
            assert refused.status_code == 401
            shot(page, "tempagents-removed", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"temporary agents, batch removed ({lang}, {viewport['width']} px)")
            assert errors == []
        finally:
            context.close()


def test_the_users_page_sets_the_addresses_crisis_messages_use(browser: Any, tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()  # user ann, agent a1
        context, page, errors = console_page(browser, {"width": 1280, "height": 900})
        try:
            sign_in(page, centre.url, "en", "admin", ADMIN_PASSWORD)
            t = texts("en") | json.loads((CATALOGUES / "admin.en.json").read_text(encoding="utf-8"))
            page.goto(f"{centre.url}/console/#/admin/users")
            page.get_by_role("button", name="ann", exact=True).click()
            form = page.get_by_role("form", name=t["adm.user_edit"].replace("{user}", "ann"))
            form.get_by_label(t["adm.user_email"]).fill("ann@example.com")
            form.get_by_label(t["adm.user_phone"]).fill("+44 20 7946 0000")
            form.get_by_role("button", name=t["adm.save"]).click()
            expect(page.get_by_role("status").filter(has_text="ann")).to_be_visible()
            ann = centre.admin.ok("GET", "/api/users/ann")
            assert (ann["email"], ann["phone"]) == ("ann@example.com", "+442079460000")
            form.get_by_label(t["adm.user_phone"]).fill("0123")  # not E.164: the server's message shows
            form.get_by_role("button", name=t["adm.save"]).click()
            expect(page.locator("[role=alert]")).to_contain_text("phone")
            assert centre.admin.ok("GET", "/api/users/ann")["phone"] == "+442079460000"
            assert_accessible(page, what="the users page with addresses")
            assert errors == []
        finally:
            context.close()

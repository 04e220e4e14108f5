"""The console's Problems page in Debian Chromium against the real server (English at 1280 px, Persian at 360 px):
calls wrapped up with a disposition, a problem opened from the form links them (backfill), the detail shows the
count chart, the contacts and the affected customers; the knowledge article is linked, the customers go to a
campaign's calling list (one number on the do-not-call list left out), the problem is resolved; axe-core, no
sideways scroll, no script error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_support import ADMIN_PASSWORD, Client

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, Centre, database, real_centre
from .console_support import CATALOGUES, console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
VIEWPORTS = [("en", {"width": 1280, "height": 900}), ("fa", {"width": 360, "height": 780})]
PHONES = ("+442079460101", "+442079460102", "+442079460103")


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "problems"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}-{lang}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, Path("/tmp") / f"problems-{name}-{lang}-{width}.png")


def handled_calls(centre: Centre) -> None:
    """Three calls (two from one number) and one other, each answered by a1 and wrapped up with a disposition."""
    agent = Client(centre.url, "ann", PASSWORD)
    try:
        agent.ok("POST", "/api/agent/login", {"status": "available"})
        for phone, disposition in ((PHONES[0], "line down"), (PHONES[1], "line down"), (PHONES[0], "line down"),
                                   (PHONES[2], "line down"), ("+442079460199", "billing")):
            cid = centre.admin.ok("POST", "/api/contacts", {"channel": "voice", "caller_id": phone},
                                  expect=201)["contact_id"]
            agent.ok("POST", f"/api/agent/contacts/{cid}/accept")
            agent.ok("POST", f"/api/agent/contacts/{cid}/end")
            agent.ok("POST", f"/api/agent/contacts/{cid}/wrapup", {"disposition": disposition})
    finally:
        agent.close()


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_a_problem_from_dispositions_to_campaign_list(lang: str, viewport: dict[str, int], browser: Any,
                                                     tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        handled_calls(centre)
        admin = centre.admin
        admin.ok("PUT", "/api/kb/articles/line-down/en", {"title": "Line down: what to tell callers",
                                                          "body": "Restart the router.", "status": "published"})
        admin.ok("PUT", "/api/campaigns/line-down", {"name": "Line down call-back", "mode": "preview",
                                                     "queue_id": "sales", "caller_id": "+14155550100"})
        admin.ok("POST", "/api/dnc/line-down/numbers", {"phone": PHONES[2]}, expect=201)
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            page.goto(f"{centre.url}/console/#/problems")
            expect(page.get_by_role("heading", name=t["nav.problems"], level=1)).to_be_visible()
            expect(page.get_by_text(t["problems.none"])).to_be_visible()
            title = "قطعی خط در شمال" if lang == "fa" else "Lines down in the north"
            page.get_by_label(t["problems.title"], exact=True).fill(title)
            page.get_by_label(t["problems.dispositions"]).fill("line down")
            page.get_by_label(t["problems.workaround"]).fill("Restart the router")
            page.get_by_role("button", name=t["problems.open_button"]).click()

            expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
            expect(page.get_by_role("heading", name=t["problems.linked"].replace("{n}", _n(lang, 4)))).to_be_visible()
            expect(page.locator("figure.chart rect")).not_to_have_count(0)
            customers = t["problems.customers"].replace("{n}", _n(lang, 3))
            expect(page.get_by_role("heading", name=customers)).to_be_visible()
            page.get_by_role("combobox", name=t["problems.article"]).select_option("line-down")
            page.get_by_role("button", name=t["problems.link_article"]).click()
            expect(page.locator(".facts")).to_contain_text("line-down")
            page.get_by_role("combobox", name=t["problems.campaign"]).select_option("line-down")
            page.get_by_role("button", name=t["problems.create_list"]).click()
            expect(page.locator(".done")).to_contain_text(_n(lang, 2))
            records = admin.ok("GET", "/api/campaigns/line-down/records")["records"]
            assert sorted(r["phone"] for r in records) == sorted(PHONES[:2])  # the DNC number left out
            shot(page, "problem", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"a problem's detail ({lang})")

            page.get_by_label(t["problems.resolution"]).fill("Exchange repaired")
            page.get_by_role("button", name=t["problems.resolve"]).click()
            expect(page.locator("h1 .status")).to_have_text(t["problems.status.resolved"])
            (problem,) = admin.ok("GET", "/api/problems")
            assert (problem["status"], problem["resolution"], problem["kb_article_id"], problem["contacts"]) == (
                "resolved", "Exchange repaired", "line-down", 4)
            page.get_by_role("link", name=t["problems.back"]).click()
            expect(page.get_by_role("link", name=title)).to_be_visible()
            shot(page, "problems", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the problems list ({lang})")
            assert errors == []
        finally:
            context.close()


def _n(lang: str, n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if lang == "fa" else str(n)

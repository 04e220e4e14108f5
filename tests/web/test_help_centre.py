"""The public help centre in Debian Chromium against the real server (English at 1280 px, Persian at 360 px):
published articles by category, a search, an article's page; axe-core on each, no sideways scroll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_accessible
from .conftest import ARTIFACTS
from .console.console_support import console_page, no_horizontal_overflow
from .live_centre import database, real_centre

pytestmark = pytest.mark.slow
VIEWPORTS = [("en", {"width": 1280, "height": 900}), ("fa", {"width": 360, "height": 780})]
ARTICLES = {
    "en": [("restart-router", "Restart your router", "internet",
            "Unplug the **router** for ten seconds, then plug it back in.\n\n- Wait for the green light\n- Try again"),
           ("read-bill", "Read your bill", "billing", "Your bill lists each service and its monthly price.")],
    "fa": [("restart-router", "راه‌اندازی دوباره مودم", "اینترنت",
            "مودم را ده ثانیه از برق بکشید و دوباره وصل کنید.\n\n- منتظر چراغ سبز بمانید\n- دوباره امتحان کنید"),
           ("read-bill", "خواندن صورتحساب", "صورتحساب", "صورتحساب شما هر سرویس و بهای ماهانهٔ آن را نشان می‌دهد.")],
}
SEARCH = {"en": "router", "fa": "مودم"}


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"help-{name}-{lang}-{width}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_help_centre_lists_searches_and_shows_articles(lang: str, viewport: dict[str, int], browser: Any,
                                                       tmp_path: Path) -> None:
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()
        for aid, title, category, body in ARTICLES[lang]:
            centre.admin.ok("PUT", f"/api/kb/articles/{aid}/{lang}", {"title": title, "category": category,
                                                                      "body": body, "status": "published"})
        centre.admin.ok("PUT", f"/api/kb/articles/draft-one/{lang}", {"title": "Draft", "body": "Not yet."})
        context, page, errors = console_page(browser, viewport)
        try:
            page.goto(f"{centre.url}/help?lang={lang}")
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
            for _, title, category, _ in ARTICLES[lang]:
                expect(page.get_by_role("heading", name=category)).to_be_visible()
                expect(page.get_by_role("link", name=title)).to_be_visible()
            expect(page.get_by_role("link", name="Draft")).to_have_count(0)
            shot(page, "home", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the help centre ({lang})")

            page.get_by_role("searchbox").fill(SEARCH[lang])
            page.get_by_role("searchbox").press("Enter")
            results = page.locator("ol.hits li")
            expect(results).to_have_count(1)
            expect(results.get_by_role("link")).to_have_text(ARTICLES[lang][0][1])
            shot(page, "search", lang, viewport["width"])
            assert_accessible(page, what=f"help search ({lang})")

            results.get_by_role("link").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLES[lang][0][1])
            expect(page.locator("article .body li")).to_have_count(2)  # the Markdown list
            shot(page, "article", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"a help article ({lang})")
            assert errors == []
        finally:
            context.close()


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_survey_page_answers_once(lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()
        contact = centre.admin.ok("POST", "/api/contacts", {"channel": "chat", "caller_id": "web-1", "text": "hi"},
                                  expect=201)
        link = centre.admin.ok("POST", "/api/surveys/invitations", {"contact_id": contact["contact_id"],
                                                                    "survey": "nps"}, expect=201)
        context, page, errors = console_page(browser, viewport)
        try:
            page.goto(f"{link['url']}?lang={lang}")
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
            expect(page.get_by_role("radio")).to_have_count(11)  # NPS: 0 to 10
            shot(page, "survey", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the survey page ({lang})")
            page.get_by_role("radio", name="9", exact=True).check()
            page.get_by_role("textbox").fill("ok")
            page.get_by_role("button").click()
            expect(page.get_by_role("status")).to_be_visible()
            shot(page, "survey-thanks", lang, viewport["width"])
            assert_accessible(page, what=f"the survey's thanks ({lang})")
            page.goto(f"{link['url']}?lang={lang}")
            expect(page.get_by_role("radio")).to_have_count(0)  # answered: no form any more
            assert errors == []
        finally:
            context.close()

"""The console's Knowledge base page in Debian Chromium against the real server (English at 1280 px, Persian at
360 px): an article written in the editor with the server's preview, published, found by the public help centre's
search in the same browser, a second version restored from the history, and the help-centre visit counted in the
figures; axe-core, no sideways scroll, no script error."""

from __future__ import annotations

import json
import shutil
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
ARTICLE = {
    "en": ("modem-lights", "What the modem lights mean", "network", "A **blinking** red light means the line is down."),
    "fa": ("modem-lights", "معنی چراغ‌های مودم", "شبکه", "چراغ قرمز **چشمک‌زن** یعنی خط قطع است."),
}
SEARCH = {"en": "modem lights", "fa": "مودم"}


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "kb"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}-{lang}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, Path("/tmp") / f"kbui-{name}-{lang}-{width}.png")


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_write_publish_and_find_an_article(lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    slug, title, category, body = ARTICLE[lang]
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            page.goto(f"{centre.url}/console/#/kb")
            expect(page.get_by_role("heading", name=t["nav.kb"], level=1)).to_be_visible()
            expect(page.get_by_text(t["kb.none"])).to_be_visible()
            page.get_by_role("button", name=t["kb.new"]).click()
            kb = page.locator("section.kb")
            kb.get_by_label(t["kb.slug"]).fill(slug)
            kb.get_by_label(t["kb.language"]).select_option(lang)
            kb.get_by_label(t["kb.title"], exact=True).fill(title)
            kb.get_by_label(t["kb.category"]).fill(category)
            kb.get_by_label(t["kb.body"]).fill(body + "\n\n<script>alert(1)</script>")
            page.get_by_role("button", name=t["kb.preview"]).click()
            preview = page.locator(".kb-preview")
            expect(preview.locator("strong")).to_have_count(1)
            expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
            kb.get_by_label(t["kb.status"]).select_option("published")
            page.get_by_role("button", name=t["kb.save"]).click()
            expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
            first = "\u06f1" if lang == "fa" else "1"  # Persian digits in Persian
            expect(kb.get_by_role("status")).to_have_text(t["kb.saved"].replace("{version}", first))
            # a second version, then the first restored from the history (saved as version 3)
            kb.get_by_label(t["kb.title"], exact=True).fill(title + " 2")
            page.get_by_role("button", name=t["kb.save"]).click()
            expect(page.locator(".kb-versions li")).to_have_count(2)
            page.get_by_role("button", name=t["kb.restore"]).click()
            expect(kb.get_by_label(t["kb.title"], exact=True)).to_have_value(title)
            page.get_by_role("button", name=t["kb.save"]).click()
            expect(page.locator(".kb-versions li")).to_have_count(3)
            shot(page, "kb-editor", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the article editor ({lang})")

            # the public help centre finds it (same browser: its visit is counted)
            help_page = context.new_page()
            help_page.goto(f"{centre.url}/help?lang={lang}")
            help_page.get_by_role("searchbox").fill(SEARCH[lang])
            help_page.get_by_role("searchbox").press("Enter")
            link = help_page.get_by_role("link", name=title, exact=True)
            expect(link).to_be_visible()
            link.click()
            expect(help_page.get_by_role("heading", name=title)).to_be_visible()
            assert any(c["name"] == "blendcc_help" for c in context.cookies())
            help_page.close()

            page.goto(f"{centre.url}/console/#/kb")
            page.reload()
            expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
            kb.get_by_label(t["kb.status"]).select_option("draft")
            expect(page.get_by_text(t["kb.none"])).to_be_visible()  # the filter: no draft
            kb.get_by_label(t["kb.status"]).select_option("")
            page.get_by_role("searchbox").fill(SEARCH[lang])
            page.get_by_role("button", name=t["kb.search_button"]).click()
            expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
            tiles = page.locator(".kb-tiles")
            one, hundred = ("\u06f1", "\u06f1\u06f0\u06f0\u066a") if lang == "fa" else ("1", "100%")  # Persian digits
            expect(tiles.locator("div").nth(0).locator("dd")).to_have_text(hundred)  # 1 session, deflected: 100 %
            expect(tiles.locator("div").nth(4).locator("dd")).to_have_text(one)  # 1 search
            shot(page, "kb", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"the knowledge base page ({lang})")
            assert errors == []
        finally:
            context.close()

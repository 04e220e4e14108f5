"""What the console's browser tests share: the shell's texts, sign-in, a page that records script errors,
the built-console check and the sideways-overflow check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from blendcc.api import routes_pages, routes_widget

CATALOGUES = routes_widget.WEB / "i18n" / "console"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = json.loads((CATALOGUES / f"shell.{lang}.json").read_text(encoding="utf-8"))
    return out


def sign_in(page: Page, url: str, lang: str, user: str, password: str) -> dict[str, str]:
    t = texts(lang)
    page.goto(f"{url}/console/")
    page.locator(".lang-picker select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
    page.get_by_label(t["signin.username"]).fill(user)
    page.get_by_label(t["signin.password"]).fill(password)
    page.get_by_role("button", name=t["signin.submit"]).click()
    return t


#: elements sticking out of the viewport sideways (tables scroll in their own box and are left out)
_WIDE = """() => { const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > w + 1 || r.left < -1) && !e.closest('.table-wrap'); })
    .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${(e.textContent || '').slice(0, 40)}`); }"""


def no_horizontal_overflow(page: Page) -> None:
    """The page does not scroll sideways once its layout has settled (fonts, data, a second frame)."""
    width = 0
    for _ in range(10):
        width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if width <= 1:
            return
        page.wait_for_timeout(300)
    assert width <= 1, f"the page scrolls sideways by {width} px: {page.evaluate(_WIDE)}"


def require_console() -> None:
    if not (routes_pages.CONSOLE / "index.html").is_file():
        pytest.fail("the console is not built: run `make frontend`", pytrace=False)


def console_page(browser: Any, viewport: dict[str, int], **options: Any) -> tuple[BrowserContext, Page, list[str]]:
    """A new browser context and page (British English locale) and the list its script errors go to."""
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors

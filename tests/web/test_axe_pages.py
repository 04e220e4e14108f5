"""axe-core (WCAG 2 A/AA) on the pages the server already has, in headless Chromium against a real
`blendcc serve --demo`: the console's sign-in and its live wallboard (``/`` opens the console) and the web-chat
widget's demo page (closed, and open on its pre-chat form, in English and in Persian). The helper itself is
shown to catch violations, so a clean page means something."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.demo.seed import centre
from e2e.e2e_support import Server, free_port

from .axe import assert_accessible, blocking, check_axe, describe
from .live_centre import INSTANCE

pytestmark = pytest.mark.slow

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo centre (seeded, light live traffic) serving `/` and `/demo/chat`."""
    path = tmp_path_factory.mktemp("axe")
    server = Server(f"sqlite:///{path / 'axe.db'}", path, ("--demo", "--demo-rate", "30"),
                    env={"BLENDCC_EMAIL_SMTP_PORT": str(free_port()),
                         "BLENDCC_EMAIL_ATTACHMENT_DIR": str(path / "attachments"),
                         "BLENDCC_WEBCHAT_ATTACHMENT_DIR": str(path / "chat-attachments"),
                         "BLENDCC_WEBCHAT": json.dumps({"default": INSTANCE})})
    try:
        yield server.start(timeout=60)
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDE, locale="en-GB")
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield p
        assert errors == [], errors
    finally:
        context.close()


def test_the_helper_reports_serious_violations_with_their_targets(page: Page) -> None:
    page.set_content("<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
                     "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' id='pic'>"
                     "<button id='nameless'></button><label>fine <input id='ok'></label></main></body></html>")
    found = {v["id"]: v for v in check_axe(page)}
    assert {"image-alt", "button-name"} <= set(found), found.keys()
    assert found["image-alt"]["targets"] == [["#pic"]]
    assert found["button-name"]["impact"] == "critical"
    assert "#nameless" in describe(blocking(list(found.values())))
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \[critical\].*#pic"):
        assert_accessible(page)
    assert check_axe(page, "label") == []  # a context limits the check to part of the page


def test_console_sign_in_and_live_wallboard(page: Page, demo: Server, shot: Any) -> None:
    page.goto(demo.url + "/#/wallboard")  # "/" redirects to the console (the fragment is kept)
    expect(page.locator("input[name=username]")).to_be_visible()
    assert page.url.startswith(demo.url + "/console/")
    assert_accessible(page, what="the console's sign-in")
    page.locator("input[name=username]").fill("super")
    page.locator("input[name=password]").fill("super")
    page.locator("form.signin-card button[type=submit]").click()
    expect(page.locator(".link-online")).to_be_visible(timeout=15_000)
    agents = page.locator(".wb table.data").first  # then the IVR table
    expect(agents.locator("tbody tr")).to_have_count(len(centre()["agents"]), timeout=15_000)
    expect(page.locator(".wb-tiles [data-key]").first).to_be_visible(timeout=15_000)
    shot(page, "axe-wallboard")
    assert_accessible(page, what="the live wallboard")


@pytest.mark.parametrize(("lang", "viewport"), [("en", WIDE), ("fa", PHONE)])
def test_widget_demo_page_closed_and_open(lang: str, viewport: dict[str, int], browser: Any, demo: Server,
                                          shot: Any) -> None:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{demo.url}/demo/chat?instance=default&lang={lang}")
        launcher = page.locator(".launcher")
        expect(launcher).to_be_visible(timeout=15_000)
        assert_accessible(page, what=f"the widget demo page ({lang}, chat closed)")
        launcher.click()
        expect(page.locator("#bcc-name")).to_be_visible()
        shot(page, f"axe-demo-{lang}-open")
        assert_accessible(page, what=f"the widget demo page ({lang}, pre-chat form)")
    finally:
        context.close()


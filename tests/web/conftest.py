"""Browser fixtures for the web-chat widget: headless Chromium (Playwright), the protocol stand-in of the
centre and a customer's site on another origin. Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blendcc.api import routes_widget

from .webchat_standin import Centre, CustomerSite

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _needs(ok: bool, message: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _needs(os.path.exists(CHROMIUM), f"{CHROMIUM} is not installed (Debian package chromium)")
    if not (routes_widget.DIST / "widget.js").is_file():  # the build is part of `make test`: never skipped
        pytest.fail("the widget is not built: run `make frontend`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def centre() -> Iterator[Centre]:
    c = Centre()
    c.start()
    yield c
    c.stop()


@pytest.fixture
def site(centre: Centre) -> Iterator[CustomerSite]:
    s = CustomerSite(centre.url)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def shot() -> Any:
    """``shot(page, name)``: a screenshot in test-artifacts/widget-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"widget-{name}.png"
        page.screenshot(path=str(path))
        return path

    return take

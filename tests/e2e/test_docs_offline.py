"""/docs in headless Chromium against a real server: Swagger UI renders from the server's own assets (no CDN,
under the server's Content-Security-Policy), the Authorize button takes a bearer token and "Try it out" works."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from e2e_support import ADMIN_PASSWORD, CHROMIUM, Client, Server, screenshot

pytestmark = pytest.mark.slow

RENDERED = ("document.querySelectorAll('.opblock').length > 50"
            " && !!document.querySelector('.btn.authorize')"
            " && getComputedStyle(document.querySelector('.opblock-summary-method')).color === 'rgb(255, 255, 255)'")
#: every resource the page loaded came from the server itself
LOCAL_ONLY = "performance.getEntriesByType('resource').every(e => e.name.startsWith(location.origin))"
ME = "#operations-auth-me_api_auth_me_get"


def test_docs_render_offline_and_try_it_out_works_with_the_bearer_token(tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (Debian package chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = Server(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path)
    try:
        server.start()
        token = Client(server.url, "admin", ADMIN_PASSWORD).token
        answered = (f"!!document.querySelector('{ME} .live-responses-table .response .response-col_status')"
                    f" && document.querySelector('{ME} .live-responses-table .response .response-col_status')"
                    f".textContent.trim() === '200'"
                    f" && document.querySelector('{ME} .live-responses-table').textContent"
                    f".includes('\"role\": \"admin\"')")
        png = screenshot(server.url + "/docs", tmp_path / "docs.png", ready_js=f"{LOCAL_ONLY} && {answered}", steps=[
            (RENDERED, f"ui.preauthorizeApiKey('HTTPBearer', {json.dumps(token)})"),  # what Authorize does
            (f"!!document.querySelector('{ME} .opblock-summary')",
             f"document.querySelector('{ME} .opblock-summary-control').click()"),
            (f"!!document.querySelector('{ME} .try-out__btn')",
             f"document.querySelector('{ME} .try-out__btn').click()"),
            (f"!!document.querySelector('{ME} .execute')", f"document.querySelector('{ME} .execute').click()"),
            (answered, f"document.querySelector('{ME} .live-responses-table').scrollIntoView()"),
        ])
    finally:
        server.stop()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1400, 900)
    assert len(png) > 30_000, "the screenshot is nearly blank"

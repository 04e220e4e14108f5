"""Smoke test of `blendcc serve --demo`: the seeded centre takes live traffic and the wallboard shows it."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_support import CHROMIUM, Client, Server, screenshot, wait_until

pytestmark = pytest.mark.slow

#: The wallboard is ready when it is live and shows every demo agent and some events.
WALLBOARD_READY = ("document.getElementById('conn').textContent === 'live'"
                   " && document.querySelectorAll('#agents tbody tr').length >= 10"
                   " && document.querySelectorAll('#queues tbody tr').length >= 5"
                   " && document.querySelectorAll('#feed li').length >= 3")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One demo server (seeded centre + traffic at 300 contacts/min) shared by this module's tests."""
    path = tmp_path_factory.mktemp("demo")
    server = Server(f"sqlite:///{path / 'demo.db'}", path, ("--demo", "--demo-rate", "300"))
    try:
        yield server.start()
    finally:
        server.stop()


def test_demo_traffic_is_offered_handled_and_wrapped_up(demo: Server) -> None:
    sup = Client(demo.url, "super", "super")

    def totals() -> dict[str, int]:
        queues = sup.get("/api/stats/live")["queues"]
        return {k: sum(q["today"][k] for q in queues) for k in ("offered", "handled")}

    wait_until(lambda: totals()["handled"] >= 5, 30.0, "demo agents to answer 5 contacts")
    assert totals()["offered"] >= totals()["handled"]
    agents = sup.get("/api/stats/live")["agents"]
    assert len(agents) == 10 and all(a["state"] != "offline" for a in agents), agents

    def wrapped() -> list[dict[str, object]]:
        closed = sup.get("/api/contacts?state=closed&limit=1000")
        return [c for c in closed if c["outcome"] == "completed" and c["disposition"]]

    done = wait_until(wrapped, 60.0, "a demo contact to be wrapped up with a disposition")
    assert done[0]["agent_id"] and done[0]["talk_s"] >= 5, done[0]


def test_status_page_is_served_and_renders_live_data(demo: Server, tmp_path: Path) -> None:
    page = httpx.get(demo.url + "/", timeout=5.0)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/static/app.js" in page.text and "login-form" in page.text
    for asset, kind in (("/static/app.js", "javascript"), ("/static/style.css", "text/css")):
        r = httpx.get(demo.url + asset, timeout=5.0)
        assert r.status_code == 200 and kind in r.headers["content-type"] and len(r.content) > 1000, asset
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed: run 'make system-deps' (Debian package chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)  # the browser is a required peer in CI, never skipped
        pytest.skip(message)
    login_shown = "!document.getElementById('login-view').hidden"
    png = screenshot(demo.url + "/", tmp_path / "wallboard.png", WALLBOARD_READY, steps=[
        (login_shown, sign_in("super", "wrong-password")),
        ("document.getElementById('login-error').textContent.includes('Wrong username')", sign_in("super", "super")),
    ])
    check_png(png)
    kiosk = screenshot(f"{demo.url}/#token={Client(demo.url, 'super', 'super').token}", tmp_path / "kiosk.png",
                       WALLBOARD_READY + " && !location.href.includes('token')")
    check_png(kiosk)


def sign_in(username: str, password: str) -> str:
    """JavaScript that fills in the sign-in form and submits it."""
    return (f"(() => {{ const f = document.getElementById('login-form');"
            f" f.username.value = {username!r}; f.password.value = {password!r}; f.requestSubmit(); }})()")


def check_png(png: bytes) -> None:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1400, 900)
    assert len(png) > 30_000, "the screenshot is nearly blank"


def test_demo_serves_the_chat_page_with_the_widget(demo: Server) -> None:
    page = httpx.get(demo.url + "/demo/chat", timeout=5.0)  # only with --demo (routes_widget)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<script src="/widget.js" data-instance="default"' in page.text
    script = httpx.get(demo.url + "/widget.js", timeout=5.0)
    assert script.status_code == 200 and script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "attachShadow" in script.text  # the built widget (make frontend), not a placeholder

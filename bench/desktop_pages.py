"""``--pages K`` of bench/desktop.py: K of the desktops are real headless Chromium pages of ``/desktop``.

Each page signs in through the desktop's own sign-in form (its own session and ``/ws/agent`` socket); a
MutationObserver reports every offer card the page renders (``[data-testid=offer]``, its heading's id names the
contact) through a Playwright binding, so the page's latency is POST sent -> the card with its screen pop on
screen. The bench's agent works the contact over REST, as with the simulated desktops.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CATALOGUE = Path(__file__).resolve().parent.parent / "src" / "blendcc" / "web" / "i18n" / "desktop" / "shell.en.json"
OBSERVER = """(() => {
  const seen = new Set();
  const check = () => {
    for (const h of document.querySelectorAll('[data-testid="offer"] h2[id^="offer-"]')) {
      const cid = h.id.slice("offer-".length);
      if (!seen.has(cid)) { seen.add(cid); window.benchOffer(cid); }
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
})();"""


class Pages:
    """A headless Chromium with one browser context (page) per signed-in desktop."""

    def __init__(self) -> None:
        self._stack = AsyncExitStack()
        self.browser: Any = None
        self.errors: list[str] = []

    async def __aenter__(self) -> Pages:
        from playwright.async_api import async_playwright

        pw = await self._stack.enter_async_context(async_playwright())
        self.browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.browser is not None:
            await self.browser.close()
        await self._stack.aclose()

    async def open(self, desktop_url: str, user: str, password: str,
                   on_offer: Callable[[str, float], None]) -> None:
        """Sign ``user`` in at ``desktop_url`` (already logged in to the queues over REST) and report each offer
        card it renders as ``on_offer(contact_id, perf_counter)``; returns once the page shows the agent
        available."""
        t: dict[str, str] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
        context = await self.browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        await context.expose_binding("benchOffer", lambda _source, cid: on_offer(str(cid), time.perf_counter()))
        await context.add_init_script(OBSERVER)
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{user}: {exc}"))
        await page.goto(desktop_url)
        await page.get_by_label(t["signin.username"]).fill(user)
        await page.get_by_label(t["signin.password"]).fill(password)
        await page.get_by_role("button", name=t["signin.submit"]).click()
        await page.locator('[data-testid="agent-state"]', has_text=t["state.available"]).wait_for(timeout=60_000)

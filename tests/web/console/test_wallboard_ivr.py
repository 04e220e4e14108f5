"""The wallboard's IVR table against the real server with the SIP edge, in Debian Chromium: a caller dials the
information line, hears the menu and hangs up without choosing; the supervisor's wallboard shows the call as
hung up in the IVR for that flow and number (English 1280 px, Persian 360 px), with no queue figure touched."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.e2e_support import ADMIN_PASSWORD, Client, wait_until

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..phone_support import PASSWORD, ThreadedCustomer, voice_centre_with
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in
from .test_wallboard import digit, wb_texts

pytestmark = pytest.mark.slow

#: 1: opening hours then goodbye (the flow ends the call); 2: a queue
INFO_FLOW = {
    "name": "Information line", "language": "en", "start": "top",
    "nodes": [
        {"id": "top", "kind": "menu", "prompt": {"text": "For opening hours press 1. For sales press 2."},
         "options": [{"key": "1", "next": "hours"}, {"key": "2", "next": "to-sales"}],
         "timeout_s": 20, "retries": 0, "on_failure": "bye"},
        {"id": "hours", "kind": "play", "prompt": {"text": "We are open from nine to five."}, "next": "bye"},
        {"id": "to-sales", "kind": "queue"},
        {"id": "bye", "kind": "hangup", "prompt": {"text": "Goodbye."}},
    ],
}


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})], ids=["en-1280", "fa-360"])
def test_a_caller_who_hangs_up_in_the_ivr_is_on_the_wallboard(lang: str, viewport: dict[str, int], browser: Any,
                                                               tmp_path: Path) -> None:
    require_console()
    w = wb_texts(lang)
    env = {"BLENDCC_IVR_NUMBERS": json.dumps({"info-line": "info"})}
    with voice_centre_with(tmp_path, rtp=(36100, 36300), env=env) as (server, sip_port):
        admin = Client(server.url, "admin", ADMIN_PASSWORD)
        admin.ok("PUT", "/api/config/ivr_flows/info", INFO_FLOW)
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        sue = Client(server.url, "sue", PASSWORD)
        customer = ThreadedCustomer(rtp=(36350, 36390))
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, server.url, lang, "sue", PASSWORD)
            page.goto(f"{server.url}/console/#/wallboard")
            table = page.get_by_role("table", name=w["wb.ivr.caption"])
            expect(table).to_contain_text(w["wb.ivr.none"])

            customer.call(sip_port, "+442079460012", dialled="info-line")
            wait_until(lambda: "answered" in customer.events, 15, "the IVR to answer")
            time.sleep(1.5)  # the menu plays; no key is pressed
            customer.hang_up()
            live = wait_until(lambda: (t := sue.ok("GET", "/api/stats/live/ivr")["total"])["ivr_calls"] and t, 15,
                              "the call to leave the IVR")
            assert (live["ivr_abandoned"], live["ivr_contained"], live["to_queue"]) == (1, 0, 0)
            assert all(q["today"]["offered"] == 0 for q in sue.ok("GET", "/api/stats/live")["queues"])

            # pushed to the open wallboard: the flow and number, one call, hung up in the IVR (100 %)
            row = table.locator("tbody tr").filter(has_text="info")
            expect(row).to_contain_text("info-line")
            hung_up = row.locator("td").nth(2)  # calls, to a queue, hung up in the IVR, ...
            expect(hung_up).to_contain_text(digit(lang, 1))
            expect(hung_up).to_contain_text(digit(lang, 1) + digit(lang, 0) * 2)  # 100 %
            ARTIFACTS.mkdir(exist_ok=True)
            table.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"console-wallboard-ivr-{lang}-{viewport['width']}.png"),
                            full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"wallboard with the IVR table ({lang})")
            assert errors == [], errors
        finally:
            customer.close()
            context.close()

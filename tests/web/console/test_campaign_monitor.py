"""The campaign monitor in Debian Chromium against the real server (SQLite): a running campaign with its list,
paused and resumed from the page (the server's campaign state follows), its penetration; English at 1280 px
and Persian at 360 px without sideways scroll; axe-core."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.api import routes_widget
from blendcc.domain.dialer_events import CallFailed, CallPlaced

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, Centre, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
CAMPAIGN = {"name": "Renewals", "mode": "predictive", "queue_id": "sales", "caller_id": "+14155550100",
            "abandon_cap": 0.03}
LIST = b"id,phone\nr1,+12125550101\nr2,+12125550102\nr3,+12125550103\n"


def dial_unanswered(centre: Centre, record_id: str) -> None:
    """One dial of the record that nobody answered, in the server's log (as the dialing loop records it)."""
    now = time.time()
    engine = make_engine(centre.server.database_url)
    try:
        SqlStore(engine).append([
            CallPlaced(at=now - 60, campaign_id="renew", call_id="k1", record_id=record_id, phone="+12125550101",
                       mode="predictive"),
            CallFailed(at=now - 30, campaign_id="renew", call_id="k1", record_id=record_id, outcome="no_answer")])
    finally:
        engine.dispose()


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "campaigns"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 800}),
                                                ("fa", {"width": 360, "height": 780})])
def test_a_campaign_is_paused_and_resumed_from_the_monitor(lang: str, viewport: dict[str, int], browser: Any,
                                                           tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/campaigns/renew", CAMPAIGN)
        admin.ok("PUT", "/api/campaigns/winback", {**CAMPAIGN, "name": "Win-back", "mode": "preview"})
        r = admin.http.post("/api/campaigns/renew/lists", content=LIST, headers={"content-type": "text/csv"})
        assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
        assert admin.ok("POST", "/api/campaigns/renew/start", {})["state"] == "running"
        dial_unanswered(centre, admin.ok("GET", "/api/campaigns/renew/records")["records"][0]["record_id"])

        def state() -> str:
            s: str = admin.ok("GET", "/api/campaigns/renew/state")["state"]
            return s

        digits = (lambda s: s.translate(PERSIAN)) if lang == "fa" else (lambda s: s)
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "sue", PASSWORD)
            t = texts(lang)
            nav = page.get_by_role("navigation", name=t["nav.label"])
            nav.get_by_role("link", name=t["nav.campaign_monitor"]).click()
            renew = page.get_by_role("article", name="Renewals")
            expect(renew.locator(".state")).to_have_text(t["campaigns.state.running"])
            expect(renew).to_contain_text(t["campaigns.mode.predictive"])
            # none of the 3 records dialled yet
            expect(renew).to_contain_text(t["campaigns.penetration_value"].format(
                dialled=digits("0"), total=digits("3"), pct=digits("0") + ("٪" if lang == "fa" else "%")))
            winback = page.get_by_role("article", name="Win-back")
            expect(winback.locator(".state")).to_have_text(t["campaigns.state.stopped"])
            expect(winback.get_by_role("button", name=t["campaigns.start_one"].format(name="Win-back"))).to_be_visible()
            # the dial of the last 24 hours, by outcome
            dials = page.get_by_role("table", name=t["campaigns.outcomes_caption"])
            expect(dials.get_by_role("columnheader", name=t["campaigns.outcome.no_answer"])).to_be_visible()
            expect(dials.locator("tbody tr").filter(has_text="Renewals").locator("td")).to_have_text(
                [digits("1"), digits("1")])
            penetration = page.get_by_role("table", name=t["campaigns.penetration_caption"])
            expect(penetration.locator("tbody tr").filter(has_text="Renewals")).to_contain_text(digits("3"))

            # pause from the page: the server's campaign is paused, the row says so and offers resume
            renew.get_by_role("button", name=t["campaigns.pause_one"].format(name="Renewals")).click()
            expect(renew.locator(".state")).to_have_text(t["campaigns.state.paused"])
            assert state() == "paused"
            expect(page.get_by_role("status").filter(has_text="Renewals")).to_be_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"console-campaigns-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"campaign monitor ({lang})")
            # resume: running again on the server
            renew.get_by_role("button", name=t["campaigns.resume_one"].format(name="Renewals")).click()
            expect(renew.locator(".state")).to_have_text(t["campaigns.state.running"])
            assert state() == "running"
            # a change made elsewhere (the API) shows without reloading the page
            admin.ok("POST", "/api/campaigns/renew/stop", {})
            expect(renew.locator(".state")).to_have_text(t["campaigns.state.stopped"], timeout=15_000)
            assert errors == [], errors
        finally:
            context.close()

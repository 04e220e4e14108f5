"""The intraday page in Debian Chromium against the real server (SQLite): four weeks of history give today's
forecast; today's contacts are offered against it in the chart and in the table, per 30 minutes, in the
centre's time zone; English at 1280 px and Persian at 360 px without sideways scroll; axe-core."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.api import routes_widget
from blendcc.domain import events as ev

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, Centre, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console, sign_in

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
#: history: a contact at minutes 1, 16, 31 and 46 of every hour (2 per half hour); today: one every 450 s
HISTORY_MINUTES = (1, 16, 31, 46)
TODAY_EVERY_S = 450


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "intraday"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def contact(cid: str, at: float) -> list[ev.Event]:
    wait, talk, acw = 5.0, 170.0, 30.0
    return [
        ev.ContactCreated(at=at, contact_id=cid, channel="voice", direction="inbound", customer_id=None, priority=5),
        ev.ContactQueued(at=at, contact_id=cid, queue_id="sales", channel="voice", step_index=0, priority=5),
        ev.ContactConnected(at=at + wait, contact_id=cid, agent_id="a1", queue_id="sales", channel="voice",
                            queued_at=at, wait_s=wait),
        ev.ContactEnded(at=at + wait + talk, contact_id=cid, agent_id="a1", queue_id="sales", reason="customer",
                        wrap_up_until=None),
        ev.WrapUpCompleted(at=at + wait + talk + acw, contact_id=cid, agent_id="a1", queue_id="sales",
                           channel="voice", queued_at=at, disposition=None, notes=None, talk_s=talk, hold_s=0.0,
                           acw_s=acw),
        ev.ContactClosed(at=at + wait + talk + acw, contact_id=cid, outcome="completed"),
    ]


def seed(centre: Centre, now: float) -> list[float]:
    """28 days of history in the server's database, and today's contacts (UTC, the centre's zone) up to now;
    returns today's arrival times."""
    midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events: list[ev.Event] = []
    for d in range(28, 0, -1):
        day = midnight - timedelta(days=d)
        for h in range(24):
            for m in HISTORY_MINUTES:
                at = (day + timedelta(hours=h, minutes=m)).timestamp()
                events += contact(f"h{d}-{h}-{m}", at)
    today = []
    at = now - 1
    while at >= midnight.timestamp():
        today.append(at)
        events += [e for e in contact(f"t{len(today)}", at) if e.at < now]
        at -= TODAY_EVERY_S
    engine = make_engine(centre.server.database_url)
    try:
        SqlStore(engine).append(events)
    finally:
        engine.dispose()
    return today


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 780})])
def test_intraday_shows_todays_offered_against_the_forecast(lang: str, viewport: dict[str, int], browser: Any,
                                                            tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        now = time.time()
        today = seed(centre, now)
        midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        first = sum(1 for at in today if at < midnight + 1800)  # today's contacts offered 00:00-00:30
        board = centre.admin.ok("GET", "/api/wfm/intraday/sales/board?interval=30")
        assert board["has_forecast"] and board["intervals"][0]["forecast"] == 2
        assert board["intervals"][0]["offered"] == first and board["totals"]["offered"] == len(today)
        digits = (lambda s: s.translate(PERSIAN)) if lang == "fa" else (lambda s: s)
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "sue", PASSWORD)
            t = texts(lang)
            nav = page.get_by_role("navigation", name=t["nav.label"])
            nav.get_by_role("link", name=t["nav.intraday"]).click()
            expect(page.get_by_role("heading", name=t["nav.intraday"], level=1)).to_be_visible()
            expect(page.get_by_label(t["intraday.queue"])).to_have_value("sales")
            # the combined table: 48 half hours, the first one offered against its forecast of 2
            table = page.get_by_role("table", name=t["intraday.caption"])
            expect(table.locator("tbody tr")).to_have_count(48)
            row = table.locator("tbody tr").first
            cells = row.locator("td")
            expect(cells.nth(0)).to_have_text(digits("2"))  # forecast
            expect(cells.nth(1)).to_have_text(digits(str(first)))  # offered
            # the chart of offered against forecast, and its figures as a table
            chart = page.locator("figure.chart").filter(has_text=t["intraday.chart.volume"])
            expect(chart.locator("svg rect").first).to_be_attached()
            chart.locator("summary").click()
            chart_row = chart.locator("tbody tr").first.locator("td")
            expect(chart_row.nth(0)).to_have_text(digits(str(first)))  # offered (bars)
            expect(chart_row.nth(1)).to_have_text(digits("2"))  # forecast (dashed line)
            tile = page.locator(".intraday-tiles .tile").first
            expect(tile.locator(".value")).to_contain_text(digits(str(len(today))))
            # another interval length is kept in the URL
            page.get_by_label(t["intraday.interval_length"]).select_option("60")
            expect(table.locator("tbody tr")).to_have_count(24)
            expect(table.locator("tbody tr").first.locator("td").nth(0)).to_have_text(digits("4"))
            assert "interval=60" in page.url
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"console-intraday-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"intraday ({lang})")
            assert errors == [], errors
        finally:
            context.close()

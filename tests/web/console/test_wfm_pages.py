"""The console's WFM pages in Debian Chromium against the real server (English at 1280 px, Persian at 360 px):
a forecast from a history file with its chart and backtest accuracy, the Erlang calculator giving the API's
answer, a schedule solved and published, adherence; axe-core on each page."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
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
HOURLY = [0] * 8 + [4, 8, 8, 6, 4, 6, 6, 4, 2, 1] + [0] * 6


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "wfm"):
        out |= json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return out


def history_csv(days: int = 56) -> str:
    """Identical weeks (eight by default) of hourly contacts (weekends at half), 180 s handle time."""
    start = date(2024, 1, 1)  # a Monday
    lines = ["interval_start,volume,aht_s"]
    for d in range(days):
        day = start + timedelta(days=d)
        for h, n in enumerate(HOURLY):
            lines.append(f"{day.isoformat()}T{h:02d}:00:00,{n // 2 if day.weekday() >= 5 else n},180")
    return "\n".join(lines) + "\n"


def shot(page: Page, name: str, lang: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}-{lang}-{width}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_wfm_pages_forecast_erlang_schedule_and_adherence(lang: str, viewport: dict[str, int], browser: Any,
                                                          tmp_path: Path) -> None:
    require_console()
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        centre.setup()  # queue sales, agent a1
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "admin", ADMIN_PASSWORD)
            t = texts(lang)
            nav = page.get_by_role("navigation", name=t["nav.label"])
            expect(nav.get_by_role("link", name=t["nav.wfm_forecast"])).to_be_visible()

            # forecast from a history file: the chart (history then forecast) and each model's backtest error
            csv = tmp_path / "history.csv"
            csv.write_text(history_csv(), encoding="utf-8")
            page.goto(f"{centre.url}/console/#/wfm/forecast")
            # the queue has no stored history yet: the server's message, not a chart
            expect(page.get_by_role("combobox", name=t["wfm.queue"], exact=True)).to_have_value("sales")
            page.get_by_role("button", name=t["wfm.fc.run"]).click()
            expect(page.get_by_role("alert")).to_contain_text("sales")
            expect(page.locator("figure.chart")).to_have_count(0)
            page.get_by_label(t["wfm.fc.source_file"], exact=True).check()
            # a year of history with 60 backtest origins runs as a background job for several seconds: its
            # progress shows, and Cancel stops it at its next model fit
            year = tmp_path / "year.csv"
            year.write_text(history_csv(364), encoding="utf-8")
            page.get_by_label(t["wfm.fc.file"], exact=True).set_input_files(str(year))
            page.get_by_label(t["wfm.fc.origins"], exact=True).fill("60")
            page.get_by_role("button", name=t["wfm.fc.run"]).click()
            expect(page.get_by_role("progressbar", name=t["wfm.fc.progress_label"])).to_be_visible()
            expect(page.locator(".job-progress progress[value]")).to_be_visible()  # fits counted as they run
            shot(page, "wfm-forecast-running", lang, viewport["width"])
            page.get_by_role("button", name=t["wfm.fc.cancel"]).click()
            expect(page.get_by_role("alert")).to_have_text(t["wfm.fc.cancelled"], timeout=60_000)
            expect(page.get_by_role("progressbar")).to_have_count(0)
            expect(page.locator("figure.chart")).to_have_count(0)
            (stopped, *_) = centre.admin.ok("GET", "/api/wfm/forecast/jobs")["jobs"]  # the newest first
            assert stopped["state"] == "cancelled", stopped
            assert stopped["progress"]["done"] < stopped["progress"]["total"]

            page.get_by_label(t["wfm.fc.file"], exact=True).set_input_files(str(csv))
            page.get_by_label(t["wfm.fc.origins"], exact=True).fill("2")
            page.get_by_label(t["wfm.fc.horizon"], exact=True).fill("7")
            page.get_by_role("button", name=t["wfm.fc.run"]).click()
            chart = page.locator("figure.chart").first
            # the backtest fits every model several times: allow for a slow machine
            expect(chart.locator("figcaption")).to_have_text(t["wfm.fc.chart"], timeout=90_000)
            expect(chart.locator(".series.dashed polyline").first).to_be_visible()  # the forecast line
            points = [{"interval_start": r.split(",")[0], "volume": int(r.split(",")[1]), "aht_s": 180}
                      for r in history_csv().splitlines()[1:]]
            api = centre.admin.ok("POST", "/api/wfm/forecast", {"points": points, "interval_min": 60,
                                                                "horizon": "7d", "origins": 2, "tz": "UTC"})
            (series,) = api["series"]
            accuracy = page.locator("ul.accuracy li")
            expect(accuracy).to_contain_text(series["model"])
            backtest = page.get_by_role("table", name=t["wfm.fc.backtest_caption"])
            expect(backtest.locator("tbody tr")).to_have_count(len(series["backtest"]["models"]))
            expect(backtest).to_contain_text(t["wfm.fc.chosen_yes"])
            done = centre.admin.ok("GET", "/api/wfm/forecast/jobs")["jobs"][0]
            assert done["state"] == "done" and done["progress"]["done"] == done["progress"]["total"] > 0
            # a staffing plan from the forecast, kept for the schedule page
            page.get_by_role("button", name=t["wfm.fc.plan"]).click()
            expect(page.get_by_role("status").filter(has_text=t["wfm.fc.plan_saved"])).to_be_visible()
            shot(page, "wfm-forecast", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"forecast ({lang})")

            # the Erlang calculator gives the number the API gives, Erlang C then Erlang A
            page.goto(f"{centre.url}/console/#/wfm/staffing")
            page.get_by_label(t["wfm.er.calls"], exact=True).fill("120")
            page.get_by_label(t["wfm.er.aht_s"], exact=True).fill("240")
            page.get_by_role("button", name=t["wfm.er.calculate"]).click()
            want = centre.admin.ok("POST", "/api/wfm/erlang", {"calls": 120, "interval_min": 30, "aht_s": 240,
                                                               "sl_target": 0.8, "sl_threshold_s": 20})
            expect(page.locator('[data-figure="required"]')).to_have_attribute("data-value", str(want["required"]))
            expect(page.locator('[data-figure="model"]')).to_have_text(want["model"])
            page.get_by_label(t["wfm.er.patience_s"], exact=True).fill("60")
            page.get_by_role("button", name=t["wfm.er.calculate"]).click()
            want_a = centre.admin.ok("POST", "/api/wfm/erlang", {"calls": 120, "interval_min": 30, "aht_s": 240,
                                                                 "sl_target": 0.8, "sl_threshold_s": 20,
                                                                 "patience_s": 60})
            assert want_a["model"] != want["model"]
            expect(page.locator('[data-figure="model"]')).to_have_text(want_a["model"])
            expect(page.locator('[data-figure="required"]')).to_have_attribute("data-value", str(want_a["required"]))
            shot(page, "wfm-erlang", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"Erlang calculator ({lang})")
            # a bad input is the server's message, not a crash
            page.get_by_label(t["wfm.er.aht_s"], exact=True).fill("0")
            page.get_by_role("button", name=t["wfm.er.calculate"]).click()
            expect(page.get_by_role("alert")).to_contain_text("aht_s")

            # schedules: a flat day of 1 agent 09:00-17:00 -> a1's shift; publish; it is listed as published
            page.goto(f"{centre.url}/console/#/wfm/schedules")
            page.get_by_label(t["wfm.sc.flat"], exact=True).check()
            page.get_by_label(t["wfm.sc.from"], exact=True).fill("09:00")
            page.get_by_label(t["wfm.sc.to"], exact=True).fill("17:00")
            page.get_by_label(t["wfm.sc.agents_needed"], exact=True).fill("1")
            expect(page.get_by_label(t["wfm.sc.agents"], exact=True)).to_have_value(re.compile('"id": "a1"'))
            page.get_by_label(t["wfm.sc.time_limit"], exact=True).fill("5")
            page.get_by_role("button", name=t["wfm.sc.solve"]).click()
            solution = page.get_by_role("table", name=t["wfm.sc.solution"])
            expect(solution.locator("tbody tr").first).to_contain_text("a1", timeout=30_000)
            expect(solution).to_contain_text(t["wfm.activity.work"])
            page.get_by_role("button", name=t["wfm.sc.publish"]).click()
            expect(page.locator(".banner.ok")).to_be_visible()
            published = page.get_by_role("table", name=t["wfm.sc.published_caption"])
            expect(published.locator("tbody")).to_contain_text(t["wfm.activity.work"])
            shot(page, "wfm-schedules", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"schedules ({lang})")

            # adherence of the day per agent, and who is out of adherence now
            page.goto(f"{centre.url}/console/#/wfm/adherence")
            table = page.get_by_role("table", name=t["wfm.ad.caption"])
            expect(table.locator("tbody")).to_contain_text("a1")
            expect(page.get_by_role("heading", name=t["wfm.ad.alerts_h"])).to_be_visible()
            shot(page, "wfm-adherence", lang, viewport["width"])
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"adherence ({lang})")
            assert errors == [], errors
        finally:
            context.close()


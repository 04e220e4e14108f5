"""The reports page in Debian Chromium against the real server: a supervisor runs a report on a centre with one
handled contact, sees the figure, exports CSV and XLSX (real downloads, read back), saves the definition and
reopens it, drills down to the contact and its event timeline, then runs the dispositions' Pareto; English at
1280 px and Persian at 360 px, axe."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from blendcc.api import routes_widget
from e2e.e2e_support import Client

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console

pytestmark = pytest.mark.slow
CATALOGUES = routes_widget.WEB / "i18n" / "console"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "reports"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 800})])
def test_supervisor_runs_exports_saves_and_drills_down(lang: str, viewport: dict[str, int], browser: Any,
                                                       tmp_path: Path) -> None:
    require_console()
    t = texts(lang)
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            ann.ok("POST", "/api/agent/login", {"status": "available"})
            made = admin.ok("POST", "/api/contacts", {"channel": "voice"}, expect=201)
            cid = made["contact_id"]
            assert made["offered_to"] == "a1"
            for action in ("accept", "end"):
                ann.ok("POST", f"/api/agent/contacts/{cid}/{action}")
            ann.ok("POST", f"/api/agent/contacts/{cid}/wrapup", {"disposition": "resolved"})
        finally:
            ann.close()

        context, page, errors = console_page(browser, viewport, accept_downloads=True)
        try:
            page.goto(f"{centre.url}/console/")
            page.locator(".lang-picker select").select_option(lang)
            page.get_by_label(t["signin.username"]).fill("sue")
            page.get_by_label(t["signin.password"]).fill(PASSWORD)
            page.get_by_role("button", name=t["signin.submit"]).click()
            nav = page.get_by_role("navigation", name=t["nav.label"])
            nav.get_by_role("link", name=t["nav.reports"]).click()
            # today, by queue, per day (the defaults): run it and see the handled contact
            page.get_by_label(t["rep.by"]).select_option("queue")
            page.get_by_label(t["rep.grain"]).select_option("day")
            page.get_by_role("button", name=t["rep.run"]).click()
            table = page.get_by_role("table", name=t["rep.caption"].replace("{by}", t["rep.by.queue"]))
            row = table.locator("tbody tr").filter(has_text="Sales")
            expect(row).to_have_count(1)
            handled = row.locator('a[href*="kpi=handled"]')
            one = "1" if lang == "en" else "\u06f1"  # the UI language's digits (Persian one)
            expect(handled).to_have_text(one)
            expect(page.locator(".chart svg")).to_be_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"console-reports-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"reports ({lang})")

            # exports: the same figures in a CSV and an XLSX file
            with page.expect_download() as got:
                page.get_by_role("button", name=t["rep.export_csv"]).click()
            rows = list(csv.DictReader(Path(got.value.path()).read_text(encoding="utf-8").splitlines()))
            sales = next(r for r in rows if r["key"] == "sales")
            assert (sales["offered"], sales["handled"], sales["service_level"]) == ("1", "1", "1.0")
            assert got.value.suggested_filename.endswith(".csv")
            with page.expect_download() as got:
                page.get_by_role("button", name=t["rep.export_xlsx"]).click()
            assert got.value.suggested_filename.endswith(".xlsx")
            ws = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
            assert ws is not None and "UTC" in str(ws["A1"].value)
            header = [c.value for c in ws[4]]
            assert ws.cell(5, 2).value == "sales" and ws.cell(5, header.index("handled") + 1).value == 1

            # save the definition, leave, and open it again
            page.get_by_label(t["rep.save_name"]).fill("Daily sales")
            page.get_by_role("button", name=t["rep.save"], exact=True).click()
            expect(page.get_by_role("status").filter(has_text="Daily sales")).to_be_visible()
            page.goto(f"{centre.url}/console/#/reports")
            expect(page.get_by_text(t["rep.intro"])).to_be_visible()
            expect(page.locator(".rep-defs select")).to_have_value(
                admin.get("/api/reports/definitions")[0]["id"])
            page.get_by_role("button", name=t["rep.open"]).click()
            expect(table.locator('a[href*="kpi=handled"]').first).to_be_visible()
            assert "def=" in page.url and "grain=day" in page.url

            # drill down: the figure -> its contact -> the contact's timeline
            table.locator("tbody tr").filter(has_text="Sales").locator('a[href*="kpi=handled"]').click()
            contacts = page.get_by_role("table", name=t["rep.contacts_caption"].replace("{n}", one))
            contacts.get_by_role("link", name=cid).click()
            timeline = page.get_by_role("table", name=t["rep.timeline_caption"])
            expect(timeline.get_by_role("rowheader", name="ContactConnected")).to_be_visible()
            expect(page.get_by_text("resolved").first).to_be_visible()
            assert "reports/contacts/" in page.url and "kpi=handled" in page.url  # bookmarkable
            page.screenshot(path=str(ARTIFACTS / f"console-reports-timeline-{lang}-{viewport['width']}.png"),
                            full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"contact timeline ({lang})")
            page.get_by_role("link", name=t["rep.back_contacts"]).click()
            expect(contacts).to_be_visible()

            # dispositions in Pareto order: the one wrap-up's code, its count, the Pareto chart
            nav.get_by_role("link", name=t["nav.reports"]).click()
            expect(page.get_by_label(t["rep.fcr_days"])).to_have_value("7")  # a queue report's FCR window
            page.get_by_label(t["rep.by"]).select_option("disposition")
            expect(page.get_by_label(t["rep.fcr_days"])).to_have_count(0)
            page.get_by_role("button", name=t["rep.run"]).click()
            pareto = page.get_by_role("table", name=t["rep.caption"].replace("{by}", t["rep.by.disposition"]))
            code = pareto.locator("tbody tr").filter(has_text="resolved")
            expect(code.locator('a[href*="kpi=wrapups"]')).to_have_text(one)
            expect(page.get_by_text(t["rep.pareto_title"]).first).to_be_visible()
            assert "by=disposition" in page.url
            page.screenshot(path=str(ARTIFACTS / f"console-reports-pareto-{lang}-{viewport['width']}.png"),
                            full_page=True)
            no_horizontal_overflow(page)
            assert errors == [], errors
        finally:
            context.close()

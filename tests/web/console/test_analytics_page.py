"""The quality & analytics page in Debian Chromium against the real server: a supervisor opens it on a centre with
three handled contacts (two with the reason "billing", one of them a chat whose customer wrote angrily) and an
answered CSAT survey, sees the reasons' Pareto with its cumulative share, the reasons trend, the sentiment per
queue and the survey figures, drills down from a reason to its contacts and opens the chat, whose message shows
its negative sentiment; English at 1280 px (and 360 px) and Persian at 360 px, axe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
ANGRY = "This is terrible, I was charged twice and nobody helps. Awful service!"


def texts(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in ("shell", "analytics"):
        out.update(json.loads((CATALOGUES / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


def handle(admin: Client, ann: Client, body: dict[str, Any], disposition: str) -> str:
    made = admin.ok("POST", "/api/contacts", body, expect=201)
    cid = str(made["contact_id"])
    assert made["offered_to"] == "a1"
    for action in ("accept", "end"):
        ann.ok("POST", f"/api/agent/contacts/{cid}/{action}")
    ann.ok("POST", f"/api/agent/contacts/{cid}/wrapup", {"disposition": disposition})
    return cid


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 800})])
def test_supervisor_reads_reasons_sentiment_and_surveys_and_drills_down(lang: str, viewport: dict[str, int],
                                                                         browser: Any, tmp_path: Path) -> None:
    require_console()
    t = texts(lang)
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            ann.ok("POST", "/api/agent/login", {"status": "available"})
            handle(admin, ann, {"channel": "voice"}, "billing")
            chat = handle(admin, ann, {"channel": "chat", "caller_id": "web-1", "text": ANGRY}, "billing")
            voice = handle(admin, ann, {"channel": "voice"}, "fraud")
        finally:
            ann.close()
        link = admin.ok("POST", "/api/surveys/invitations", {"contact_id": voice, "survey": "csat"}, expect=201)
        admin.ok("POST", f"/api/surveys/{link['url'].rsplit('/', 1)[1]}/answer", {"score": 5}, expect=201)

        context, page, errors = console_page(browser, viewport)
        try:
            page.goto(f"{centre.url}/console/")
            page.locator(".lang-picker select").select_option(lang)
            page.get_by_label(t["signin.username"]).fill("sue")
            page.get_by_label(t["signin.password"]).fill(PASSWORD)
            page.get_by_role("button", name=t["signin.submit"]).click()
            nav = page.get_by_role("navigation", name=t["nav.label"])
            nav.get_by_role("link", name=t["nav.analytics"]).click()
            reasons = page.get_by_role("table", name=t["an.reasons_caption"])
            billing = reasons.locator("tbody tr").filter(has_text="billing")
            two = "2" if lang == "en" else "\u06f2"  # the UI language's digits
            expect(billing.locator("td").first).to_have_text(two)
            expect(reasons.locator("tbody tr").filter(has_text="fraud")).to_have_count(1)
            expect(page.get_by_text(t["an.pareto_title"]).first).to_be_visible()
            expect(page.get_by_text(t["an.trend_title.day"]).first).to_be_visible()
            expect(page.get_by_text(t["an.sentiment_title"]).first).to_be_visible()
            sentiment = page.get_by_role("table", name=t["an.sentiment_caption"])
            expect(sentiment.locator("tbody tr").filter(has_text="sales")).to_have_count(1)
            csat = page.locator(".an-surveys > div").filter(has_text=t["an.survey.csat"])
            expect(csat.locator("dd").first).to_have_text("100%" if lang == "en" else "\u06f1\u06f0\u06f0\u066a")
            expect(page.locator(".chart svg").first).to_be_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"console-analytics-{lang}-{viewport['width']}.png"), full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"analytics ({lang})")
            if lang == "en":  # the same page on a phone
                page.set_viewport_size({"width": 360, "height": 800})
                page.screenshot(path=str(ARTIFACTS / "console-analytics-en-360.png"), full_page=True)
                no_horizontal_overflow(page)
                page.set_viewport_size(viewport)

            # the queue filter: only the sales queue (every contact is there)
            page.get_by_role("form", name=t["an.filters"]).get_by_label(t["an.queue"]).select_option("sales")
            page.get_by_role("button", name=t["an.apply"]).click()
            expect(billing.locator("td").first).to_have_text(two)
            assert "queue_id=sales" in page.url

            # drill down: the reason -> its contacts -> the chat with its sentiment
            billing.get_by_role("link", name="billing").click()
            contacts = page.get_by_role("table", name=t["an.drill_caption"].replace("{n}", two))
            expect(contacts.locator("tbody tr")).to_have_count(2)
            assert "analytics/contacts" in page.url and "reason=billing" in page.url  # bookmarkable
            contacts.get_by_role("link", name=chat).click()
            talk = page.locator(".an-talk li")
            expect(talk).to_have_count(1)
            expect(talk.first).to_contain_text(ANGRY)
            expect(talk.first).to_contain_text(t["an.mood.negative"])
            expect(talk.first).to_have_class("customer negative")
            page.screenshot(path=str(ARTIFACTS / f"console-analytics-contact-{lang}-{viewport['width']}.png"),
                            full_page=True)
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"analytics contact ({lang})")
            page.get_by_role("link", name=t["an.back_contacts"].replace("{reason}", "billing")).click()
            expect(contacts).to_be_visible()
            assert errors == [], errors
        finally:
            context.close()

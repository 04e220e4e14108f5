"""The scorecard editor as a form and the calibration sessions page in Debian Chromium against the real server: a
supervisor changes a scorecard in the form (a scale's top, a new auto-fail question, the queues it applies to), sees
the server's problems at their fields, fixes them and saves a new version; the calibration page lists the sessions
with who scored and the spread, and opens a new one on a contact. English at 1280 px, Persian at 360 px, axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_support import Client

from ..axe import assert_accessible
from ..live_centre import PASSWORD, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console
from .test_qa_pages import CARD, TEXT, answer, digits, shot, texts

pytestmark = pytest.mark.slow
VIEWPORTS = [("en", {"width": 1280, "height": 900}), ("fa", {"width": 360, "height": 800})]


def sign_in(page: Page, url: str, lang: str, user: str, t: dict[str, str]) -> None:
    page.goto(f"{url}/console/")
    page.locator(".lang-picker select").select_option(lang)
    page.get_by_label(t["signin.username"]).fill(user)
    page.get_by_label(t["signin.password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["signin.submit"]).click()
    expect(page.get_by_role("navigation", name=t["nav.label"])).to_be_visible()


def n(t: dict[str, str], key: str, lang: str, i: int) -> str:
    return t[key].replace("{n}", digits(lang, str(i)))


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_the_scorecard_form_shows_the_servers_problems_at_their_fields_then_saves_a_version(
        lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    t = texts("console", lang, "shell", "analytics", "qa")
    w = viewport["width"]
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/qa/scorecards/chat", CARD)
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "sue", t)
            page.goto(f"{centre.url}/console/#/qa/scorecards")
            page.get_by_role("table", name=t["qa.cards_caption"]).get_by_role("link", name="chat").click()
            expect(page.get_by_label(t["qa.f_name"], exact=True)).to_have_value("Chat quality")
            opening = page.get_by_role("group", name=n(t, "qa.f_section", lang, 1), exact=True)
            resolution = page.get_by_role("group", name=n(t, "qa.f_section", lang, 2), exact=True)
            expect(opening.get_by_label(t["qa.f_title"], exact=True)).to_have_value("Opening")
            skill = resolution.get_by_role("group", name=n(t, "qa.f_question", lang, 1), exact=True)
            expect(skill.get_by_label(t["qa.f_kind"])).to_have_value("scale")
            top = skill.get_by_label(t["qa.f_scale_max"])
            expect(top).to_have_value("5")

            # two mistakes: a scale's top beyond 10 (the field's check), and a new question reusing the id of the
            # question above it (the check across fields, which the server makes once the fields are right)
            top.fill("11")
            resolution.get_by_role("button", name=n(t, "qa.add_question", lang, 2)).click()
            new = resolution.get_by_role("group", name=n(t, "qa.f_question", lang, 2), exact=True)
            new.get_by_label(t["qa.f_text"]).fill("Offered more help?")
            new_id = new.get_by_label(t["qa.f_qid"])
            new_id.fill("skill")
            new.get_by_label(t["qa.f_auto_fail"]).check()
            new.get_by_label(t["qa.f_weight"]).fill("2")
            page.get_by_role("group", name=t["qa.f_queues"]).get_by_label("sales", exact=True).check()
            check = page.get_by_role("button", name=t["qa.card_check"])
            check.click()
            expect(top).to_have_attribute("aria-invalid", "true")
            expect(skill.locator(".field-error")).to_contain_text("10")
            problems = page.get_by_role("list", name=t["qa.card_errors"])
            expect(problems).to_contain_text("sections.1.questions.0.scale_max")
            top.fill("4")
            check.click()
            expect(new_id).to_have_attribute("aria-invalid", "true")
            expect(new.locator(".field-error")).to_contain_text("used twice")
            expect(top).not_to_have_attribute("aria-invalid", "true")
            expect(problems).to_contain_text("sections.1.questions.1.id")
            shot(page, f"console-qa-scorecard-form-errors-{lang}-{w}")
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"scorecard form with problems ({lang})")
            assert admin.ok("GET", "/api/qa/scorecards/chat")["version"] == 1  # a check stores nothing

            # fixed in the form; the JSON view shows the same document; saved as version 2
            new_id.fill("more_help")
            page.get_by_role("button", name=t["qa.tab_json"]).click()
            expect(page.get_by_label(t["qa.card_doc"])).to_have_value(re.compile("more_help"))
            page.get_by_role("button", name=t["qa.tab_form"]).click()
            page.get_by_role("button", name=t["qa.card_save"]).click()
            expect(page.get_by_text(t["qa.card_saved"].replace("{v}", digits(lang, "2")))).to_be_visible()
            expect(top).not_to_have_attribute("aria-invalid", "true")
            shot(page, f"console-qa-scorecard-form-{lang}-{w}")
            saved = admin.ok("GET", "/api/qa/scorecards/chat")
            doc = saved["document"]
            assert saved["version"] == 2 and doc["queues"] == ["sales"] and doc["channels"] == ["chat"]
            assert doc["sections"][1]["questions"][0]["scale_max"] == 4
            assert doc["sections"][1]["questions"][1] == {
                "id": "more_help", "text": "Offered more help?", "kind": "yes_no", "scale_max": None, "weight": 2.0,
                "na_allowed": False, "auto_fail": True}
            assert doc["signals"] == admin.ok("GET", "/api/qa/scorecards/chat?version=1")["document"]["signals"]

            # a new scorecard from the list: the empty form's blanks are the server's problems, then version 1
            page.get_by_role("link", name=t["qa.back"]).click()
            page.get_by_label(t["qa.new_card_id"]).fill("calls")
            page.get_by_role("button", name=t["qa.new_card"]).click()
            save = page.get_by_role("button", name=t["qa.card_save"])
            save.click()
            name = page.get_by_label(t["qa.f_name"], exact=True)
            expect(name).to_have_attribute("aria-invalid", "true")
            first = page.get_by_role("group", name=n(t, "qa.f_section", lang, 1), exact=True)
            expect(first.get_by_label(t["qa.f_title"], exact=True)).to_have_attribute("aria-invalid", "true")
            name.fill("Calls")
            page.get_by_role("group", name=t["qa.f_channels"]).get_by_label(t["qa.ch.voice"], exact=True).check()
            first.get_by_label(t["qa.f_title"], exact=True).fill("Closing")
            question = first.get_by_role("group", name=n(t, "qa.f_question", lang, 1), exact=True)
            question.get_by_label(t["qa.f_text"]).fill("Summarised the call?")
            first.get_by_role("button", name=n(t, "qa.add_question", lang, 1)).click()
            extra = first.get_by_role("group", name=n(t, "qa.f_question", lang, 2), exact=True)
            extra.get_by_label(t["qa.f_text"]).fill("Empathy")
            extra.get_by_label(t["qa.f_kind"]).select_option("scale")
            expect(extra.get_by_label(t["qa.f_auto_fail"])).to_have_count(0)  # only a yes/no question can fail all
            extra.get_by_label(t["qa.f_na"]).check()
            save.click()
            expect(page.get_by_text(t["qa.card_saved"].replace("{v}", digits(lang, "1")))).to_be_visible()
            calls = admin.ok("GET", "/api/qa/scorecards/calls")["document"]
            assert (calls["name"], calls["channels"], calls["queues"]) == ("Calls", ["voice"], [])
            assert [(q["id"], q["text"], q["kind"], q["scale_max"], q["na_allowed"])
                    for q in calls["sections"][0]["questions"]] == [
                ("q1", "Summarised the call?", "yes_no", None, False), ("q2", "Empathy", "scale", 5, True)]
            assert not errors, errors
        finally:
            context.close()


@pytest.mark.parametrize(("lang", "viewport"), VIEWPORTS)
def test_calibration_sessions_are_listed_with_the_spread_and_one_is_opened_from_the_page(
        lang: str, viewport: dict[str, int], browser: Any, tmp_path: Path) -> None:
    require_console()
    t = texts("console", lang, "shell", "analytics", "qa")
    w = viewport["width"]
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        for user in ("sue", "tom"):
            admin.ok("PUT", f"/api/users/{user}", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/qa/scorecards/chat", CARD)
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            ann.ok("POST", "/api/agent/login", {"status": "available"})
            contacts = []
            for i in range(2):
                cid = str(admin.ok("POST", "/api/contacts", {"channel": "chat", "caller_id": f"web-{i}", "text": TEXT},
                                   expect=201)["contact_id"])
                for action in ("accept", "end"):
                    ann.ok("POST", f"/api/agent/contacts/{cid}/{action}")
                contacts.append(cid)
        finally:
            ann.close()
        first, second = contacts
        session = admin.ok("POST", "/api/qa/calibrations", {"contact_id": first, "scorecard_id": "chat"})
        for user, answers in (("sue", {"greet": "yes", "verify": "na", "skill": 5}),  # 100%
                              ("tom", {"greet": "no", "verify": "na", "skill": 1})):  # 3 / 16
            evaluator = Client(centre.url, user, PASSWORD)
            try:
                evaluator.ok("POST", "/api/qa/evaluations", {"contact_id": first, "scorecard_id": "chat",
                                                             "answers": answers, "calibration_id": session["id"]})
            finally:
                evaluator.close()
        context, page, errors = console_page(browser, viewport)
        try:
            sign_in(page, centre.url, lang, "sue", t)
            page.goto(f"{centre.url}/console/#/qa")
            page.get_by_role("link", name=t["qa.tab.calibrations"]).click()
            table = page.get_by_role("table", name=t["qa.cal_caption"])
            row = table.locator("tbody tr").filter(has_text=first)
            expect(row).to_contain_text("sue, tom")
            expect(row).to_contain_text(digits(lang, "18.8%"))
            expect(row).to_contain_text(digits(lang, "100%"))
            expect(row).to_contain_text(digits(lang, "40.6%"))  # the population stdev of 1 and 3/16, as the API says
            listed = admin.ok("GET", "/api/qa/calibrations")[0]["overall"]
            assert listed["stdev"] == pytest.approx(0.40625)
            shot(page, f"console-qa-calibrations-{lang}-{w}")
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"calibration sessions ({lang})")

            # a contact that does not exist: the server's message; then a session on the second chat
            form = page.get_by_role("form", name=t["qa.cal_new_h"])
            form.get_by_label(t["qa.cal_contact"]).fill("nope")
            form.get_by_role("button", name=t["qa.cal_open"]).click()
            expect(page.get_by_role("alert").filter(has_text="nope")).to_be_visible()
            form.get_by_label(t["qa.cal_contact"]).fill(second)
            form.get_by_role("button", name=t["qa.cal_open"]).click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(second)
            page.get_by_role("link", name=t["qa.score_it"]).click()
            answer(page, "Greeted the customer?", t["qa.yes"])
            answer(page, "Verified identity?", t["qa.na"])
            answer(page, "Product knowledge", digits(lang, "3"))
            page.get_by_role("button", name=t["qa.save"]).click()
            expect(page.get_by_role("table", name=t["qa.cal_scores"]).locator("tbody tr")).to_have_count(1)
            page.get_by_role("link", name=t["qa.back"]).click()
            fresh = page.get_by_role("table", name=t["qa.cal_caption"]).locator("tbody tr").filter(has_text=second)
            expect(fresh).to_contain_text("sue")
            expect(fresh).to_contain_text(digits(lang, "62.5%"))  # (1 + 9) / 16
            assert [s["session"]["contact_id"] for s in admin.ok("GET", "/api/qa/calibrations")] == [second, first]
            assert not errors, errors
        finally:
            context.close()

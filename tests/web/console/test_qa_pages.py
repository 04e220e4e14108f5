"""Quality management in Debian Chromium against the real server: an evaluator finds a chat contact in the sampling
queue, scores it on the scorecard form beside the conversation (the score the server previews: an auto-fail
"no" makes it 0), the agent sees the new evaluation badge on the desktop, opens it and disputes it with a reason,
the evaluator answers the dispute by re-scoring, and the agent acknowledges the new revision; English at 1280 px
(and 360 px) and Persian at 360 px, axe."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from blendcc.api import routes_widget
from e2e.e2e_support import Client

from ..axe import assert_accessible
from ..conftest import ARTIFACTS
from ..live_centre import PASSWORD, database, real_centre
from .console_support import console_page, no_horizontal_overflow, require_console

pytestmark = pytest.mark.slow
WEB = routes_widget.WEB / "i18n"
TEXT = "Hello, my bill is wrong this month"
CARD: dict[str, Any] = {
    "name": "Chat quality", "channels": ["chat"],
    "sections": [
        {"id": "open", "title": "Opening", "questions": [
            {"id": "greet", "text": "Greeted the customer?"},
            {"id": "verify", "text": "Verified identity?", "auto_fail": True, "weight": 2, "na_allowed": True}]},
        {"id": "solve", "title": "Resolution", "questions": [
            {"id": "skill", "text": "Product knowledge", "kind": "scale", "scale_max": 5, "weight": 3}]}]}


def texts(app: str, lang: str, *areas: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for area in areas:
        out.update(json.loads((WEB / app / f"{area}.{lang}.json").read_text(encoding="utf-8")))
    return out


def digits(lang: str, s: str) -> str:
    persian = "".join(chr(0x06F0 + i) for i in range(10)) + "\u066a\u066b"  # digits, percent, decimal separator
    return s.translate(str.maketrans("0123456789%.", persian)) if lang == "fa" else s


def answer(page: Page, question: str, choice: str) -> None:
    page.get_by_role("radiogroup", name=question).get_by_label(choice, exact=True).check()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), [("en", {"width": 1280, "height": 900}),
                                                ("fa", {"width": 360, "height": 800})])
def test_evaluate_dispute_rescore_acknowledge(lang: str, viewport: dict[str, int], browser: Any,
                                              tmp_path: Path) -> None:
    require_console()
    t = texts("console", lang, "shell", "analytics", "qa")
    d = texts("desktop", lang, "shell", "qa")
    w = viewport["width"]
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        admin.ok("PUT", "/api/users/sue", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/qa/scorecards/chat", CARD)
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            ann.ok("POST", "/api/agent/login", {"status": "available"})
            cid = str(admin.ok("POST", "/api/contacts", {"channel": "chat", "caller_id": "web-1", "text": TEXT},
                               expect=201)["contact_id"])
            for action in ("accept", "end"):
                ann.ok("POST", f"/api/agent/contacts/{cid}/{action}")
            ann.ok("POST", f"/api/agent/contacts/{cid}/wrapup", {"disposition": "billing"})
        finally:
            ann.close()

        context, page, errors = console_page(browser, viewport)
        desk_context, desk, desk_errors = console_page(browser, viewport)
        try:
            # the evaluator: the Quality & analytics page links to the sampling queue, which picked the chat
            page.goto(f"{centre.url}/console/")
            page.locator(".lang-picker select").select_option(lang)
            page.get_by_label(t["signin.username"]).fill("sue")
            page.get_by_label(t["signin.password"]).fill(PASSWORD)
            page.get_by_role("button", name=t["signin.submit"]).click()
            page.get_by_role("navigation", name=t["nav.label"]).get_by_role("link", name=t["nav.analytics"]).click()
            page.get_by_role("link", name=t["qa.link_queue"]).click()
            queue = page.get_by_role("table", name=t["qa.queue_caption"])
            row = queue.locator("tbody tr").filter(has_text=cid)
            expect(row).to_contain_text(t["qa.reason.random"])
            shot(page, f"console-qa-queue-{lang}-{w}")
            no_horizontal_overflow(page)
            row.get_by_role("link", name=cid).click()

            # the form beside the conversation; the score is the server's preview as the evaluator answers
            expect(page.locator(".qa-talk li").first).to_contain_text(TEXT)
            score = page.locator(".qa-score")
            answer(page, "Greeted the customer?", t["qa.yes"])
            answer(page, "Verified identity?", t["qa.no"])
            expect(score).to_contain_text(digits(lang, "0%"))
            expect(score).to_contain_text(t["qa.auto_failed"])
            save = page.get_by_role("button", name=t["qa.save"])
            expect(save).to_be_disabled()  # a question is unanswered
            answer(page, "Verified identity?", t["qa.yes"])
            answer(page, "Product knowledge", digits(lang, "2"))
            expect(score).to_contain_text(digits(lang, "50%"))  # (1 + 2 + 3 x 2) / (1 + 2 + 3 x 5)
            page.get_by_label(t["qa.comment_on"].replace("{q}", "Product knowledge")).fill("Check the tariff FAQ")
            shot(page, f"console-qa-evaluate-{lang}-{w}")
            no_horizontal_overflow(page)
            assert_accessible(page, what=f"evaluate ({lang})")
            save.click()
            listed = page.get_by_role("table", name=t["qa.list_caption"]).locator("tbody tr").filter(has_text=cid)
            expect(listed).to_contain_text(t["qa.st.open"])
            if lang == "en":
                page.set_viewport_size({"width": 360, "height": 800})
                shot(page, "console-qa-list-en-360")
                no_horizontal_overflow(page)
                page.set_viewport_size(viewport)

            # the agent: a badge for the new evaluation, the scores and comments per question, a dispute
            desk.goto(f"{centre.url}/desktop")
            desk.locator(".lang-picker select").select_option(lang)
            desk.get_by_label(d["signin.username"]).fill("ann")
            desk.get_by_label(d["signin.password"]).fill(PASSWORD)
            desk.get_by_role("button", name=d["signin.submit"]).click()
            mine = desk.get_by_role("button", name=d["myqa.button"])
            expect(mine.locator(".badge")).to_have_text(digits(lang, "1"))
            mine.click()
            dialog = desk.get_by_role("dialog", name=d["myqa.title"])
            dialog.get_by_role("button").filter(has_text=cid).click()
            expect(desk.locator(".myqa-q").filter(has_text="Product knowledge")).to_contain_text("Check the tariff FAQ")
            expect(desk.locator(".myqa-score")).to_contain_text(digits(lang, "50%"))
            shot(desk, f"desktop-qa-evaluation-{lang}-{w}")
            no_horizontal_overflow(desk)
            assert_accessible(desk, what=f"my evaluations ({lang})")
            desk.get_by_role("button", name=d["myqa.dispute"]).click()
            desk.get_by_label(d["myqa.reason"]).fill("I did know the tariff")
            desk.get_by_role("button", name=d["myqa.send_dispute"]).click()
            expect(desk.locator(".myqa-st-line")).to_contain_text(d["myqa.st.disputed"])
            expect(mine.locator(".badge")).to_have_count(0)

            # the evaluator answers the dispute with a re-score
            page.get_by_role("link", name=t["qa.tab.disputes"]).click()
            disputed = page.get_by_role("table", name=t["qa.disputes_caption"]).locator("tbody tr").filter(has_text=cid)
            expect(disputed).to_contain_text("I did know the tariff")
            disputed.get_by_role("link", name=cid).click()
            expect(page.locator(".qa-dispute")).to_contain_text("I did know the tariff")
            answer(page, "Product knowledge", digits(lang, "4"))
            expect(page.locator(".qa-score")).to_contain_text(digits(lang, "83.3%"))  # 15 / 18
            page.get_by_label(t["qa.reply"]).fill("Agreed, re-scored")
            shot(page, f"console-qa-rescore-{lang}-{w}")
            page.get_by_role("button", name=t["qa.save_rescore"]).click()
            expect(page.get_by_role("table", name=t["qa.list_caption"])).to_be_visible()
            e = admin.ok("GET", f"/api/qa/evaluations?contact_id={cid}")[0]
            assert (e["revision"], e["status"], e["reply"]) == (2, "open", "Agreed, re-scored")
            assert e["score"] == pytest.approx(15 / 18)

            # the agent sees the new revision with the reply and acknowledges it
            desk.reload()
            expect(mine.locator(".badge")).to_have_text(digits(lang, "1"))
            mine.click()
            dialog.get_by_role("button").filter(has_text=cid).click()
            expect(desk.locator(".myqa-reply")).to_contain_text("Agreed, re-scored")
            desk.get_by_role("button", name=d["myqa.acknowledge"]).click()
            expect(desk.locator(".myqa-st-line")).to_contain_text(d["myqa.st.acknowledged"])
            assert admin.ok("GET", f"/api/qa/evaluations/{e['id']}")["status"] == "acknowledged"
            assert not errors and not desk_errors, errors + desk_errors
        finally:
            context.close()
            desk_context.close()


def test_a_calibration_session_shows_the_spread_of_two_evaluators(browser: Any, tmp_path: Path) -> None:
    """Sue opens a calibration on the chat from the evaluation form and scores it; Tom opens the session's address
    and scores it lower; the page shows both scores and the spread overall and per question. Not the agent's."""
    require_console()
    t = texts("console", "en", "shell", "analytics", "qa")
    with database("sqlite", tmp_path) as db_url, real_centre(db_url, tmp_path, "http://127.0.0.1:9") as centre:
        admin = centre.admin
        for user in ("sue", "tom"):
            admin.ok("PUT", f"/api/users/{user}", {"password": PASSWORD, "role": "supervisor"})
        admin.ok("PUT", "/api/qa/scorecards/chat", CARD)
        ann = Client(centre.url, "ann", PASSWORD)
        try:
            ann.ok("POST", "/api/agent/login", {"status": "available"})
            cid = str(admin.ok("POST", "/api/contacts", {"channel": "chat", "caller_id": "web-1", "text": TEXT},
                               expect=201)["contact_id"])
            for action in ("accept", "end"):
                ann.ok("POST", f"/api/agent/contacts/{cid}/{action}")
        finally:
            ann.close()
        context, page, errors = console_page(browser, {"width": 1280, "height": 900})
        try:
            def sign_in(user: str) -> None:
                page.goto(f"{centre.url}/console/")
                page.get_by_label(t["signin.username"]).fill(user)
                page.get_by_label(t["signin.password"]).fill(PASSWORD)
                page.get_by_role("button", name=t["signin.submit"]).click()
                expect(page.get_by_role("navigation", name=t["nav.label"])).to_be_visible()

            def score(greet: str, skill: str) -> None:
                answer(page, "Greeted the customer?", greet)
                answer(page, "Verified identity?", t["qa.na"])
                answer(page, "Product knowledge", skill)
                page.get_by_role("button", name=t["qa.save"]).click()

            sign_in("sue")
            page.goto(f"{centre.url}/console/#/qa/evaluate/{cid}")
            page.get_by_role("button", name=t["qa.open_calibration"]).click()
            page.get_by_role("link", name=t["qa.score_it"]).click()
            score(t["qa.yes"], "5")  # (1 + 15) / 16 = 100%
            expect(page.get_by_role("table", name=t["qa.cal_scores"]).locator("tbody tr")).to_have_count(1)
            session_url = page.url
            assert "#/qa/calibrations/" in session_url
            page.get_by_role("button", name=t["signout"]).click()

            sign_in("tom")
            page.goto(session_url)
            page.get_by_role("link", name=t["qa.score_it"]).click()
            score(t["qa.no"], "1")  # 3 / 16
            scores = page.get_by_role("table", name=t["qa.cal_scores"]).locator("tbody tr")
            expect(scores).to_have_count(2)
            expect(scores.filter(has_text="tom")).to_contain_text("18.8%")
            expect(page.get_by_role("link", name=t["qa.score_it"])).to_have_count(0)  # tom has scored
            totals = page.locator(".rep-totals")
            expect(totals).to_contain_text("18.8%")
            expect(totals).to_contain_text("100%")
            expect(totals).to_contain_text("40.6%")  # population stdev of 1 and 3/16
            per_question = page.get_by_role("table", name=t["qa.cal_questions"]).locator("tbody tr")
            expect(per_question.filter(has_text="Greeted the customer?")).to_contain_text("50%")
            shot(page, "console-qa-calibration-en-1280")
            no_horizontal_overflow(page)
            assert_accessible(page, what="calibration")
            agent = Client(centre.url, "ann", PASSWORD)
            try:
                assert agent.ok("GET", "/api/qa/evaluations") == []  # calibration sheets are not the agent's
            finally:
                agent.close()

            # the scorecard editor: a field error from the server's check, then a new version
            page.get_by_role("link", name=t["qa.back"]).click()
            page.get_by_role("link", name=t["qa.tab.scorecards"]).click()
            page.get_by_role("table", name=t["qa.cards_caption"]).get_by_role("link", name="chat").click()
            page.get_by_role("button", name=t["qa.tab_json"]).click()  # the form is the default view (its own test)
            doc = page.get_by_label(t["qa.card_doc"])
            expect(doc).to_have_value(re.compile("Product knowledge"))
            bad = json.loads(doc.input_value())
            bad["sections"][1]["questions"][0].pop("scale_max")
            doc.fill(json.dumps(bad))
            page.get_by_role("button", name=t["qa.card_check"]).click()
            expect(page.get_by_role("list", name=t["qa.card_errors"])).to_contain_text("sections.1.questions.0")
            bad["sections"][1]["questions"][0]["scale_max"] = 10
            doc.fill(json.dumps(bad))
            page.get_by_role("button", name=t["qa.card_save"]).click()
            expect(page.get_by_text(t["qa.card_saved"].replace("{v}", "2"))).to_be_visible()
            shot(page, "console-qa-scorecard-en-1280")
            saved = admin.ok("GET", "/api/qa/scorecards/chat")
            assert (saved["version"], saved["document"]["sections"][1]["questions"][0]["scale_max"]) == (2, 10)
            assert not errors, errors
        finally:
            context.close()

"""Surveys on both backends: a signed link for a contact's customer, the public page and API that answer it once,
CSAT / NPS / CES figures with response rates, and a low score raising a supervisor alert until acknowledged."""

from __future__ import annotations

import re
from typing import Any

import pytest


def invite(api: Any, contact_id: str, survey: str, user: str = "sup") -> str:
    made = api.post("/api/surveys/invitations", user, 201, json={"contact_id": contact_id, "survey": survey})
    assert made["survey"] == survey and made["expires_at"] > api.clock.now()
    match = re.search(r"/survey/([A-Za-z0-9_.\-]+)$", made["url"])
    assert match, made["url"]
    return match.group(1)


def answer(api: Any, token: str, score: int, status: int = 201, comment: str | None = None) -> dict[str, Any]:
    r = api.client.post(f"/api/surveys/{token}/answer", json={"score": score, "comment": comment})  # no token
    assert r.status_code == status, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_link_is_answered_once_and_counts_in_the_figures(centre: Any) -> None:
    api = centre
    start = api.clock.now()
    a, b, c = (api.new_contact(channel="chat", caller_id=f"web-{n}", text="hello")["contact_id"] for n in range(3))
    csat = invite(api, a, "csat")
    invite(api, b, "csat")  # never answered: halves the response rate
    page = api.client.get(f"/survey/{csat}?lang=en")
    assert page.status_code == 200 and page.text.count('type="radio"') == 5 and "satisfied" in page.text
    assert answer(api, csat, 5, comment="quick and kind") == {"contact_id": a, "survey": "csat", "score": 5}
    assert "already answered" in answer(api, csat, 4, 409)["detail"]
    assert "already answered" in api.client.get(f"/survey/{csat}").text
    nps = [invite(api, c, "nps")] + [invite(api, x, "nps") for x in (a, b)]
    for token, score in zip(nps, (10, 9, 6), strict=True):
        answer(api, token, score)
    ces = invite(api, c, "ces")
    answer(api, ces, 2)
    api.advance(60)
    got = api.get(f"/api/reports/surveys?start={start}&end={api.clock.now() + 1}", "sup")
    rows = {r["survey"]: r for r in got["rows"]}
    assert rows["csat"]["invited"] == 2 and rows["csat"]["answers"] == 1 and rows["csat"]["response_rate"] == 0.5
    assert rows["csat"]["csat"] == 1.0 and rows["csat"]["mean"] == 5
    assert rows["nps"]["answers"] == 3 and rows["nps"]["nps"] == pytest.approx(100 * (2 - 1) / 3)
    assert rows["ces"]["mean"] == 2 and rows["ces"]["low_answers"] == 0
    by_channel = api.get(f"/api/reports/surveys?start={start}&end={api.clock.now() + 1}&group=channel", "sup")
    assert {(r["survey"], r["channel"]) for r in by_channel["rows"]} == {("csat", "chat"), ("nps", "chat"),
                                                                          ("ces", "chat")}


def test_the_page_form_answers_and_a_low_score_is_an_alert_until_acknowledged(centre: Any) -> None:
    api = centre
    cid = api.new_contact(channel="chat", caller_id="web-9", text="hello")["contact_id"]
    token = invite(api, cid, "csat")
    fa = api.client.get(f"/survey/{token}", headers={"Accept-Language": "fa"})
    assert 'dir="rtl"' in fa.text and "چقدر" in fa.text
    done = api.client.post(f"/survey/{token}?lang=en", data={"score": "1", "comment": "<b>slow</b>"})
    assert done.status_code == 200 and "Thank you" in done.text
    alerts = [a for a in api.get("/api/supervisor/alerts", "sup")["alerts"] if a["kind"] == "low_survey_score"]
    assert [(a["subject"], a["value"], a["detail"]["survey"], a["detail"]["comment"]) for a in alerts] == [
        (cid, 1.0, "csat", "<b>slow</b>")]
    api.post(f"/api/supervisor/alerts/{alerts[0]['id']}/ack", "sup")
    assert not [a for a in api.get("/api/supervisor/alerts", "sup")["alerts"] if a["kind"] == "low_survey_score"]
    again = api.client.post(f"/survey/{token}", data={"score": "5"})
    assert again.status_code == 409 and "already answered" in again.text


def test_bad_links_scores_and_roles_are_refused(centre: Any) -> None:
    api = centre
    cid = api.new_contact(channel="chat", caller_id="web-7", text="hello")["contact_id"]
    token = invite(api, cid, "csat")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert "not a survey link" in answer(api, forged, 5, 404)["detail"]
    assert api.client.get(f"/survey/{forged}").status_code == 404
    assert "1 to 5" in answer(api, token, 6, 422)["detail"]
    assert "1 to 5" in answer(api, token, 0, 422)["detail"]
    answer(api, token, 11, 422)
    assert api.client.post(f"/survey/{token}", data={"score": "9"}).status_code == 422
    api.error("POST", "/api/surveys/invitations", 422, "sup", json={"contact_id": cid, "survey": "mood"})
    api.error("POST", "/api/surveys/invitations", 404, "sup", json={"contact_id": "nope", "survey": "csat"})
    api.error("POST", "/api/surveys/invitations", 403, "bob", json={"contact_id": cid, "survey": "csat"})
    api.error("GET", "/api/reports/surveys?start=10&end=5", 422, "sup")
    api.error("GET", "/api/reports/surveys?start=0&end=5&group=colour", 422, "sup")
    api.error("GET", "/api/reports/surveys?start=0&end=5", 403, "ann")

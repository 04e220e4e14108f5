"""Survey links sent automatically when an SMS conversation is resolved (a queue's ``surveys.sms``), on both
backends: the link goes out through the Twilio stand-in in the conversation's thread, the invitation and the
answer count in /api/reports/surveys; a queue without the setting sends nothing."""

from __future__ import annotations

import re
from typing import Any

from .live_messaging import Live, live_fixture  # noqa: F401  (the fixture)

CUSTOMER = "+447911123456"


def _sms_contact(live: Live, sid: str, body: str) -> str:
    assert live.sms(sid, CUSTOMER, body).status_code == 200
    rows = [r for r in live.api.container.store.interactions() if r["channel"] == "sms" and r["state"] != "closed"]
    return str(rows[0]["contact_id"])


def _offer_survey(live: Live, queue: str, **offer: Any) -> None:
    current = live.api.get(f"/api/config/queues/{queue}", "admin")
    body = {k: v for k, v in current.items() if k not in ("id", "version", "updated_at", "updated_by")}
    live.api.put(f"/api/config/queues/{queue}", json={**body, "surveys": {"sms": offer}})


def _texts(live: Live) -> list[str]:
    return [r.form["Body"] for r in live.twilio.received if r.path.endswith("Messages.json")]


def _events(live: Live, kind: str) -> list[Any]:
    return [s.event for s in live.api.container.store.read() if s.event.type == kind]


def test_resolving_an_sms_conversation_sends_the_queue_s_survey_link_and_the_answer_counts(live: Live) -> None:
    _offer_survey(live, "support", survey="csat", text="Thanks! Rate us 1-5: {url}")
    cid = _sms_contact(live, "SM700", "my router is broken")  # routes to support
    live.accept(cid)
    live.api.post(f"/api/contacts/{cid}/resolve", "ann", json={})
    assert _events(live, "SurveyInvited") == []  # sent off the writer's thread, when the timers run
    live.timers.run_due()
    [text] = _texts(live)
    link = re.fullmatch(r"Thanks! Rate us 1-5: (http://\S+/survey/(\S+))", text)
    assert link is not None, text
    [invited] = _events(live, "SurveyInvited")
    assert (invited.contact_id, invited.via, invited.channel, invited.queue_id, invited.agent_id) == (
        cid, "sms", "sms", "support", "a1")
    [sent] = [m for m in live.thread(cid) if m["direction"] == "outbound"]
    assert sent["body"] == text and sent["author"]["kind"] == "system" and sent["status"] == "sent"
    page = live.http.get(f"/survey/{link.group(2)}")
    assert page.status_code == 200 and page.text.count('name="score"') == 5  # the CSAT scale, 1-5
    r = live.http.post(f"/api/surveys/{link.group(2)}/answer", json={"score": 5})
    assert r.status_code == 201, r.text
    now = live.api.container.clock.now()
    report = live.api.get(f"/api/reports/surveys?start={now - 3600}&end={now + 60}&group=channel", "sup")
    [row] = report["rows"]
    assert {k: row[k] for k in ("survey", "channel", "invited", "answers", "response_rate", "csat")} == {
        "survey": "csat", "channel": "sms", "invited": 1, "answers": 1, "response_rate": 1.0, "csat": 1.0}


def test_a_queue_without_the_setting_sends_no_link(live: Live) -> None:
    cid = _sms_contact(live, "SM710", "my router is broken")
    live.accept(cid)
    live.api.post(f"/api/contacts/{cid}/resolve", "ann", json={})
    live.timers.run_due()
    assert _texts(live) == [] and _events(live, "SurveyInvited") == []


def test_an_opted_out_customer_gets_no_link_and_no_invitation(live: Live) -> None:
    _offer_survey(live, "support", survey="nps")
    cid = _sms_contact(live, "SM720", "my router is broken")
    live.accept(cid)
    assert live.sms("SM721", CUSTOMER, "STOP").status_code == 200  # the customer opts out meanwhile
    live.api.post(f"/api/contacts/{cid}/resolve", "ann", json={})
    live.timers.run_due()
    assert not any("/survey/" in t for t in _texts(live)) and _events(live, "SurveyInvited") == []

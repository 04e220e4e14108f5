"""Digital KPIs over the API on both backends: a chat answered through the messages API shows in the
wallboard's live figures and in /api/reports/digital; a reopened thread from the log is reported per
KPIS.md; bad parameters get a clean 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain import conversation_events as cv
from blendcc.testing.fake_channel import ManualTimers


@pytest.fixture
def answered(centre: Any) -> Any:
    """a1 takes a chat (first customer message at T), replies 30 s later, ends at +90 s and wraps up at +100 s."""
    centre.container.conversations.later = ManualTimers(centre.clock)
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.agent_login("a1")
    centre.t_start = centre.clock.now()
    out = centre.new_contact(channel="chat", caller_id="web-42", text="my router is broken")
    cid = out["contact_id"]
    centre.advance(10)
    centre.act("a1", cid, "accept")
    centre.advance(20)
    centre.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "Let us reboot it."})
    centre.advance(60)
    centre.act("a1", cid, "end")
    centre.advance(10)
    centre.act("a1", cid, "wrapup", disposition="fixed")
    centre.cid = cid
    return centre


def test_live_and_historical_figures_of_an_answered_chat(answered: Any) -> None:
    api = answered
    live = api.get("/api/stats/live/digital", "sup")
    chat = live["channels"]["chat"]
    assert chat["conversations_started"] == 1 and chat["first_responses"] == 1
    assert chat["first_response_s"] == pytest.approx(30.0)
    assert chat["resolved"] == 1 and chat["resolution_s"] == pytest.approx(100.0)
    assert chat["customer_messages_per_conversation"] == 1.0 and chat["agent_messages_per_conversation"] == 1.0
    wall = api.get("/api/stats/live", "sup")
    assert wall["digital"]["channels"]["chat"]["resolved"] == 1
    queue = next(q for q in wall["queues"] if q["digital"]["resolved"] == 1)
    assert queue["digital"]["first_response_s"] == pytest.approx(30.0)

    t = api.t_start
    report = api.get(f"/api/reports/digital?start={t - 3600}&end={t + 3600}&interval=day&group_by=channel", "sup")
    rows = {r["channel"]: r for r in report["rows"]}
    assert set(rows) <= {"chat", ""}  # '': what belongs to no channel (the agents' concurrency time)
    assert rows["chat"]["first_response_s"] == pytest.approx(30.0)
    assert report["total"]["first_response_s"] == pytest.approx(30.0)
    assert report["total"]["resolution_s"] == pytest.approx(100.0)
    assert 0.0 <= report["total"]["resolution_bh_s"] <= report["total"]["resolution_s"]  # the queue's hours
    by_agent = api.get(f"/api/reports/digital?start={t - 3600}&end={t + 3600}&group_by=agent&agent_id=a1", "sup")
    total = by_agent["total"]
    assert total["first_responses"] == 1 and total["concurrency"] == pytest.approx(1.0)
    # an agent sees only their own figures
    own = api.get(f"/api/reports/digital?start={t - 3600}&end={t + 3600}", "ann")
    assert own["filters"]["agent_id"] == "a1" and own["group_by"] == "agent"


def test_a_reopened_thread_in_the_report(answered: Any) -> None:
    api = answered
    t = api.clock.now()
    api.container.store.append([
        cv.ConversationReopened(at=t + 500, contact_id="r2", previous_contact_id=api.cid, resolved_at=t),
        cv.MessageReceived(at=t + 500, contact_id="r2", message_id="m1", channel="chat", channel_instance="default",
                           body="still broken"),
        cv.MessageSent(at=t + 560, contact_id="r2", message_id="m2", channel="chat", channel_instance="default",
                       author_kind="agent", author_id="a1", body="ok"),
        cv.ConversationStateChanged(at=t + 600, contact_id="r2", state="resolved", previous="open", agent_id="a1"),
    ])
    start = api.t_start
    total = api.get(f"/api/reports/digital?start={start - 60}&end={t + 3600}&interval=day", "sup")["total"]
    assert total["resolved"] == 1 and total["resolutions"] == 2 and total["reopen_rate"] == 0.5
    assert total["resolution_s"] == pytest.approx(100.0 + 100.0)  # the 500 s gap is left out
    assert total["response_s"] == pytest.approx((30.0 + 60.0) / 2)


@pytest.mark.parametrize("query", ["start=10&end=5", "start=0&end=10&interval=7", "start=0&end=10&group_by=x",
                                   "start=0&end=10&reopen_days=0", "start=0&end=100000000"])
def test_bad_report_parameters_are_a_clean_4xx(centre: Any, query: str) -> None:
    centre.error("GET", f"/api/reports/digital?{query}", 422, user="sup")


def test_live_digital_is_for_supervisors(centre: Any) -> None:
    centre.error("GET", "/api/stats/live/digital", 403, user="ann")

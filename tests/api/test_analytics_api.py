"""Interaction analytics over the API on both backends: a conversation's sentiment (each message, the
customer's mean and end score), the trend per queue and agent, the Pareto of reasons with its 80% cut and
the drill-down, the live negative-sentiment alert on topic 'alert', and bad input refused with 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain.conversation import ChannelRef, ReceiveMessage
from blendcc.testing.fake_channel import ManualTimers


@pytest.fixture
def chat(centre: Any) -> Any:
    centre.container.conversations.later = ManualTimers(centre.clock)
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 5}}})
    centre.agent_login("a1")
    return centre


def open_chat(centre: Any, address: str, text: str) -> str:
    out = centre.new_contact(channel="chat", caller_id=address, text=text)
    centre.act("a1", out["contact_id"], "accept")
    return str(out["contact_id"])


def customer_writes(centre: Any, address: str, text: str, pid: str) -> None:
    centre.container.conversations.receive(ReceiveMessage(ChannelRef("chat"), address, text, pid))


def test_a_conversations_sentiment_per_message_and_per_contact(chat: Any) -> None:
    start = chat.clock.now()
    cid = open_chat(chat, "web-1", "This is terrible, my router is broken again!")
    chat.advance(30)
    chat.post(f"/api/contacts/{cid}/messages", "ann", 201, json={"body": "Sorry about that, happy to help."})
    chat.advance(30)
    customer_writes(chat, "web-1", "Thank you so much, it works now. Great service!", "p2")
    got = chat.get(f"/api/analytics/sentiment/contacts/{cid}", "sup")
    assert [(m["author"], m["label"]) for m in got["messages"]] == [
        ("customer", "negative"), ("agent", "positive"), ("customer", "positive")]
    first, last = got["messages"][0]["score"], got["messages"][2]["score"]
    cust = got["customer"]
    assert cust["messages"] == 2 and cust["end"] == last and cust["mean"] == pytest.approx((first + last) / 2, abs=1e-3)
    assert cust["end_label"] == "positive" and cust["shares"] == {"negative": 0.5, "neutral": 0.0, "positive": 0.5}
    assert got["agent"]["messages"] == 1 and got["messages"][1]["author_id"] == "a1"

    trend = chat.get(f"/api/analytics/sentiment/trend?start={start}&end={start + 86400}&by=queue", "sup")
    (row,) = trend["rows"]
    assert row["queue"] == "support" and row["messages"] == 2 and row["bucket_start"] == start
    assert row["mean"] == cust["mean"]
    by_agent = chat.get(f"/api/analytics/sentiment/trend?start={start}&end={start + 86400}&by=agent&author=all",
                        "sup")
    assert [(r["agent"], r["messages"]) for r in by_agent["rows"]] == [("a1", 3)]
    chat.act("a1", cid, "end")
    chat.act("a1", cid, "wrapup", disposition="fixed")
    by_reason = chat.get(f"/api/analytics/sentiment/trend?start={start}&end={start + 86400}&by=disposition", "sup")
    assert [(r["disposition"], r["messages"]) for r in by_reason["rows"]] == [("fixed", 2)]
    hourly = chat.get(f"/api/analytics/sentiment/trend?start={start - 3600}&end={start + 3600}&bucket=hour", "sup")
    assert [r["bucket_start"] for r in hourly["rows"]] == [start]
    scored = chat.post("/api/analytics/sentiment/score", "sup", json={"text": "Спасибо, всё отлично"})
    assert scored["language"] == "ru" and scored["label"] == "positive"


def test_reasons_pareto_and_drill_down(chat: Any) -> None:
    start = chat.clock.now()
    texts = ["I need a password reset please", "password reset link broken", "password reset not arriving",
             "my parcel tracking is wrong", "parcel tracking shows nothing", "hello there"]
    dispositions = ["account", "account", "account", "delivery", "delivery", None]
    cids = []
    for i, (text, disp) in enumerate(zip(texts, dispositions, strict=True)):
        cid = open_chat(chat, f"web-{i}", text)
        chat.advance(5)
        chat.act("a1", cid, "end")
        chat.act("a1", cid, "wrapup", disposition=disp)
        cids.append(cid)
    end = chat.clock.now() + 1
    by_disp = chat.get(f"/api/analytics/reasons?start={start}&end={end}", "sup")
    assert (by_disp["contacts"], by_disp["tagged"], by_disp["untagged"], by_disp["cut"]) == (6, 5, 1, 0.8)
    assert [(r["reason"], r["count"], r["share"], r["cumulative"], r["vital_few"]) for r in by_disp["rows"]] == [
        ("account", 3, 0.6, 0.6, True), ("delivery", 2, 0.4, 1.0, True)]
    by_topic = chat.get(f"/api/analytics/reasons?start={start}&end={end}&source=topic", "sup")
    assert [(r["reason"], r["count"]) for r in by_topic["rows"]] == [("password reset", 3), ("parcel tracking", 2)]
    drill = chat.get(f"/api/analytics/reasons/contacts?start={start}&end={end}&source=topic&reason=parcel+tracking",
                     "sup")
    assert drill["total"] == 2 and {c["contact_id"] for c in drill["contacts"]} == set(cids[3:5])
    assert all(c["disposition"] == "delivery" and c["topics"][0] == "parcel tracking" for c in drill["contacts"])
    page = chat.get(f"/api/analytics/reasons/contacts?start={start}&end={end}&reason=account&limit=1&offset=1", "sup")
    assert page["total"] == 3 and len(page["contacts"]) == 1


def test_bad_input_is_refused_with_4xx(chat: Any) -> None:
    chat.error("GET", "/api/analytics/sentiment/contacts/nope", 404, user="sup")
    chat.error("GET", "/api/analytics/sentiment/trend?start=100&end=50", 422, user="sup")
    chat.error("GET", "/api/analytics/sentiment/trend?start=0&end=1e9", 422, user="sup")  # period too long
    chat.error("GET", "/api/analytics/sentiment/trend?start=0&end=10&by=team", 422, user="sup")
    chat.error("GET", "/api/analytics/sentiment/trend?start=0&end=10", 403, user="ann")  # agents: no
    chat.error("GET", "/api/analytics/reasons?start=0&end=10&source=mood", 422, user="sup")
    chat.error("GET", "/api/analytics/reasons?start=0", 422, user="sup")
    chat.error("GET", "/api/analytics/reasons/contacts?start=0&end=10", 422, user="sup")  # no reason
    chat.error("POST", "/api/analytics/sentiment/score", 422, user="sup", json={"text": "x", "language": "de"})
    chat.error("POST", "/api/analytics/sentiment/score", 422, user="sup", json={"text": "x" * 20_001})


def test_a_negative_customer_raises_a_live_alert_that_clears_when_the_contact_ends(chat: Any) -> None:
    seen: list[dict[str, Any]] = []
    chat.container.bus.subscribe("alert", lambda _t, m: seen.append(dict(m)))
    cid = open_chat(chat, "web-9", "Hello, I have a question about my bill")
    assert not [m for m in seen if m.get("kind") == "negative_sentiment"]
    customer_writes(chat, "web-9", "This is absolutely terrible, worst service ever, I am furious!", "n1")
    customer_writes(chat, "web-9", "Horrible. Useless. I hate this.", "n2")
    raised = [m for m in seen if m["type"] == "AlertRaised" and m["kind"] == "negative_sentiment"]
    assert len(raised) == 1 and raised[0]["subject"] == cid and raised[0]["value"] < -0.5
    assert raised[0]["threshold"] == -0.5
    open_ids = [a["subject"] for a in chat.get("/api/supervisor/alerts", "sup")["alerts"]]
    assert cid in open_ids
    chat.act("a1", cid, "end")
    chat.act("a1", cid, "wrapup", disposition=None)
    cleared = [m for m in seen if m["type"] == "AlertCleared" and m["kind"] == "negative_sentiment"]
    assert [m["subject"] for m in cleared] == [cid]

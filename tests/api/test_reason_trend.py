"""Contact reasons per day and per queue over the API, on both backends: the top reasons' daily counts (zeros
included), the Pareto and its drill-down of one queue, and bad input refused with 4xx."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def chat(centre: Any) -> Any:
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 5}}})
    centre.agent_login("a1")
    return centre


def handled(centre: Any, n: int, text: str, disposition: str) -> str:
    cid = str(centre.new_contact(channel="chat", caller_id=f"web-{n}", text=text)["contact_id"])
    centre.act("a1", cid, "accept")
    centre.advance(5)
    centre.act("a1", cid, "end")
    centre.act("a1", cid, "wrapup", disposition=disposition)
    return cid


def test_top_reasons_per_day_and_one_queues_pareto(chat: Any) -> None:
    start = chat.clock.now()
    day1 = [("where is my parcel", "account"), ("reset my password", "account"), ("router broken", "fix")]
    day2 = [("password again", "account"), ("parcel late", "delivery")]
    cids = [handled(chat, i, text, disp) for i, (text, disp) in enumerate(day1)]
    chat.advance(86400 - 5 * len(day1))
    cids += [handled(chat, 10 + i, text, disp) for i, (text, disp) in enumerate(day2)]
    end = start + 2 * 86400
    got = chat.get(f"/api/analytics/reasons/trend?start={start}&end={end}&top=2", "sup")
    assert got["buckets"] == [start, start + 86400] and got["bucket_s"] == 86400
    assert [(s["reason"], s["counts"], s["total"]) for s in got["series"]] == [
        ("account", [2, 1], 3), ("delivery", [0, 1], 1)]
    weekly = chat.get(f"/api/analytics/reasons/trend?start={start}&end={end}&bucket=week", "sup")
    assert [(s["reason"], s["counts"]) for s in weekly["series"]] == [("account", [3]), ("delivery", [1]), ("fix", [1])]
    support = chat.get(f"/api/analytics/reasons?start={start}&end={end}&queue_id=support", "sup")
    assert support["contacts"] == 1 and [(r["reason"], r["count"]) for r in support["rows"]] == [("fix", 1)]
    in_queue = chat.get(f"/api/analytics/reasons/trend?start={start}&end={end}&queue_id=sales", "sup")
    assert [s["reason"] for s in in_queue["series"]] == ["account", "delivery"]
    drill = chat.get(f"/api/analytics/reasons/contacts?start={start}&end={end}&reason=fix&queue_id=support", "sup")
    assert [c["contact_id"] for c in drill["contacts"]] == [cids[2]]
    none = chat.get(f"/api/analytics/reasons/contacts?start={start}&end={end}&reason=fix&queue_id=sales", "sup")
    assert none["total"] == 0


def test_bad_trend_input_is_refused(chat: Any) -> None:
    chat.error("GET", "/api/analytics/reasons/trend?start=0&end=100&bucket=hour", 422, user="sup")
    chat.error("GET", "/api/analytics/reasons/trend?start=100&end=50", 422, user="sup")
    chat.error("GET", "/api/analytics/reasons/trend?start=0&end=1e9", 422, user="sup")  # too long
    chat.error("GET", "/api/analytics/reasons/trend?start=0&end=100&top=0", 422, user="sup")
    chat.error("GET", "/api/analytics/reasons/trend?start=0&end=100", 403, user="ann")

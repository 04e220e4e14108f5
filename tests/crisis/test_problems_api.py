"""Problem management over the API (SQLite and PostgreSQL): a problem opened on a disposition and a phrase links
the stored contacts that match (backfill), then new ones as they are dispositioned or write (automatic), and by
hand; its count per hour, its affected customers and their export to a campaign's calling list (do-not-call numbers
left out); resolution and closing; the problems of a crisis in its post-incident report; bad input refused."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.testing.fake_channel import ManualTimers

CAMPAIGN = {"name": "Outage call-back", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100"}


@pytest.fixture
def desk(centre: Any) -> Any:
    centre.container.conversations.later = ManualTimers(centre.clock)
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, "chat": 5}}})
    centre.agent_login("a1")
    return centre


def call(api: Any, phone: str, disposition: str | None) -> str:
    """A voice call from ``phone`` handled by a1 and wrapped up with ``disposition``."""
    cid = str(api.new_contact(channel="voice", caller_id=phone)["contact_id"])
    api.act("a1", cid, "accept")
    api.advance(60)
    api.act("a1", cid, "end")
    api.act("a1", cid, "wrapup", disposition=disposition)
    return cid


def chat(api: Any, address: str, text: str) -> str:
    cid = str(api.new_contact(channel="chat", caller_id=address, text=text)["contact_id"])
    api.act("a1", cid, "accept")
    api.act("a1", cid, "end")
    api.act("a1", cid, "wrapup", disposition="other")
    return cid


def test_backfill_automatic_and_manual_links_counts_customers_export_resolve(desk: Any) -> None:
    api = desk
    start = api.clock.now()
    before = [call(api, "+442079460001", "line down"), call(api, "+442079460002", "billing"),
              chat(api, "web-1", "My BROADBAND keeps dropping since this morning"), call(api, "+442079460001",
                                                                                       "line down")]
    api.advance(3600)
    problem = api.post("/api/problems", "sup", 201, json={
        "title": "Broadband outage in the north", "rules": {"dispositions": ["Line down"],
                                                             "phrases": ["broadband keeps dropping"]},
        "workaround": "Restart the router"})
    pid = problem["problem_id"]
    assert problem["status"] == "open" and problem["backfilled"] == 3 and problem["contacts"] == 3
    linked = api.get(f"/api/problems/{pid}/contacts", "sup")
    assert {c["contact_id"] for c in linked["contacts"]} == {before[0], before[2], before[3]}
    assert {c["reason"] for c in linked["contacts"]} == {"disposition:Line down", "phrase:broadband keeps dropping"}
    assert {c["how"] for c in linked["contacts"]} == {"backfill"}

    # from now on, contacts are linked as they are dispositioned or as the customer writes
    api.advance(3600)
    new_call = call(api, "+442079460003", "LINE DOWN")
    other = call(api, "+442079460004", "billing")
    new_chat = api.new_contact(channel="chat", caller_id="web-2", text="broadband keeps dropping again")["contact_id"]
    api.act("a1", new_chat, "accept")
    rows = {c["contact_id"]: c for c in api.get(f"/api/problems/{pid}/contacts", "sup")["contacts"]}
    assert new_call in rows and new_chat in rows and other not in rows
    assert rows[new_call]["how"] == "auto" and rows[new_call]["queue_id"] is not None
    # by hand: a supervisor, or the agent who handled the contact; again changes nothing
    assert api.post(f"/api/problems/{pid}/contacts", "ann", json={"contact_id": other})["linked"] is True
    api.post(f"/api/problems/{pid}/contacts", "sup", json={"contact_id": other})
    assert api.get(f"/api/problems/{pid}", "sup")["contacts"] == 6
    assert api.delete(f"/api/problems/{pid}/contacts/{other}", "sup")["linked"] is False
    api.error("DELETE", f"/api/problems/{pid}/contacts/{other}", 404, "sup")
    api.error("POST", f"/api/problems/{pid}/contacts", 404, "sup", json={"contact_id": "ghost"})
    api.error("POST", f"/api/problems/{pid}/contacts", 403, "bob", json={"contact_id": other})

    counts = api.get(f"/api/problems/{pid}/counts?bucket=hour&start={start}&end={api.clock.now() + 1}", "sup")
    assert counts["total"] == 5 and sum(b["contacts"] for b in counts["series"]) == 5
    assert counts["series"][0]["contacts"] == 3  # the three before the problem, in the first hour
    assert all(b["start"] % 3600 == 0 for b in counts["series"])

    affected = api.get(f"/api/problems/{pid}/customers", "sup")
    by_phone = {tuple(c["phones"]): c for c in affected["customers"]}
    assert by_phone[("+442079460001",)]["contacts"] == 2 and len(affected["customers"]) == 4
    assert affected["customers"][0]["phones"] == ["+442079460001"]  # most contacts first

    api.put("/api/campaigns/outage", "admin", json=CAMPAIGN)
    api.post("/api/dnc/outage/numbers", "sup", 201, json={"phone": "+442079460003"})
    exported = api.post(f"/api/problems/{pid}/campaign-list", "sup", json={"campaign_id": "outage"})
    assert exported["customers"] == 4 and exported["skipped_dnc"] == 1 and exported["without_phone"] == 2
    assert exported["import"]["accepted"] == 1 and exported["import"]["source"] == f"problem {pid}"
    records = api.get("/api/campaigns/outage/records", "sup")
    assert [r["phone"] for r in records["records"]] == ["+442079460001"]
    api.error("POST", f"/api/problems/{pid}/campaign-list", 404, "sup", json={"campaign_id": "nope"})

    # known error with the article, then resolved: no more automatic links; closed
    api.patch(f"/api/problems/{pid}", "sup", json={"status": "known_error", "kb_article_id": None})
    api.post(f"/api/problems/{pid}/resolve", "sup", json={"resolution": "Fibre repaired at the exchange"})
    api.act("a1", new_chat, "end")
    api.act("a1", new_chat, "wrapup", disposition="other")
    late = call(api, "+442079460005", "line down")
    assert late not in {c["contact_id"] for c in api.get(f"/api/problems/{pid}/contacts", "sup")["contacts"]}
    done = api.post(f"/api/problems/{pid}/close", "sup")
    assert done["status"] == "closed" and done["resolution"] == "Fibre repaired at the exchange"
    api.error("PATCH", f"/api/problems/{pid}", 409, "sup", json={"title": "again"})
    types = [e.type for e in (s.event for s in api.container.store.events_of_type(
        ("ProblemOpened", "ProblemUpdated", "ProblemResolved", "ProblemClosed", "ProblemCustomersExported")))]
    assert types == ["ProblemOpened", "ProblemCustomersExported", "ProblemUpdated", "ProblemResolved", "ProblemClosed"]


def test_rules_refused_and_a_crisis_report_lists_its_problems(desk: Any) -> None:
    api = desk
    for bad in ({"title": "x", "rules": {}}, {"title": "", "rules": {"phrases": ["a"]}},
                {"title": "x", "rules": {"phrases": [" "]}}, {"title": "x", "rules": {"queues": ["a b"],
                                                                                        "phrases": ["a"]}},
                {"title": "x", "rules": {"phrases": ["a"]}, "status": "resolved"},
                {"title": "x", "rules": {"phrases": ["a"]}, "kb_article_id": "no-such-article"},
                {"title": "x", "rules": {"phrases": ["a"]}, "crisis_id": "no-such-crisis"}):
        api.error("POST", "/api/problems", 422, "sup", json=bad)
    api.error("POST", "/api/problems", 403, "ann", json={"title": "x", "rules": {"phrases": ["a"]}})
    api.error("GET", "/api/problems/nope", 404, "sup")
    api.error("GET", "/api/problems?status=weird", 422, "sup")

    api.put("/api/kb/articles/router-reset/en", "sup", json={"title": "Reset your router", "body": "Hold it 10 s."})
    api.put("/api/crisis/playbooks/outage", "sup", json={"name": "Outage", "triggers": [{"kind": "switch"}],
                                                         "actions": [{"kind": "pause_campaigns"}]})
    crisis = api.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": True})["crisis"]
    pid = api.post("/api/problems", "sup", 201, json={
        "title": "Router firmware", "rules": {"dispositions": ["router"]}, "kb_article_id": "router-reset",
        "crisis_id": crisis["id"]})["problem_id"]
    call(api, "+442079460009", "router")
    api.error("POST", f"/api/problems/{pid}/close", 409, "sup")  # not resolved yet
    api.error("POST", f"/api/problems/{pid}/resolve", 422, "sup", json={"resolution": ""})
    report = api.get(f"/api/crisis/crises/{crisis['id']}/report", "sup")
    assert report["problems"] == [{"problem_id": pid, "title": "Router firmware", "status": "open", "contacts": 1,
                                   "kb_article_id": "router-reset", "resolution": "", "resolved_at": None}]
    page = api.client.get(f"/api/crisis/crises/{crisis['id']}/report?format=html", headers=api.headers("sup"))
    assert "Router firmware" in page.text
    assert [p["problem_id"] for p in api.get(f"/api/problems?crisis_id={crisis['id']}", "sup")] == [pid]


def test_filters_rules_change_and_reopening_backfill_again(desk: Any) -> None:
    api = desk
    early = call(api, "+442079460021", "line down")
    api.advance(600)
    since = api.clock.now()
    in_sales = call(api, "+442079460022", "line down")  # sales: the queue of every voice call here
    pid = api.post("/api/problems", "sup", 201, json={
        "title": "Line down after the change", "rules": {"dispositions": ["line down"], "since": since,
                                                          "queues": ["support"]}})["problem_id"]
    assert api.get(f"/api/problems/{pid}", "sup")["contacts"] == 0  # since and the queue filter leave both out
    changed = api.patch(f"/api/problems/{pid}", "sup", json={"rules": {"dispositions": ["line down"]}})
    assert changed["backfilled"] == 2 and changed["contacts"] == 2
    assert {c["contact_id"] for c in api.get(f"/api/problems/{pid}/contacts", "sup")["contacts"]} == {early, in_sales}
    api.post(f"/api/problems/{pid}/resolve", "sup", json={"resolution": "fixed"})
    again = call(api, "+442079460023", "line down")
    assert api.get(f"/api/problems/{pid}", "sup")["contacts"] == 2
    reopened = api.patch(f"/api/problems/{pid}", "sup", json={"status": "open"})  # it came back
    assert reopened["status"] == "open" and reopened["resolved_at"] is None and reopened["backfilled"] == 1
    assert again in {c["contact_id"] for c in api.get(f"/api/problems/{pid}/contacts", "sup")["contacts"]}
    unchanged = api.patch(f"/api/problems/{pid}", "sup", json={"title": "Line down after the change"})
    assert unchanged["backfilled"] == 0
    changes = [s.event.changes for s in api.container.store.events_of_type(("ProblemUpdated",))]
    assert changes == [{"rules": {"dispositions": ["line down"], "phrases": [], "queues": [], "channels": [],
                                  "since": None}}, {"status": "open"}]  # no event for a change that changes nothing

"""The post-incident report over the API (SQLite and PostgreSQL): a switched crisis with contacts during it gives
its timeline (start, actions, acknowledgement, end), the queue figures per interval against the weeks before,
the logged-in agent hours beyond those weeks', and a printable HTML page with its chart."""

from __future__ import annotations

from typing import Any

from blendcc.domain import events as ev

WEEK = 7 * 86_400.0


def test_a_crisis_reports_its_timeline_figures_and_cost(centre: Any) -> None:
    api = centre
    # the same hour four weeks running: one contact offered each time, nobody logged in
    for w in range(1, 5):
        at = api.clock.now() - w * WEEK + 60
        api.container.store.append([
            ev.ContactCreated(at=at, contact_id=f"old{w}", channel="voice", direction="inbound", customer_id=None,
                              priority=5),
            ev.ContactQueued(at=at, contact_id=f"old{w}", queue_id="sales", channel="voice", step_index=0,
                             priority=5)])
    api.put("/api/crisis/playbooks/outage", "sup", json={
        "name": "Site outage", "triggers": [{"kind": "switch"}],
        "actions": [{"kind": "emergency", "scope": "support", "mode": "closed", "message": "outage"}]})
    crisis = api.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": True})["crisis"]
    api.agent_login("a1")
    for n in range(3):
        api.new_contact(channel="voice", caller_id=f"+4420700000{n}")
    api.post(f"/api/crisis/crises/{crisis['id']}/ack", "sup")
    api.advance(1800)
    api.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": False})

    report = api.get(f"/api/crisis/crises/{crisis['id']}/report", "sup")
    whats = [e["what"] for e in report["timeline"]]
    assert whats[0] == "CrisisStarted" and whats[-1] == "CrisisEnded"
    assert {"CrisisActionApplied", "EmergencyModeSet", "CrisisAcknowledged", "CrisisActionReverted",
            "EmergencyModeCleared"} <= set(whats)
    assert report["duration_s"] == 1800 and report["triggers"] == ["supervisor switch"]
    assert [a["by"] for a in report["acknowledged"]] == ["sup"]
    assert report["during"]["offered"] == 3
    during = [r for r in report["intervals"] if r["in_crisis"]]
    assert sum(r["offered"] for r in during) == 3
    assert sum(r["usual_offered"] for r in report["intervals"]) == 1.0  # one contact a week at that time, 4 weeks
    assert report["agent_hours"] == 0.5 and report["usual_agent_hours"] == 0  # a1 logged in for the 30 minutes
    assert report["extra_agent_hours"] == 0.5

    page = api.client.get(f"/api/crisis/crises/{crisis['id']}/report?format=html", headers=api.headers("sup"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "CrisisAcknowledged" in page.text and "outage" in page.text
    assert "attachment" in page.headers["content-disposition"]
    api.error("GET", "/api/crisis/crises/nope/report", 404, "sup")
    api.error("GET", f"/api/crisis/crises/{crisis['id']}/report", 403, "ann")
    api.error("GET", f"/api/crisis/crises/{crisis['id']}/report?format=pdf", 422, "sup")

"""Crisis readiness over the API (SQLite and PostgreSQL): the one emergency switch (closed, callback-only,
overflow) through the engine, audited and on the wallboard; playbooks validated and versioned; a playbook's
actions applied and reverted to exactly the prior state, every step an event in the log."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.manual_clock import FakeClock

# module level, at collection: inside a test, `conftest` may already name another directory's conftest module
from conftest import T0, WORKFLOW, seeded_api

CAMPAIGN = {"name": "Renewals", "mode": "predictive", "queue_id": "sales", "caller_id": "+14155550100",
            "max_attempts": 3, "max_attempts_per_day": 2}


def crisis_events(centre: Any) -> list[tuple[str, dict[str, Any]]]:
    types = ["CrisisStarted", "CrisisActionApplied", "CrisisActionReverted", "CrisisEnded", "EmergencyModeSet",
             "EmergencyModeCleared"]
    return [(s.event.type, s.event.to_dict()) for s in centre.container.store.events_of_type(types)]


def test_the_emergency_switch_closes_overflows_and_goes_back_to_normal(centre: Any) -> None:
    modes = centre.post("/api/crisis/emergency/sales", "sup",
                        json={"on": True, "mode": "closed", "message": "Power outage: call back later"})
    assert [(m["scope"], m["mode"], m["message"], m["by"]) for m in modes] == [
        ("sales", "closed", "Power outage: call back later", "sup")]
    rejected = centre.new_contact(channel="voice", caller_id="+15550001")
    assert rejected["state"] == "rejected"
    assert centre.new_contact(channel="voice", caller_id="+15550002", ivr={"menu": "3"})["state"] == "queued"
    board = centre.get("/api/stats/live", "sup")
    assert [(m["scope"], m["mode"]) for m in board["emergency"]] == [("sales", "closed")]
    assert centre.get("/api/crisis/status", "ann")["emergency"][0]["message"] == "Power outage: call back later"
    # overflow to billing replaces closed; the whole centre callback-only spares nobody but its own target
    centre.post("/api/crisis/emergency/sales", "sup",
                json={"on": True, "mode": "overflow", "overflow_queue": "billing"})
    moved = centre.new_contact(channel="voice", caller_id="+15550003")
    assert (moved["state"], moved["queue_id"]) == ("queued", "billing")
    centre.post("/api/crisis/emergency/sales", "sup", json={"on": False})
    centre.post("/api/crisis/emergency/*", "sup", json={"on": True, "mode": "callback_only"})
    assert centre.new_contact(channel="chat", caller_id="web-9", text="hi")["state"] == "rejected"
    centre.post("/api/crisis/emergency/*", "sup", json={"on": False})
    back = centre.new_contact(channel="voice", caller_id="+15550004")
    assert (back["state"], back["queue_id"]) == ("queued", "sales")
    assert centre.get("/api/crisis/status", "sup")["emergency"] == []
    reasons = [e["reason"] for t, e in ((s.event.type, s.event.to_dict())
                                         for s in centre.container.store.events_of_type(["ContactRejected"]))]
    assert reasons == ["emergency", "callback_only"]
    audit = sorted(centre.get("/api/audit?action=emergency_set"), key=lambda a: a["at"])
    assert sorted((a["actor"], a["target"], a["detail"]["mode"]) for a in audit) == [
        ("sup", "centre", "callback_only"), ("sup", "sales", "closed"), ("sup", "sales", "overflow")]
    assert len(centre.get("/api/audit?action=emergency_cleared")) == 2
    # refused cleanly
    centre.error("POST", "/api/crisis/emergency/nope", 404, user="sup", json={"on": True, "mode": "closed"})
    centre.error("POST", "/api/crisis/emergency/sales", 422, user="sup", json={"on": True, "mode": "overflow"})
    centre.error("POST", "/api/crisis/emergency/sales", 422, user="sup",
                 json={"on": True, "mode": "overflow", "overflow_queue": "sales"})
    centre.error("POST", "/api/crisis/emergency/sales", 404, user="sup",
                 json={"on": True, "mode": "overflow", "overflow_queue": "ghost"})
    centre.error("POST", "/api/crisis/emergency/sales", 422, user="sup", json={"on": True, "mode": "panic"})
    centre.error("POST", "/api/crisis/emergency/sales", 409, user="sup", json={"on": False})
    centre.error("POST", "/api/crisis/emergency/sales", 403, user="ann", json={"on": True, "mode": "closed"})
    centre.error("POST", "/api/crisis/emergency/sales", 422, user="sup", json={"on": True, "extra": 1})


PLAYBOOK: dict[str, Any] = {
    "name": "Site outage", "triggers": [{"kind": "switch"}],
    "actions": [
        {"kind": "emergency", "scope": "sales", "mode": "overflow", "overflow_queue": "billing",
         "message": "We are working on an outage"},
        {"kind": "emergency", "scope": "*", "mode": "closed"},
        {"kind": "banner", "text": "Known issue: site outage since $started ($waiting waiting)", "level": "critical"},
        {"kind": "pause_campaigns"},
        {"kind": "chat_capacity", "extra": 2},
    ]}


def test_playbooks_are_validated_versioned_and_refused_cleanly(centre: Any) -> None:
    first = centre.put("/api/crisis/playbooks/outage", "sup", json=PLAYBOOK)
    assert first["version"] == 1 and first["body"]["actions"][0]["overflow_queue"] == "billing"
    second = centre.put("/api/crisis/playbooks/outage", "sup", json={**PLAYBOOK, "name": "Outage v2"})
    assert second["version"] == 2
    assert [v["version"] for v in centre.get("/api/crisis/playbooks/outage/history", "sup")] == [1, 2]
    assert centre.post("/api/crisis/playbooks/outage/rollback", "sup", json={"version": 1})["body"]["name"] == (
        "Site outage")
    assert [p["id"] for p in centre.get("/api/crisis/playbooks", "sup")] == ["outage"]
    assert centre.post("/api/crisis/playbooks/other/check", "sup", json=PLAYBOOK)["ok"] is True
    assert centre.get("/api/crisis/playbooks", "sup")[0]["version"] == 3  # check saved nothing
    bad = centre.error("PUT", "/api/crisis/playbooks/outage", 422, user="sup",
                       json={**PLAYBOOK, "triggers": [{"kind": "kpi", "metric": "service_level", "threshold": 2}]})
    assert "share between 0 and 1" in bad["detail"] and bad["errors"][0]["loc"][:2] == ["triggers", 0]
    err = centre.error("PUT", "/api/crisis/playbooks/outage", 422, user="sup", json={
        **PLAYBOOK, "actions": [{"kind": "emergency", "scope": "ghost", "mode": "closed"}]})
    assert "unknown queue 'ghost'" in err["detail"]
    assert "unknown placeholder $slx" in centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup", json={
        **PLAYBOOK, "actions": [{"kind": "banner", "text": "SL $slx"}]})["detail"]
    assert "does not match" in centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup",
                                            json={**PLAYBOOK, "id": "y"})["detail"]
    nan = centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup", headers={"content-type": "application/json"},
                       content='{"triggers": [{"kind": "kpi", "metric": "waiting", "threshold": NaN}]}')
    assert "finite" in nan["detail"]
    centre.error("PUT", "/api/crisis/playbooks/x", 422, user="sup", json=["not", "an", "object"])
    centre.error("PUT", "/api/crisis/playbooks/bad id", 422, user="sup", json=PLAYBOOK)
    centre.error("PUT", "/api/crisis/playbooks/x", 403, user="ann", json=PLAYBOOK)
    centre.error("GET", "/api/crisis/playbooks/missing", 404, user="sup")
    centre.error("POST", "/api/crisis/playbooks/outage/rollback", 404, user="sup", json={"version": 9})
    centre.error("POST", "/api/crisis/playbooks/missing/switch", 404, user="sup", json={"on": True})
    centre.put("/api/crisis/playbooks/kpi", "sup", json={"triggers": [{"kind": "kpi", "metric": "waiting",
                                                                       "threshold": 50}]})
    assert "no switch trigger" in centre.error("POST", "/api/crisis/playbooks/kpi/switch", 422, user="sup",
                                               json={"on": True})["detail"]
    centre.delete("/api/crisis/playbooks/kpi", "sup")
    centre.error("GET", "/api/crisis/playbooks/kpi", 404, user="sup")
    assert len(centre.get("/api/audit?action=config_changed")) >= 3


def test_a_switched_playbook_applies_its_actions_and_reverts_them_exactly(centre: Any) -> None:
    centre.put("/api/config/agents/a1", json={"name": "Ann", "queues": ["sales", "support"], "skills": {"tech": 3},
                                              "team_id": "t1", "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.put("/api/config/agents/a3", json={"name": "Cy", "queues": ["support", "billing"],
                                              "skills": {"tech": 1, "billing": 1},
                                              "capacity": {"limits": {"voice": 1}}})
    before = {aid: centre.get(f"/api/config/agents/{aid}") for aid in ("a1", "a2", "a3")}
    centre.put("/api/campaigns/renew", json=CAMPAIGN)
    centre.put("/api/campaigns/other", json={**CAMPAIGN, "name": "Other"})
    centre.post("/api/campaigns/renew/start", "sup")
    # a supervisor already closed sales by hand: the playbook's overflow replaces it, the end restores it
    centre.post("/api/crisis/emergency/sales", "sup", json={"on": True, "mode": "closed", "message": "by hand"})
    centre.put("/api/crisis/playbooks/outage", "sup", json=PLAYBOOK)
    statuses: list[dict[str, Any]] = []
    centre.container.bus.subscribe("crisis", lambda _t, m: statuses.append(dict(m)))

    on = centre.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": True})
    crisis = on["crisis"]
    assert (crisis["playbook_id"], crisis["by"], crisis["triggers"]) == ("outage", "sup", ["supervisor switch"])
    status = centre.get("/api/crisis/status", "ann")  # every signed-in user sees it (the desktop)
    assert sorted((m["scope"], m["mode"]) for m in status["emergency"]) == [("*", "closed"), ("sales", "overflow")]
    (banner,) = status["banners"]
    assert banner["level"] == "critical"
    assert banner["text"] == "Known issue: site outage since 2024-01-15T09:00:00+00:00 (n/a waiting)"
    assert centre.get("/api/campaigns/renew/state", user="sup")["state"] == "paused"
    assert centre.get("/api/config/agents/a1")["capacity"]["limits"]["chat"] == 4
    chats = before["a2"]["capacity"]["limits"]["chat"]
    assert centre.get("/api/config/agents/a2")["capacity"]["limits"]["chat"] == chats + 2
    assert centre.get("/api/config/agents/a3") == before["a3"]  # takes no chats: unchanged
    assert centre.new_contact(channel="voice", caller_id="+15550001")["queue_id"] == "billing"
    assert centre.new_contact(channel="voice", caller_id="+15550002", ivr={"menu": "2"})["state"] == "rejected"
    assert [c["id"] for c in centre.get("/api/crisis/active", "sup")] == [crisis["id"]]
    assert any(s["type"] == "CrisisStatus" and s["banners"] for s in statuses)
    assert any(s["type"] == "CrisisStarted" for s in statuses)  # the log's events reach the bus too

    off = centre.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": False})
    assert off["crisis"] is None
    status = centre.get("/api/crisis/status", "sup")
    assert [(m["scope"], m["mode"], m["message"], m["by"]) for m in status["emergency"]] == [
        ("sales", "closed", "by hand", "sup")]
    assert status["banners"] == [] and status["crises"] == []
    assert centre.get("/api/campaigns/renew/state", user="sup")["state"] == "running"
    assert centre.get("/api/campaigns/other/state", user="sup")["state"] == "stopped"
    for aid, doc in before.items():
        assert centre.get(f"/api/config/agents/{aid}") == doc
    log = crisis_events(centre)
    kinds = [(t, e.get("kind") or e.get("mode") or "") for t, e in log]
    assert kinds == [
        ("EmergencyModeSet", "closed"),
        ("CrisisStarted", ""), ("EmergencyModeSet", "overflow"), ("CrisisActionApplied", "emergency"),
        ("EmergencyModeSet", "closed"), ("CrisisActionApplied", "emergency"), ("CrisisActionApplied", "banner"),
        ("CrisisActionApplied", "pause_campaigns"), ("CrisisActionApplied", "chat_capacity"),
        ("CrisisActionReverted", "chat_capacity"), ("CrisisActionReverted", "pause_campaigns"),
        ("CrisisActionReverted", "banner"), ("EmergencyModeCleared", ""), ("CrisisActionReverted", "emergency"),
        ("EmergencyModeSet", "closed"), ("CrisisActionReverted", "emergency"), ("CrisisEnded", "")]
    applied = [e for t, e in log if t == "CrisisActionApplied"]
    assert applied[0]["prior"]["mode"]["message"] == "by hand" and applied[3]["prior"] == {"paused": ["renew"]}
    assert [a["detail"]["on"] for a in centre.get("/api/audit?action=crisis_switched")] in ([True, False],
                                                                                            [False, True])



def test_web_chat_shows_its_offline_form_while_the_centre_is_closed(sqlite_url: str, fast_passwords: None,
                                                                   tmp_path: Any) -> None:
    with seeded_api(sqlite_url, FakeClock(T0), webchat={"default": {"centre_name": "Acme"}},
                    webchat_attachment_dir=str(tmp_path)) as api:
        assert api.get("/api/webchat/default/config", None)["open"] is True
        api.post("/api/crisis/emergency/*", "sup", json={"on": True, "mode": "callback_only",
                                                         "message": "Leave us a message: we call you back"})
        config = api.get("/api/webchat/default/config", None)
        assert (config["open"], config["closed_reason"]) == (False, "Leave us a message: we call you back")
        refused = api.error("POST", "/api/webchat/default/sessions", 409, user=None,
                            json={"name": "Eve", "email": "eve@example.com"})
        assert refused["error"] == "closed"
        api.post("/api/crisis/emergency/*", "sup", json={"on": True, "mode": "overflow", "overflow_queue": "billing"})
        assert api.get("/api/webchat/default/config", None)["open"] is True  # overflowing: chats still come in
        api.post("/api/crisis/emergency/*", "sup", json={"on": False})
        assert api.get("/api/webchat/default/config", None)["open"] is True


def test_overlapping_crises_on_one_queue_stack_and_the_last_to_end_restores(centre: Any) -> None:
    centre.put("/api/crisis/playbooks/a", "sup", json={"triggers": [{"kind": "switch"}], "actions": [
        {"kind": "emergency", "scope": "sales", "mode": "closed", "message": "A"}]})
    centre.put("/api/crisis/playbooks/b", "sup", json={"triggers": [{"kind": "switch"}], "actions": [
        {"kind": "emergency", "scope": "sales", "mode": "overflow", "overflow_queue": "billing", "message": "B"}]})

    def sales() -> Any:
        return [(m["mode"], m["message"]) for m in centre.get("/api/crisis/status", "sup")["emergency"]]

    centre.post("/api/crisis/playbooks/a/switch", "sup", json={"on": True})
    centre.post("/api/crisis/playbooks/b/switch", "sup", json={"on": True})
    assert sales() == [("overflow", "B")]
    centre.post("/api/crisis/playbooks/a/switch", "sup", json={"on": False})  # B still holds the queue
    assert sales() == [("overflow", "B")]
    centre.post("/api/crisis/playbooks/b/switch", "sup", json={"on": False})  # the state before A: normal
    assert sales() == []
    # the other order: B ends first and gives the queue back to A's mode, then A ends
    centre.post("/api/crisis/playbooks/a/switch", "sup", json={"on": True})
    centre.post("/api/crisis/playbooks/b/switch", "sup", json={"on": True})
    centre.post("/api/crisis/playbooks/b/switch", "sup", json={"on": False})
    assert sales() == [("closed", "A")]
    centre.post("/api/crisis/playbooks/a/switch", "sup", json={"on": False})
    assert sales() == []


def test_a_prepared_workflow_version_routes_during_the_crisis_and_the_one_before_comes_back(centre: Any) -> None:
    # version 2 of the main workflow: everything to billing (the crisis routing), then version 3 as today
    centre.put("/api/config/workflows/main", json={"name": "Crisis", "default": [{"queue": "billing"}]})
    centre.put("/api/config/workflows/main", json=WORKFLOW)
    today = centre.get("/api/config/workflows/main")
    centre.put("/api/crisis/playbooks/reroute", "sup", json={"triggers": [{"kind": "switch"}], "actions": [
        {"kind": "workflow_version", "workflow": "main", "version": 2}]})
    assert centre.new_contact(channel="voice", caller_id="+15550001")["queue_id"] == "sales"
    centre.post("/api/crisis/playbooks/reroute/switch", "sup", json={"on": True})
    assert centre.get("/api/config/workflows/main")["name"] == "Crisis"
    assert centre.new_contact(channel="voice", caller_id="+15550002")["queue_id"] == "billing"
    centre.post("/api/crisis/playbooks/reroute/switch", "sup", json={"on": False})
    assert centre.get("/api/config/workflows/main") == today
    assert centre.new_contact(channel="voice", caller_id="+15550003")["queue_id"] == "sales"
    versions = [v["version"] for v in centre.get("/api/config/workflows/main/history")]
    assert versions == [1, 2, 3, 4, 5]  # the crisis's change and its revert are versions too
    err = centre.error("PUT", "/api/crisis/playbooks/bad", 422, user="sup", json={
        "triggers": [{"kind": "switch"}], "actions": [{"kind": "workflow_version", "workflow": "main", "version": 9}]})
    assert err["detail"] == "workflow 'main' has no version 9" and err["errors"][0]["loc"] == ["actions", 0, "version"]


def test_a_site_switch_covers_the_queues_of_that_site(centre: Any) -> None:
    sales = centre.get("/api/config/queues/sales")
    centre.put("/api/config/queues/sales", json={**{k: v for k, v in sales.items() if k != "id"}, "site": "north"})
    err = centre.error("PUT", "/api/crisis/playbooks/north", 422, user="sup", json={
        "triggers": [{"kind": "switch"}], "actions": [{"kind": "emergency", "scope": "site:east", "mode": "closed"}]})
    assert "no queue is at site 'east'" in err["detail"]
    centre.error("POST", "/api/crisis/emergency/site:east", 404, user="sup", json={"on": True, "mode": "closed"})
    centre.put("/api/crisis/playbooks/north", "sup", json={
        "triggers": [{"kind": "switch"}], "actions": [{"kind": "emergency", "scope": "site:north", "mode": "closed"}]})
    centre.post("/api/crisis/playbooks/north/switch", "sup", json={"on": True})
    assert [(m["scope"], m["mode"]) for m in centre.get("/api/crisis/status", "ann")["emergency"]] == [
        ("site:north", "closed")]
    assert centre.new_contact(channel="voice", caller_id="+15550011")["state"] == "rejected"  # sales: north
    assert centre.new_contact(channel="voice", caller_id="+15550012", ivr={"menu": "3"})["state"] == "queued"
    centre.post("/api/crisis/playbooks/north/switch", "sup", json={"on": False})
    assert centre.get("/api/crisis/status", "sup")["emergency"] == []
    centre.post("/api/crisis/emergency/site:north", "sup", json={"on": True, "mode": "callback_only"})
    assert centre.new_contact(channel="voice", caller_id="+15550013")["state"] == "rejected"
    centre.post("/api/crisis/emergency/site:north", "sup", json={"on": False})
    assert centre.new_contact(channel="voice", caller_id="+15550014")["state"] == "queued"
    assert [a["target"] for a in centre.get("/api/audit?action=emergency_set")] == ["site:north"]

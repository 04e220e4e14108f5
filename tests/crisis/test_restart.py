"""A restart keeps crisis readiness whole: an emergency mode older than the engine's replay window is set
again, and a crisis that had not ended is active again (banner, acknowledgement, what its actions replaced),
so switching it off after the restart still restores exactly the state before it."""

from __future__ import annotations

from typing import Any

from conftest import T0, seed_centre


def test_emergency_modes_and_an_active_crisis_survive_a_restart(db_url: str, clock: Any, containers: Any,
                                                                 make_api: Any) -> None:
    first = make_api(containers(db_url, clock), clock)
    seed_centre(first)
    first.post("/api/crisis/emergency/billing", "sup", json={"on": True, "mode": "closed", "message": "by hand"})
    first.put("/api/crisis/playbooks/outage", "sup", json={
        "triggers": [{"kind": "switch"}],
        "actions": [{"kind": "emergency", "scope": "billing", "mode": "overflow", "overflow_queue": "sales"},
                    {"kind": "banner", "text": "Outage since $started"}]})
    crisis = first.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": True})["crisis"]
    first.post(f"/api/crisis/crises/{crisis['id']}/ack", "sup")
    before = first.get("/api/crisis/status", "sup")
    seq = first.container.store.last_seq()
    clock.advance(60)

    second = make_api(containers(db_url, clock), clock)  # nothing waiting, nobody logged in: an empty window
    after = second.get("/api/crisis/status", "sup")
    assert after["emergency"] == before["emergency"] and after["banners"] == before["banners"]
    (again,) = after["crises"]
    assert (again["id"], again["acknowledged_by"]) == (crisis["id"], "sup")
    assert second.new_contact(channel="voice", caller_id="+15550001", ivr={"menu": "3"})["queue_id"] == "sales"
    written = [s.event.type for s in second.container.store.read(after_seq=seq)]
    assert written[:1] == ["EmergencyModeSet"]  # the mode set again (the window did not hold it)

    second.post("/api/crisis/playbooks/outage/switch", "sup", json={"on": False})
    status = second.get("/api/crisis/status", "sup")
    assert [(m["scope"], m["mode"], m["message"]) for m in status["emergency"]] == [("billing", "closed", "by hand")]
    assert status["banners"] == [] and status["crises"] == []
    assert clock.now() == T0 + 60

    third = make_api(containers(db_url, clock), clock)  # and a restart with nothing to restore writes nothing
    seq = third.container.store.last_seq()
    fourth = make_api(containers(db_url, clock), clock)
    assert fourth.container.store.last_seq() == seq
    assert [(m["scope"], m["mode"]) for m in fourth.get("/api/crisis/status", "sup")["emergency"]] == [
        ("billing", "closed")]


def test_a_handed_over_mode_is_restored_after_a_restart(db_url: str, clock: Any, containers: Any,
                                                         make_api: Any) -> None:
    first = make_api(containers(db_url, clock), clock)
    seed_centre(first)
    for pid, action in (("a", {"mode": "closed"}), ("b", {"mode": "overflow", "overflow_queue": "billing"})):
        first.put(f"/api/crisis/playbooks/{pid}", "sup", json={"triggers": [{"kind": "switch"}], "actions": [
            {"kind": "emergency", "scope": "sales", **action}]})
    first.post("/api/crisis/emergency/sales", "sup", json={"on": True, "mode": "closed", "message": "before"})
    first.post("/api/crisis/playbooks/a/switch", "sup", json={"on": True})
    first.post("/api/crisis/playbooks/b/switch", "sup", json={"on": True})
    first.post("/api/crisis/playbooks/a/switch", "sup", json={"on": False})  # b now restores what a replaced
    second = make_api(containers(db_url, clock), clock)
    assert [c["playbook_id"] for c in second.get("/api/crisis/active", "sup")] == ["b"]
    second.post("/api/crisis/playbooks/b/switch", "sup", json={"on": False})
    assert [(m["mode"], m["message"]) for m in second.get("/api/crisis/status", "sup")["emergency"]] == [
        ("closed", "before")]

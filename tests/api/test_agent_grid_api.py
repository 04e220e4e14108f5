"""The supervisor's agent grid and its actions over the API (SQLite): rows with live state, contacts, today's
figures and adherence; filters; messages to an agent's desktop socket; moving a contact to an agent;
refusals (unknown agent 404, bad input 422, agent role 403) and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import T0, seed_centre

from .test_ws import connect, receive

DAY = "2024-01-15"  # T0 is Monday 15 January 2024, 09:00 UTC


@pytest.fixture
def sup_api(sqlite_url: str, clock: Any, containers: Any, make_api: Any) -> Any:
    api = make_api(containers(sqlite_url, clock), clock)
    seed_centre(api)
    return api


def rows(api: Any, query: str = "") -> dict[str, dict[str, Any]]:
    grid = api.get(f"/api/supervisor/agents{query}", "sup")
    return {r["id"]: r for r in grid["agents"]}


def test_grid_rows_show_state_contacts_and_todays_figures(sup_api: Any) -> None:
    api = sup_api
    api.agent_login("a1")
    cid = api.new_contact()["contact_id"]
    api.clock.advance(5)
    api.act("a1", cid, "accept")
    api.clock.advance(30)
    grid = api.get("/api/supervisor/agents", "sup")
    assert grid["day_start"] == T0 - 9 * 3600 and grid["timezone"] == "UTC"
    assert grid["options"]["teams"] == ["t1"] and "billing" in grid["options"]["queues"]
    by_id = {r["id"]: r for r in grid["agents"]}
    assert set(by_id) == {"a1", "a2", "a3"}
    a1 = by_id["a1"]
    assert (a1["name"], a1["team_id"], a1["state"], a1["logged_in"]) == ("Ann", "t1", "busy", True)
    assert a1["seconds"] == 30
    assert [(c["contact_id"], c["channel"], c["queue_id"]) for c in a1["contacts"]] == [(cid, "voice", "sales")]
    assert a1["handled"] == 1 and a1["aht_s"] is None  # nothing completed yet
    assert by_id["a2"]["state"] == "offline" and by_id["a2"]["contacts"] == []
    assert by_id["a3"]["adherence"] == {"scheduled": None, "in_adherence": None, "today": None}
    api.act("a1", cid, "end")
    api.clock.advance(10)
    api.act("a1", cid, "wrapup", disposition=None)
    a1 = api.get("/api/supervisor/agents/a1/row", "sup")
    assert a1["contacts"] == [] and a1["handled"] == 1 and a1["aht_s"] == 40  # 30 s talk + 10 s wrap-up
    assert a1["occupancy"] is not None and 0 < a1["occupancy"] <= 1


def test_filters_by_team_queue_and_skill(sup_api: Any) -> None:
    assert set(rows(sup_api, "?team=t1")) == {"a1", "a2"}
    assert set(rows(sup_api, "?queue=billing")) == {"a2", "a3"}
    assert set(rows(sup_api, "?skill=tech")) == {"a1", "a3"}
    assert set(rows(sup_api, "?team=t1&skill=tech")) == {"a1"}
    assert rows(sup_api, "?team=nobody") == {}
    assert set(rows(sup_api, "?team=&queue=")) == {"a1", "a2", "a3"}  # empty filters: everybody
    # the rows of some agents only (the console re-reads those an event touched), the filter still applies
    assert set(rows(sup_api, "?agent=a1&agent=a3")) == {"a1", "a3"}
    assert set(rows(sup_api, "?agent=a1&agent=a3&team=t1")) == {"a1"}
    assert rows(sup_api, "?agent=nobody") == {}


def test_adherence_now_follows_the_schedule(sup_api: Any) -> None:
    api = sup_api
    day = {"agent_id": "a1", "date": DAY, "segments": [
        {"activity": "work", "start": f"{DAY}T09:00:00+00:00", "end": f"{DAY}T10:00:00+00:00"},
        {"activity": "break", "start": f"{DAY}T10:00:00+00:00", "end": f"{DAY}T10:15:00+00:00"}]}
    api.put("/api/wfm/schedules", "sup", json={"schedules": [day]})
    api.agent_login("a1")
    api.clock.advance(600)
    a1 = api.get("/api/supervisor/agents/a1/row", "sup")["adherence"]
    assert a1["scheduled"] == "work" and a1["in_adherence"] is True and a1["today"] == pytest.approx(1.0)
    api.post("/api/supervisor/agents/a1/state", "sup", json={"status": "aux", "reason": "coaching"})
    api.clock.advance(600)
    a1 = api.get("/api/supervisor/agents/a1/row", "sup")["adherence"]
    assert a1["scheduled"] == "work" and a1["in_adherence"] is False and a1["today"] == pytest.approx(0.5)


def test_message_reaches_the_agents_socket_and_is_audited(sup_api: Any) -> None:
    api = sup_api
    api.agent_login("a1")
    with connect(api, "/ws/agent", "ann") as ws:
        assert receive(ws)["stream"] == "snapshot"
        sent = api.post("/api/supervisor/agents/a1/message", "sup", json={"text": "  Please take lunch now  "})
        assert sent == {"agent_id": "a1", "text": "Please take lunch now", "from": "sup", "at": T0,
                        "logged_in": True}
        frame = receive(ws)
        assert (frame["stream"], frame["type"], frame["text"], frame["from"]) == (
            "agent", "SupervisorMessage", "Please take lunch now", "sup")
    (entry,) = [e for e in api.get("/api/audit?action=agent_messaged") if e["target"] == "a1"]
    assert entry["actor"] == "sup" and entry["detail"] == {"text": "Please take lunch now"}
    # an agent that is not logged in: sent (an open desktop shows it), and the answer says so
    assert api.post("/api/supervisor/agents/a2/message", "sup", json={"text": "hi"})["logged_in"] is False


def test_message_refusals(sup_api: Any) -> None:
    api = sup_api
    assert "agent nope is not configured" in api.error("POST", "/api/supervisor/agents/nope/message", 404, "sup",
                                                      json={"text": "hello"})["detail"]
    assert "empty" in api.error("POST", "/api/supervisor/agents/a1/message", 422, "sup", json={"text": ""})["detail"]
    api.error("POST", "/api/supervisor/agents/a1/message", 422, "sup", json={"text": "   "})
    api.error("POST", "/api/supervisor/agents/a1/message", 422, "sup", json={"text": "x" * 1001})
    api.error("POST", "/api/supervisor/agents/a1/message", 422, "sup", json={})
    api.error("POST", "/api/supervisor/agents/a1/message", 422, "sup", json={"text": "hi", "to": "all"})
    api.error("POST", "/api/supervisor/agents/a1/message", 403, "ann", json={"text": "hello"})
    api.error("POST", "/api/supervisor/agents/a1/message", 401, None, json={"text": "hello"})
    assert api.get("/api/audit?action=agent_messaged") == []


def test_grid_refusals(sup_api: Any) -> None:
    api = sup_api
    api.error("GET", "/api/supervisor/agents", 403, "ann")
    api.error("GET", "/api/supervisor/agents", 401, None)
    api.error("GET", "/api/supervisor/agents/a1/row", 403, "ann")
    assert "agent nope is not configured" in api.error("GET", "/api/supervisor/agents/nope/row", 404,
                                                      "sup")["detail"]


def test_move_a_contact_in_conversation_to_another_agent(sup_api: Any) -> None:
    api = sup_api
    api.agent_login("a1")
    cid = api.new_contact()["contact_id"]
    api.act("a1", cid, "accept")
    # exactly one target; a waiting contact goes to a queue, not an agent
    assert "exactly one" in api.error("POST", f"/api/supervisor/contacts/{cid}/move", 422, "sup",
                                      json={"queue_id": "sales", "agent_id": "a2"})["detail"]
    waiting = api.new_contact()["contact_id"]
    assert "in conversation" in api.error("POST", f"/api/supervisor/contacts/{waiting}/move", 409, "sup",
                                          json={"agent_id": "a2"})["detail"]
    api.post(f"/api/contacts/{waiting}/hangup", "sup")
    api.agent_login("a2")
    api.error("POST", f"/api/supervisor/contacts/{cid}/move", 403, "ann", json={"agent_id": "a2"})
    moved = api.post(f"/api/supervisor/contacts/{cid}/move", "sup", json={"agent_id": "a2"})
    assert (moved["state"], moved["offered_to"]) == ("transferred", "a2")
    assert api.work("a2").get(cid) == "reserved"
    actions = [(e["action"], e["target"], e["detail"]) for e in api.get("/api/audit?action=contact_moved")]
    assert actions == [("contact_moved", cid, {"queue_id": None, "agent_id": "a2"})]

"""Configuration over the API: PUT/GET/list/history/delete per kind, versions and cross-reference errors."""

from __future__ import annotations

from typing import Any

import pytest

#: kind -> (id, first body, changed body, field that shows the change)
DOCS: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "skills": ("spanish", {"name": "Spanish"}, {"name": "Español"}, "name"),
    "teams": ("t9", {"name": "Nine"}, {"name": "Nine B", "supervisor": "sup"}, "name"),
    "calendars": ("office", {"timezone": "Europe/London", "weekly": {"mon": [{"start": "09:00", "end": "17:00"}]}},
                  {"timezone": "Europe/Paris", "weekly": {"mon": [{"start": "08:00", "end": "18:00"}]}},
                  "timezone"),
    "queues": ("q9", {"name": "Nine", "wrap_up_s": 10}, {"name": "Nine", "wrap_up_s": 15}, "wrap_up_s"),
    "agents": ("a9", {"name": "Nia", "queues": ["sales"]}, {"name": "Nia", "queues": ["sales", "support"],
                                                            "skills": {"tech": 2}}, "queues"),
    "workflows": ("wf9", {"channels": ["email"], "default": [{"queue": "sales"}]},
                  {"channels": ["email"], "default": [{"queue": "support"}]}, "default"),
}


@pytest.mark.parametrize("kind", list(DOCS))
def test_put_get_list_history_delete(centre: Any, kind: str) -> None:
    doc_id, first, second, field = DOCS[kind]
    before = {d["id"] for d in centre.get(f"/api/config/{kind}")}
    r1 = centre.put(f"/api/config/{kind}/{doc_id}", json=first)
    assert r1["version"] == 1
    assert r1["document"]["id"] == doc_id
    r2 = centre.put(f"/api/config/{kind}/{doc_id}", json=second)
    assert r2["version"] == 2
    got = centre.get(f"/api/config/{kind}/{doc_id}", user="sup")
    assert got == r2["document"]
    assert got[field] != r1["document"][field]
    listed = {d["id"]: d for d in centre.get(f"/api/config/{kind}", user="sup")}
    assert set(listed) == before | {doc_id}
    assert listed[doc_id] == got
    centre.delete(f"/api/config/{kind}/{doc_id}")
    body = centre.error("GET", f"/api/config/{kind}/{doc_id}", 404)
    assert repr(doc_id) in body["detail"]
    assert doc_id not in {d["id"] for d in centre.get(f"/api/config/{kind}")}
    history = centre.get(f"/api/config/{kind}/{doc_id}/history", user="sup")
    assert [h["version"] for h in history] == [1, 2, 3]
    assert [h["deleted"] for h in history] == [False, False, True]
    assert [h["by"] for h in history] == ["admin"] * 3
    assert history[0]["document"][field] == r1["document"][field]
    assert history[1]["document"] == r2["document"]
    assert all(h["at"] == centre.T0 for h in history)
    # re-creating continues the numbering
    assert centre.put(f"/api/config/{kind}/{doc_id}", json=first)["version"] == 4
    # deleting twice is a clean 404
    centre.delete(f"/api/config/{kind}/{doc_id}")
    centre.error("DELETE", f"/api/config/{kind}/{doc_id}", 404)


def test_settings_document(centre: Any) -> None:
    r = centre.put("/api/config/settings/routing", json={"priority_head_start_s": 120})
    assert r["version"] == 1
    assert r["document"]["priority_head_start_s"] == 120
    assert centre.get("/api/config/settings/routing")["transfer_to_agent_timeout_s"] == 30
    body = centre.error("PUT", "/api/config/settings/other", 404, json={})
    assert "'routing'" in body["detail"]
    centre.error("PUT", "/api/config/settings/routing", 422, json={"max_overflow_hops": 0})


def test_path_id_wins_and_must_match_body(centre: Any) -> None:
    body = centre.error("PUT", "/api/config/skills/abc", 422, json={"id": "xyz", "name": "X"})
    assert "does not match" in body["detail"]
    assert centre.put("/api/config/skills/abc", json={"id": "abc"})["document"]["id"] == "abc"
    centre.error("PUT", "/api/config/skills/bad%20id", 422, json={})
    body = centre.error("GET", "/api/config/gizmos", 404)
    assert body["error"] == "http"


@pytest.mark.parametrize(("path", "body", "message"), [
    ("queues/q1", {"skills": {"cooking": 2}}, "queue q1: unknown skill 'cooking'"),
    ("agents/a9", {"queues": ["sales"], "skills": {"cooking": 2}}, "agent a9: unknown skill 'cooking'"),
    ("agents/a9", {"queues": ["nowhere"]}, "agent a9: unknown queue 'nowhere'"),
    ("agents/a9", {"team_id": "t404"}, "agent a9: unknown team 't404'"),
    ("workflows/w2", {"default": [{"queue": "nowhere"}]}, "workflow w2, default: unknown queue 'nowhere'"),
    ("workflows/w2", {"filters": [{"name": "f", "expression": "tier == 'gold'", "targets": [{"queue": "nowhere"}]}],
                      "default": [{"queue": "sales"}]}, "workflow w2, f: unknown queue 'nowhere'"),
    ("workflows/w2", {"filters": [{"name": "f", "expression": "tier ==", "targets": [{"queue": "sales"}]}],
                      "default": [{"queue": "sales"}]}, "expression 'tier ==' is not valid"),
    ("workflows/w2", {"filters": [{"name": "f", "expression": "__import__('os')", "targets": [{"queue": "sales"}]}],
                      "default": [{"queue": "sales"}]}, "only these functions may be called"),
    ("workflows/w2", {"filters": [{"name": "f", "expression": "is_open('mars')", "targets": [{"queue": "sales"}]}],
                      "default": [{"queue": "sales"}]}, "unknown calendar 'mars'"),
    ("workflows/w2", {"default": [{"queue": "sales", "skills": {"cooking": 1}}]},
     "workflow w2: unknown skill 'cooking'"),
    ("queues/q1", {"calendar_id": "mars"}, "queue q1: unknown calendar 'mars'"),
    ("queues/q1", {"no_agents_overflow_queue": "nowhere"}, "queue q1: unknown overflow queue 'nowhere'"),
    ("queues/q1", {"strategy": "coin_flip"}, "unknown strategy 'coin_flip'"),
    ("queues/q1", {"skills": {"tech": 9}}, "minimum proficiency for 'tech' must be 1-5"),
    ("queues/q1", {"closed_action": "overflow"}, "closed_action 'overflow' needs closed_overflow_queue"),
    ("calendars/c1", {"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ("calendars/c1", {"weekly": {"funday": []}}, "unknown weekday 'funday'"),
    ("calendars/c1", {"weekly": {"mon": [{"start": "18:00", "end": "09:00"}]}}, "must be after start"),
    ("agents/a9", {"skills": {"tech": 0}}, "proficiency for skill 'tech' must be 1-5"),
])
def test_cross_reference_and_validation_errors_are_422(centre: Any, path: str, body: dict[str, Any],
                                                       message: str) -> None:
    kind, doc_id = path.split("/")
    answer = centre.error("PUT", f"/api/config/{path}", 422, json=body)
    assert answer["error"] == "invalid"
    assert message in answer["detail"], answer["detail"]
    # nothing was stored
    centre.error("GET", f"/api/config/{path}", 404)
    assert centre.get(f"/api/config/{kind}/{doc_id}/history") == []


def test_deleting_a_referenced_document_is_refused(centre: Any) -> None:
    body = centre.error("DELETE", "/api/config/skills/tech", 422)
    assert "unknown skill 'tech'" in body["detail"]
    body = centre.error("DELETE", "/api/config/queues/support", 422)
    assert "unknown queue 'support'" in body["detail"]
    body = centre.error("DELETE", "/api/config/teams/t1", 422)
    assert "unknown team 't1'" in body["detail"]
    assert centre.get("/api/config/skills/tech")["id"] == "tech"
    assert [h["version"] for h in centre.get("/api/config/skills/tech/history")] == [1]


def test_config_change_applies_to_routing_at_once(centre: Any) -> None:
    """A new agent configured while contacts wait gets them when it logs in; a queue change is live."""
    out = centre.new_contact(ivr={"menu": "3"})
    assert out["state"] == "queued" and out["queue_id"] == "billing"
    centre.put("/api/config/agents/a9", json={"queues": ["billing"], "skills": {"billing": 1}})
    centre.put("/api/users/nia", json={"password": centre.PASSWORD, "role": "agent", "agent_id": "a9"})
    centre.post("/api/agent/login", "nia", json={"status": "available"})
    assert [w["contact_id"] for w in centre.get("/api/agent", "nia")["work"]] == [out["contact_id"]]
    # a queue's ring timeout applies to the next offer
    centre.put("/api/config/queues/sales", json={**_sales(), "offer_timeout_s": 5})
    centre.agent_login("a1")
    out2 = centre.new_contact()
    offer = next(w for w in centre.agent("a1")["work"] if w["contact_id"] == out2["contact_id"])
    assert offer["offer_expires"] == centre.T0 + 5


def test_reference_lists_expression_names_and_strategies(centre: Any) -> None:
    ref = centre.get("/api/config/_reference", user="ann")
    assert "tier" in ref["names"] and "is_open" in ref["functions"]
    assert "longest_idle" in ref["strategies"]


def _sales() -> dict[str, Any]:
    return {"name": "Sales", "wrap_up_s": 30, "offer_timeout_s": 20, "short_abandon_s": 5}


def test_deleting_a_logged_in_agent_is_refused(centre: Any) -> None:
    """Otherwise the engine keeps offering contacts to an agent nobody can act as or log out."""
    centre.agent_login("a1")
    body = centre.error("DELETE", "/api/config/agents/a1", 409)
    assert "agent a1 is logged in; log it out first" in body["detail"]
    assert centre.get("/api/config/agents/a1")["id"] == "a1"
    centre.post("/api/supervisor/agents/a1/state", "sup", json={"status": "offline"})
    centre.delete("/api/config/agents/a1")
    out = centre.new_contact()
    assert out["offered_to"] is None and out["state"] == "queued"
    body = centre.error("POST", "/api/agent/login", 404, user="ann")
    assert "agent a1 is not configured" in body["detail"]

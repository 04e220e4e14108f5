"""The configuration editor's endpoints: validate without saving (errors at their field), PUT's 422 in the
same shape, rollback to an earlier version (audited), JSON Schemas with references, trying a draft workflow."""

from __future__ import annotations

from typing import Any


def test_validate_reports_each_problem_at_its_field_and_saves_nothing(centre: Any) -> None:
    ok = centre.post("/api/config/queues/q7/validate", json={"name": "Seven", "calendar_id": "always"})
    assert ok["valid"] is True and ok["errors"] == []
    centre.error("GET", "/api/config/queues/q7", 404)  # nothing saved
    bad = centre.post("/api/config/queues/q7/validate", json={"name": "Seven", "wrap_up_s": -1, "wrap_up": 3})
    assert bad["valid"] is False
    locs = {tuple(e["loc"]) for e in bad["errors"]}
    assert ("wrap_up_s",) in locs and ("wrap_up",) in locs
    # a cross-document reference is placed at the field that names the missing document
    ref = centre.post("/api/config/queues/q7/validate", json={"calendar_id": "nowhere"})
    assert ref["errors"] == [{"loc": ["calendar_id"], "msg": "queue q7: unknown calendar 'nowhere'"}]
    skill = centre.post("/api/config/agents/a7/validate", json={"queues": ["sales"], "skills": {"klingon": 2}})
    assert skill["errors"][0]["loc"] == ["skills", "klingon"]
    wf = centre.post("/api/config/workflows/w7/validate", json={"default": [{"queue": "sales"}, {"queue": "zz"}]})
    assert wf["errors"][0]["loc"] == ["default", 1, "queue"]
    centre.error("POST", "/api/config/nokind/x/validate", 422, json={})


def test_put_422_carries_the_same_field_errors(centre: Any) -> None:
    body = centre.error("PUT", "/api/config/queues/q7", 422, json={"wrap_up_s": -1})
    assert [e["loc"] for e in body["errors"]] == [["wrap_up_s"]]
    body = centre.error("PUT", "/api/config/queues/q7", 422, json={"calendar_id": "nowhere"})
    assert body["errors"] == [{"loc": ["calendar_id"], "msg": "queue q7: unknown calendar 'nowhere'"}]
    # other routes keep the plain error body
    r = centre.client.post("/api/agent/login", json={"status": 3}, headers=centre.headers("ann"))
    assert "errors" not in r.json()


def test_rollback_makes_an_old_version_current_as_a_new_version(centre: Any) -> None:
    centre.put("/api/config/queues/q7", json={"name": "First"})
    centre.put("/api/config/queues/q7", json={"name": "Second"})
    r = centre.post("/api/config/queues/q7/rollback", json={"version": 1})
    assert r["version"] == 3 and r["restored"] == 1 and r["document"]["name"] == "First"
    assert centre.get("/api/config/queues/q7")["name"] == "First"
    history = centre.get("/api/config/queues/q7/history")
    assert [h["version"] for h in history] == [1, 2, 3]
    assert history[2]["document"] == history[0]["document"]
    audit = centre.get("/api/audit?action=config_rolled_back")
    assert audit[0]["target"] == "queues/q7" and audit[0]["detail"]["restored"] == 1
    centre.error("POST", "/api/config/queues/q7/rollback", 404, json={"version": 9})
    centre.error("POST", "/api/config/queues/q7/rollback", 403, user="sup", json={"version": 1})


def test_schemas_name_every_kind_and_its_references(centre: Any) -> None:
    kinds = centre.get("/api/config/_schemas", user="sup")["kinds"]
    assert {"queues", "agents", "workflows", "calendars", "skills", "ivr_flows"} <= set(kinds)
    assert kinds["queues"]["schema"]["properties"]["closed_action"]["enum"] == ["reject", "overflow", "queue"]
    assert kinds["agents"]["refs"]["queues"] == "queues"
    assert kinds["workflows"]["refs"]["queue"] == "queues"


def test_try_a_draft_workflow_with_a_sample_contact(centre: Any) -> None:
    draft = {"id": "draft1", "filters": [
        {"name": "billing", "expression": "'invoice' in keywords", "targets": [{"queue": "support", "priority": 7}]},
        {"name": "menu2", "expression": "ivr.menu == '2'", "targets": [{"queue": "support"}]}],
        "default": [{"queue": "sales"}]}
    r = centre.post("/api/config/workflows/_try", json={"workflow": draft, "contact": {
        "channel": "email", "text": "Where is my invoice?"}})
    assert r["filter"] == "billing" and r["queue_id"] == "support" and r["priority"] == 7
    r = centre.post("/api/config/workflows/_try", json={"workflow": draft, "contact": {"priority": 3}})
    assert r["filter"] == "default" and r["queue_id"] == "sales" and r["priority"] == 3
    centre.error("GET", "/api/config/workflows/draft1", 404)  # never saved
    bad = centre.error("POST", "/api/config/workflows/_try", 422,
                       json={"workflow": {"default": [{"queue": "nowhere"}]}})
    assert bad["errors"][0]["loc"] == ["default", 0, "queue"]

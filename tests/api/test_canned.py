"""Canned responses over REST on both backends: agents manage their personal ones, supervisors the team ones;
the / search sees what the agent may use; render fills the placeholders for a contact."""

from __future__ import annotations

from typing import Any

TEAM = {"scope": "queue", "owner": "support", "shortcut": "reboot", "title": "Reboot the router",
        "body": "Hello {customer.name}, {agent.name} here. Please reboot your router (ticket {contact.id})."}
MINE = {"scope": "personal", "owner": "a1", "shortcut": "sig", "body": "Best, {agent.name} ({customer.fields.plan})"}


def test_permissions_search_and_crud(centre: Any) -> None:
    team = centre.post("/api/canned", "sup", 201, json=TEAM)
    assert team["updated_by"] == "sup" and team["id"]
    centre.error("POST", "/api/canned", 403, user="ann", json={**TEAM, "shortcut": "other"})  # agents: personal only
    mine = centre.post("/api/canned", "ann", 201, json=MINE)
    centre.error("POST", "/api/canned", 403, user="bob", json={**MINE, "shortcut": "x"})  # not bob's own
    centre.error("POST", "/api/canned", 409, user="sup", json=TEAM)  # one /reboot per queue
    centre.error("POST", "/api/canned", 422, user="sup", json={**TEAM, "owner": "nowhere", "shortcut": "n"})
    centre.error("POST", "/api/canned", 422, user="sup", json={**TEAM, "shortcut": "Bad Shortcut"})
    centre.error("POST", "/api/canned", 422, user="sup", json={**TEAM, "shortcut": "t", "body": "hi {customer.nme}"})
    # a1 (support member) sees both, bob (sales, billing) neither; the supervisor sees all
    assert [r["shortcut"] for r in centre.get("/api/canned", "ann")] == ["reboot", "sig"]
    assert [r["shortcut"] for r in centre.get("/api/canned?query=rebo", "ann")] == ["reboot"]
    assert [r["shortcut"] for r in centre.get("/api/canned?query=router", "ann")] == ["reboot"]
    assert centre.get("/api/canned", "bob") == []
    centre.error("GET", f"/api/canned/{mine['id']}", 404, user="bob")
    assert len(centre.get("/api/canned", "sup")) == 2
    # agents change only their own; supervisors the team ones
    centre.error("PUT", f"/api/canned/{team['id']}", 403, user="ann", json={**TEAM, "body": "changed"})
    changed = centre.put(f"/api/canned/{mine['id']}", "ann", json={**MINE, "body": "Cheers, {agent.name}"})
    assert changed["body"] == "Cheers, {agent.name}" and changed["id"] == mine["id"]
    centre.error("DELETE", f"/api/canned/{team['id']}", 403, user="ann")
    assert centre.delete(f"/api/canned/{team['id']}", "sup") == {"deleted": team["id"]}
    centre.error("GET", f"/api/canned/{team['id']}", 404, user="sup")
    centre.error("GET", "/api/canned", 401, user=None)


def test_render_fills_the_placeholders_for_a_contact(centre: Any) -> None:
    team = centre.post("/api/canned", "sup", 201, json=TEAM)
    mine = centre.post("/api/canned", "ann", 201, json=MINE)
    customer = centre.post("/api/customers", "sup", 201, json={
        "name": "Jane Doe", "identities": [{"kind": "chat", "value": "web-5"}], "fields": {"plan": "Gold"}})
    centre.agent_login("a1")
    out = centre.new_contact(channel="chat", caller_id="web-5", text="router broken")
    assert out["offered_to"] == "a1"
    cid = out["contact_id"]
    rendered = centre.post(f"/api/canned/{team['id']}/render", "ann", json={"contact_id": cid})
    assert rendered["text"] == f"Hello Jane Doe, Ann here. Please reboot your router (ticket {cid})."
    assert rendered["missing"] == []
    assert customer["id"]
    text = centre.post(f"/api/canned/{mine['id']}/render", "ann", json={"contact_id": cid})["text"]
    assert text == "Best, Ann (Gold)"
    centre.error("POST", f"/api/canned/{team['id']}/render", 404, user="ann", json={"contact_id": "nope"})
    centre.error("POST", f"/api/canned/{mine['id']}/render", 404, user="bob", json={"contact_id": cid})

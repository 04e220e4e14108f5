"""Temporary agents over the API (SQLite and PostgreSQL): a batch onboarded from a CSV roster (all or nothing,
bad lines named), logins that stop working at the expiry (sign-in, existing tokens and refresh), the reduced
skill profile, and the removal in one step (logged out of routing, logins disabled, documents deleted, history,
events and audit kept)."""

from __future__ import annotations

from typing import Any

# module level, at collection: inside a test, `conftest` may already name another directory's conftest module
from conftest import T0

ROSTER = ("name,login,skills,team\n"
          "Anna Berg,anna.berg@example.com,billing:5;tech:2,t1\n"
          "Omar Haddad,omar,tech:4,\n")


def _events(centre: Any) -> list[dict[str, Any]]:
    return [s.event.to_dict() | {"type": s.event.type}
            for s in centre.container.store.events_of_type(["TempAgentsOnboarded", "TempAgentsRemoved"])]


def _token(centre: Any, username: str, password: str, expect: int = 200) -> dict[str, Any]:
    r = centre.client.post("/api/auth/token", json={"username": username, "password": password})
    assert r.status_code == expect, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_batch_is_onboarded_expires_and_is_removed_in_one_step(centre: Any) -> None:
    expires = T0 + 8 * 3600
    made = centre.post("/api/temp-agents/batches", "sup", 201,
                       json={"name": "Storm helpers", "expires_at": expires, "csv": ROSTER, "crisis_id": "c-1"})
    batch = made["batch"]
    assert (batch["name"], batch["state"], batch["count"], batch["created_by"], batch["crisis_id"]) == (
        "Storm helpers", "active", 2, "sup", "c-1")
    anna, omar = batch["agents"]
    # the reduced profile: levels capped at 3 (the default), queues those the granted skills qualify for
    assert (anna["agent_id"], anna["skills"], anna["requested"]) == (
        "tmp-anna.berg", {"billing": 3, "tech": 2}, {"billing": 5, "tech": 2})
    assert sorted(anna["queues"]) == ["billing", "sales", "support"]
    assert (omar["agent_id"], omar["skills"], omar["team_id"], sorted(omar["queues"])) == (
        "tmp-omar", {"tech": 3}, None, ["sales", "support"])
    assert centre.get("/api/config/agents/tmp-anna.berg", "sup")["skills"] == {"billing": 3, "tech": 2}
    passwords = {c["username"]: c["password"] for c in made["credentials"]}
    assert set(passwords) == {"anna.berg@example.com", "omar"} and all(len(p) >= 12 for p in passwords.values())
    # the initial password is shown once: the batch never carries it again
    assert "password" not in str(centre.get(f"/api/temp-agents/batches/{batch['id']}", "sup"))
    assert [b["id"] for b in centre.get("/api/temp-agents/batches", "sup")] == [batch["id"]]

    # a temporary agent signs in, logs in to routing and takes work until the expiry
    tokens = _token(centre, "omar", passwords["omar"])
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert centre.client.post("/api/agent/login", json={"status": "available"}, headers=auth).status_code == 200
    assert centre.client.get("/api/agent", headers=auth).json()["logged_in"] is True
    centre.clock.advance(8 * 3600)
    centre.container.auth.forget_verified()
    r = centre.client.get("/api/agent", headers=auth)
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    refused = centre.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refused.status_code == 401
    assert "expired" in _token(centre, "omar", passwords["omar"], 401)["detail"]
    assert centre.get(f"/api/temp-agents/batches/{batch['id']}", "sup")["state"] == "expired"
    # the expiry sweep logs the expired agent out of routing
    assert centre.container.temp_agents.sweep() == 1
    assert centre.container.agents.view("tmp-omar")["logged_in"] is False

    # removed in one step; a second removal is refused
    removed = centre.delete(f"/api/temp-agents/batches/{batch['id']}", "sup")
    assert (removed["state"], removed["removed_by"]) == ("removed", "sup")
    centre.error("DELETE", f"/api/temp-agents/batches/{batch['id']}", 409, user="sup")
    centre.error("GET", "/api/config/agents/tmp-omar", 404, user="sup")
    history = centre.get("/api/config/agents/tmp-omar/history", "sup")
    assert [h["deleted"] for h in history] == [False, True]
    users = {u["username"]: u for u in centre.get("/api/users")}
    assert users["omar"]["active"] is False and users["anna.berg@example.com"]["active"] is False
    assert [(e["type"], e["batch_id"], sorted(e["agents"])) for e in _events(centre)] == [
        ("TempAgentsOnboarded", batch["id"], ["tmp-anna.berg", "tmp-omar"]),
        ("TempAgentsRemoved", batch["id"], ["tmp-anna.berg", "tmp-omar"])]
    actions = {a["action"] for a in centre.get("/api/audit?target=" + batch["id"])}
    assert {"temp_batch_created", "temp_batch_removed"} <= actions


def test_removal_logs_a_working_agent_out_and_ends_its_session(centre: Any) -> None:
    made = centre.post("/api/temp-agents/batches", "sup", 201,
                       json={"name": "Evening", "expires_at": T0 + 3600, "csv": ROSTER})
    password = next(c["password"] for c in made["credentials"] if c["username"] == "omar")
    auth = {"Authorization": f"Bearer {_token(centre, 'omar', password)['access_token']}"}
    centre.client.post("/api/agent/login", json={"status": "available"}, headers=auth)
    contact = centre.new_contact(channel="voice", caller_id="+15550001", ivr={"menu": "2"})
    assert centre.client.get("/api/agent", headers=auth).json()["work"][0]["contact_id"] == contact["contact_id"]
    centre.delete(f"/api/temp-agents/batches/{made['batch']['id']}", "sup")
    assert centre.client.get("/api/agent", headers=auth).status_code == 401  # its token stopped at once
    assert centre.container.agents.runtime.query(lambda e, now: "tmp-omar" in e.catalog.agents) is False
    # the contact it was offered goes back to its queue: nothing is lost
    assert centre.get(f"/api/contacts/{contact['contact_id']}", "sup")["state"] == "queued"


def test_a_bad_roster_is_refused_whole_with_each_line_named(centre: Any) -> None:
    bad = ("name,login,skills,team\n"
           "Anna,anna,billing:2,t1\n"
           ",bob,billing:9,ghost\n"  # bob exists; level 9; unknown team; no name
           "Cara,anna,cooking:2,\n"  # duplicate login, unknown skill
           "Dan,dan x,tech,\n")  # bad login, no level
    body = centre.error("POST", "/api/temp-agents/batches", 422, user="sup",
                        json={"name": "Bad", "expires_at": T0 + 3600, "csv": bad})
    located = {(e["loc"][1], e["loc"][2]) for e in body["errors"]}
    assert {(3, "name"), (3, "login"), (3, "skills"), (3, "team"), (4, "login"), (4, "skills"), (5, "login"),
            (5, "skills")} <= located
    assert (2, "login") not in located and (2, "skills") not in located
    assert "line 3" in body["detail"]
    assert "anna" not in {u["username"] for u in centre.get("/api/users")}  # nothing was created
    assert centre.get("/api/temp-agents/batches", "sup") == []
    centre.error("POST", "/api/temp-agents/batches", 422, user="sup",
                 json={"name": "Late", "expires_at": T0 - 1, "csv": ROSTER})
    centre.error("POST", "/api/temp-agents/batches", 422, user="sup",
                 json={"name": "Header", "expires_at": T0 + 60, "csv": "who,what\nx,y\n"})
    centre.error("POST", "/api/temp-agents/batches", 403, user="ann",
                 json={"name": "Agent", "expires_at": T0 + 60, "csv": ROSTER})
    centre.error("DELETE", "/api/temp-agents/batches/nope", 404, user="sup")


def test_cli_imports_lists_and_removes_a_batch(centre: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """``blendcc agents temp import/list/remove`` through the server's API (the test client stands in)."""
    import httpx
    from typer.testing import CliRunner

    from blendcc.cli import app

    monkeypatch.setattr(httpx, "Client", lambda base_url, timeout: centre.client)
    monkeypatch.setenv("BLENDCC_PASSWORD", centre.ADMIN_PASSWORD)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    roster = tmp_path / "helpers.csv"
    roster.write_text(ROSTER)
    creds = tmp_path / "creds.csv"
    # the CLI's clock is the real one: an ISO time far ahead of the fake clock is still within 90 days of it
    output = run("agents", "temp", "import", str(roster), "--expires", "2024-01-16T09:00", "--credentials", str(creds))
    assert "2 agents" in output and "2024-01-16 09:00 UTC" in output
    lines = creds.read_text().splitlines()
    assert lines[0] == "username,agent_id,password" and len(lines) == 3
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    batch_id = output.split()[1]
    assert batch_id in run("agents", "temp", "list")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,login,skills\nX,bob,tech:1\nY,y,cooking:1\n")
    refused = run("agents", "temp", "import", str(bad), "--expires", "2024-01-16T09:00", code=2)
    assert "line 2, login" in refused and "line 3, skills" in refused
    assert "neither a duration" in run("agents", "temp", "import", str(roster), "--expires", "soon", code=2)
    assert "cannot read" in run("agents", "temp", "import", str(tmp_path / "none.csv"), "--expires", "8h", code=2)
    assert "removed" in run("agents", "temp", "remove", batch_id)
    assert "already removed" in run("agents", "temp", "remove", batch_id, code=2)
    assert "not a batch id" in run("agents", "temp", "remove", "a/b", code=2)

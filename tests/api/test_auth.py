"""Authentication and authorisation over the REST API: tokens, 401 and 403 answers, user management."""

from __future__ import annotations

from typing import Any


def test_admin_from_bootstrap_gets_a_token(api: Any) -> None:
    r = api.client.post("/api/auth/token", json={"username": "admin", "password": api.ADMIN_PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == "admin"
    assert body["agent_id"] is None
    assert body["expires_in"] == 3600
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "admin", "role": "admin", "agent_id": None}


def test_wrong_password_and_unknown_user_are_401(api: Any) -> None:
    for username, password in (("admin", "wrong-password"), ("nobody", "whatever")):
        r = api.client.post("/api/auth/token", json={"username": username, "password": password})
        assert r.status_code == 401
        assert r.json() == {"error": "unauthenticated", "detail": "wrong username or password"}
        assert r.headers["www-authenticate"] == "Bearer"


def test_missing_or_bad_token_is_401_with_clear_message(api: Any) -> None:
    body = api.error("GET", "/api/stats/live", 401, user=None)
    assert body["error"] == "unauthenticated"
    assert "missing bearer token" in body["detail"]
    assert "/api/auth/token" in body["detail"]
    r = api.client.get("/api/stats/live", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert r.json() == {"error": "unauthenticated", "detail": "invalid token"}
    r = api.client.get("/api/stats/live", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert r.status_code == 401
    assert "missing bearer token" in r.json()["detail"]


def test_token_expires(api: Any) -> None:
    """Tokens carry their issue time; the TTL (3600 s in the test settings) is enforced on the wall clock,
    so an expired token is simulated by signing one far in the past."""
    from unittest import mock

    from itsdangerous import URLSafeTimedSerializer

    signer = URLSafeTimedSerializer("test-secret-key", salt="blendcc-token")
    with mock.patch("time.time", return_value=1_000_000.0):
        old = signer.dumps({"u": "admin", "r": "admin", "a": None})
    r = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401
    assert r.json()["detail"] == "token expired; log in again"


def test_token_carries_the_users_current_role(centre: Any) -> None:
    centre.login("sup")
    # demoting the user revokes the token at once; logging in again gives the new role
    centre.put("/api/users/sup", json={"password": centre.PASSWORD, "role": "agent", "agent_id": "a1"})
    body = centre.error("GET", "/api/stats/live", 401, user="sup")
    assert "log in again" in body["detail"]
    centre.login("sup")
    body = centre.error("GET", "/api/stats/live", 403, user="sup")
    assert body["error"] == "forbidden"


def test_user_management_is_admin_only(centre: Any) -> None:
    users = centre.get("/api/users")
    assert {u["username"]: u["role"] for u in users} == {
        "admin": "admin", "sup": "supervisor", "ann": "agent", "bob": "agent", "cy": "agent"}
    body = centre.error("PUT", "/api/users/eve", 403, user="sup",
                        json={"password": "abcd1234", "role": "admin", "agent_id": None})
    assert "admin role" in body["detail"]
    centre.error("GET", "/api/users", 403, user="ann")
    # an agent user needs an agent id that is configured
    body = centre.error("PUT", "/api/users/eve", 422, json={"password": "abcd1234", "role": "agent"})
    assert "agent_id" in body["detail"]
    body = centre.error("PUT", "/api/users/eve", 404,
                        json={"password": "abcd1234", "role": "agent", "agent_id": "zz"})
    assert "agent zz is not configured" in body["detail"]
    body = centre.error("PUT", "/api/users/eve", 422, json={"password": "abc", "role": "agent", "agent_id": "a1"})
    assert "password" in body["detail"]
    body = centre.error("PUT", "/api/users/eve", 422, json={"password": "abcd1234", "role": "boss"})
    assert "role" in body["detail"]


def test_agent_cannot_change_configuration(centre: Any) -> None:
    body = centre.error("PUT", "/api/config/queues/sales", 403, user="ann", json={"name": "hacked"})
    assert body == {"error": "forbidden", "detail": "this action needs the admin role; you are agent"}
    centre.error("DELETE", "/api/config/queues/sales", 403, user="ann")
    centre.error("GET", "/api/config/queues", 403, user="ann")
    # supervisors read configuration but do not change it
    assert len(centre.get("/api/config/queues", user="sup")) == 3
    centre.error("PUT", "/api/config/queues/sales", 403, user="sup", json={"name": "x"})
    assert centre.get("/api/config/queues/sales")["name"] == "Sales"


def test_agent_only_endpoints_refuse_users_without_agent(centre: Any) -> None:
    body = centre.error("GET", "/api/agent", 403, user="sup")
    assert "agent users" in body["detail"]
    centre.error("POST", "/api/agent/login", 403, user="admin")


def test_agents_cannot_use_supervisor_endpoints(centre: Any) -> None:
    centre.error("POST", "/api/contacts", 403, user="ann", json={"channel": "voice"})
    centre.error("GET", "/api/stats/live", 403, user="ann")
    centre.error("GET", "/api/reports/queues?start=0&end=10", 403, user="ann")
    centre.error("POST", "/api/supervisor/agents/a2/state", 403, user="ann", json={"status": "available"})
    centre.error("GET", "/api/supervisor/agents/a2", 403, user="ann")
    centre.error("POST", "/api/supervisor/contacts/x/move", 403, user="ann", json={"queue_id": "sales"})
    body = centre.error("POST", "/api/contacts/x/hangup", 403, user="ann")
    assert "supervisor" in body["detail"]


def test_agent_cannot_see_or_act_on_another_agents_contact(centre: Any) -> None:
    centre.agent_login("a1")
    out = centre.new_contact(caller_id="+441234567", ivr={"menu": "2"})
    cid = out["contact_id"]
    assert out["offered_to"] == "a1"
    # bob (a2) is not the owner: reading is 403, acting is 404 (he holds no such contact)
    body = centre.error("GET", f"/api/contacts/{cid}", 403, user="bob")
    assert body["detail"] == f"contact {cid} is not one of yours"
    centre.error("GET", f"/api/contacts/{cid}/events", 403, user="bob")
    for action in ("accept", "decline", "hold", "resume", "end"):
        body = centre.error("POST", f"/api/agent/contacts/{cid}/{action}", 404, user="bob")
        assert body["detail"] == f"agent a2 has no contact {cid}"
    centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 404, user="bob", json={})
    centre.error("POST", f"/api/agent/contacts/{cid}/transfer", 404, user="bob", json={"queue_id": "sales"})
    # the customer is private too
    customer_id = out["customer_id"]
    centre.error("GET", f"/api/customers/{customer_id}", 403, user="bob")
    # the owner sees it; bob's contact list does not show it
    assert centre.get(f"/api/contacts/{cid}", user="ann")["contact_id"] == cid
    assert centre.get(f"/api/customers/{customer_id}", user="ann")["id"] == customer_id
    assert centre.get("/api/contacts", user="bob") == []
    # the contact was not disturbed by bob's attempts
    assert centre.work("a1") == {cid: "reserved"}
    # after the contact is finished the former owner still sees it; bob still does not
    centre.act("a1", cid, "accept")
    centre.act("a1", cid, "wrapup", disposition="resolved")
    assert centre.get(f"/api/contacts/{cid}", user="ann")["state"] == "closed"
    assert [c["contact_id"] for c in centre.get("/api/contacts", user="ann")] == [cid]
    centre.error("GET", f"/api/contacts/{cid}", 403, user="bob")


def test_the_last_admin_cannot_be_demoted(centre: Any) -> None:
    body = centre.error("PUT", "/api/users/admin", 422, user="admin",
                        json={"password": "whatever", "role": "supervisor"})
    assert "last admin" in body["detail"]


def test_changing_a_password_revokes_earlier_tokens(centre: Any) -> None:
    centre.get("/api/auth/me", "sup")  # sup has a token now
    old = centre.tokens["sup"]
    centre.put("/api/users/sup", json={"password": "brand-new-pw", "role": "supervisor"})
    r = centre.client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and "log in again" in r.json()["detail"]
    fresh = centre.client.post("/api/auth/token", json={"username": "sup", "password": "brand-new-pw"})
    assert fresh.status_code == 200


def test_nul_characters_are_refused_the_same_way_on_every_backend(centre: Any) -> None:
    body = centre.error("POST", "/api/contacts", 422, user="sup",
                        content=b'{"channel": "chat", "caller_id": "who\\u0000"}',
                        headers={"content-type": "application/json"})
    assert "NUL" in body["detail"]
    centre.error("GET", "/api/contacts/abc%00def", 422, user="sup")

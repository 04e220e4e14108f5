"""Sessions over the API: rotating refresh tokens with reuse detection, logout, deactivation and deletion
revoking at once, the on_revoked hook, and the TOTP second factor."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from blendcc.app.admin import totp


def _login(api: Any, username: str, password: str, **extra: Any) -> Any:
    return api.client.post("/api/auth/token", json={"username": username, "password": password, **extra})


def _me(api: Any, token: str) -> Any:
    return api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def revoked(centre: Any) -> list[str]:
    seen: list[str] = []
    centre.container.auth.on_revoked.append(seen.append)
    return seen


def test_token_answer_keeps_its_fields_and_adds_a_refresh_token(api: Any) -> None:
    from blendcc.config import Settings

    assert Settings().token_ttl_s == 900  # short-lived access tokens by default
    body = _login(api, "admin", api.ADMIN_PASSWORD).json()
    assert set(body) == {"access_token", "token_type", "expires_in", "role", "agent_id", "refresh_token"}
    assert body["expires_in"] == 3600  # the test settings


def test_refresh_rotates_and_reuse_revokes_the_family(centre: Any, revoked: list[str]) -> None:
    first = _login(centre, "sup", centre.PASSWORD).json()
    r = centre.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["role"] == "supervisor"
    assert _me(centre, second["access_token"]).status_code == 200
    assert _me(centre, first["access_token"]).status_code == 200  # same session, still live
    # the rotated token presented again: someone else has a copy, the whole session ends
    r = centre.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 401 and "already used" in r.json()["detail"]
    assert revoked == ["sup"]
    for token in (first["access_token"], second["access_token"]):
        assert _me(centre, token).status_code == 401
    r = centre.client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401 and "ended" in r.json()["detail"]
    # other sessions of the same user are not touched; garbage is refused cleanly
    other = _login(centre, "sup", centre.PASSWORD).json()
    assert _me(centre, other["access_token"]).status_code == 200
    for junk in ("nope", "a.b", other["refresh_token"].split(".")[0] + ".wrong"):
        assert centre.client.post("/api/auth/refresh", json={"refresh_token": junk}).status_code == 401
    actions = [e["action"] for e in centre.get("/api/audit?actor=sup")]
    assert "refresh_token_reused" in actions


def test_refresh_ends_with_the_session_lifetime(centre: Any) -> None:
    body = _login(centre, "sup", centre.PASSWORD).json()
    centre.clock.advance(centre.container.auth.refresh_ttl_s + 1)
    r = centre.client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_logout_revokes_the_presented_session_only(centre: Any, revoked: list[str]) -> None:
    a = _login(centre, "sup", centre.PASSWORD).json()
    b = _login(centre, "sup", centre.PASSWORD).json()
    r = centre.client.post("/api/auth/logout", headers={"Authorization": f"Bearer {a['access_token']}"})
    assert r.status_code == 200 and revoked == ["sup"]
    assert _me(centre, a["access_token"]).status_code == 401
    assert centre.client.post("/api/auth/refresh", json={"refresh_token": a["refresh_token"]}).status_code == 401
    assert _me(centre, b["access_token"]).status_code == 200


def test_deactivation_revokes_at_once_and_blocks_login(centre: Any, revoked: list[str]) -> None:
    token = centre.login("sup")
    user = centre.patch("/api/users/sup", json={"active": False})
    assert user["active"] is False and revoked == ["sup"]
    r = _me(centre, token)
    assert r.status_code == 401
    assert _login(centre, "sup", centre.PASSWORD).json()["detail"] == "wrong username or password"
    centre.patch("/api/users/sup", json={"active": True})
    assert _login(centre, "sup", centre.PASSWORD).status_code == 200
    # the last active admin can be neither deactivated nor deleted
    err = centre.error("PATCH", "/api/users/admin", 422, json={"active": False})
    assert "last admin" in err["detail"]
    centre.error("PATCH", "/api/users/sup", 403, user="ann", json={"active": False})


def test_delete_user_revokes_at_once_never_the_last_admin(centre: Any, revoked: list[str]) -> None:
    token = centre.login("sup")
    assert centre.delete("/api/users/SUP") == {"deleted": "SUP"}
    assert revoked == ["sup"]
    assert _me(centre, token).status_code == 401
    assert "sup" not in {u["username"] for u in centre.get("/api/users")}
    centre.error("DELETE", "/api/users/sup", 404)
    err = centre.error("DELETE", "/api/users/admin", 422)
    assert "last admin" in err["detail"]
    centre.error("DELETE", "/api/users/ann", 403, user="bob")
    # with a second admin the first may go
    centre.put("/api/users/root2", json={"password": "second-admin-pw", "role": "admin"})
    centre.delete("/api/users/admin")


def test_password_role_and_agent_changes_call_on_revoked(centre: Any, revoked: list[str]) -> None:
    centre.put("/api/users/sup", json={"password": "new-password-1", "role": "supervisor"})
    centre.patch("/api/users/ann", json={"agent_id": "a2"})
    centre.patch("/api/users/bob", json={"role": "supervisor"})
    assert revoked == ["sup", "ann", "bob"]
    roles = [e for e in centre.get("/api/audit?action=role_changed")]
    assert [(e["target"], e["detail"]) for e in roles] == [("bob", {"old": "agent", "new": "supervisor"})]


def test_totp_enrol_confirm_login_and_disable(centre: Any) -> None:
    centre.error("POST", "/api/auth/totp", 403, user="ann")  # agents have no second factor
    enrol = centre.post("/api/auth/totp", user="sup")
    secret = enrol["secret"]
    assert enrol["otpauth_uri"].startswith("otpauth://totp/") and "secret=" + secret in enrol["otpauth_uri"]
    now = centre.clock.now()
    assert _login(centre, "sup", centre.PASSWORD).status_code == 200  # not in force until confirmed
    centre.error("POST", "/api/auth/totp/confirm", 422, user="sup", json={"code": "000000"})
    centre.post("/api/auth/totp/confirm", user="sup", json={"code": pyotp.TOTP(secret).at(int(now))})
    r = _login(centre, "sup", centre.PASSWORD)
    assert r.status_code == 401 and r.json()["error"] == "totp_required"
    centre.clock.advance(totp.STEP_S)
    code = pyotp.TOTP(secret).at(int(centre.clock.now()))
    assert _login(centre, "sup", "wrong-password", totp=code).status_code == 401
    assert _login(centre, "sup", centre.PASSWORD, totp="123").status_code == 401
    r = _login(centre, "sup", centre.PASSWORD, totp=code)
    assert r.status_code == 200
    token = r.json()["access_token"]
    replay = _login(centre, "sup", centre.PASSWORD, totp=code)  # a code works once
    assert replay.status_code == 401 and "reused" in replay.json()["detail"]
    assert centre.get("/api/users/sup")["totp"] is True
    # turning it off needs a current code (or an admin)
    headers = {"Authorization": f"Bearer {token}"}
    r = centre.client.post("/api/auth/totp/disable", json={"code": "000000"}, headers=headers)
    assert r.status_code == 422
    centre.delete("/api/users/sup/totp")
    assert _login(centre, "sup", centre.PASSWORD).status_code == 200
    actions = [e["action"] for e in centre.get("/api/audit?target=sup")]
    assert {"totp_enrolled", "totp_enabled", "totp_disabled"} <= set(actions)


def test_guessing_totp_codes_is_throttled(centre: Any) -> None:
    centre.post("/api/auth/totp", user="sup")
    for _ in range(5):
        centre.error("POST", "/api/auth/totp/confirm", 422, user="sup", json={"code": "000000"})
    centre.error("POST", "/api/auth/totp/confirm", 422, user="sup", json={"code": "000001"})  # starts a block
    r = centre.client.post("/api/auth/totp/confirm", json={"code": "000002"}, headers=centre.headers("sup"))
    assert r.status_code == 429 and r.headers["retry-after"] == "1"

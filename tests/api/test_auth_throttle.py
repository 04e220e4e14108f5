"""Brute-force protection and username hygiene over the API: throttled logins (429 + Retry-After),
failure paths that do the same work, lookalike usernames refused, case-insensitive login."""

from __future__ import annotations

import types
from typing import Any

import pytest

from blendcc.app.admin import auth


def _login(api: Any, username: str, password: str, **extra: Any) -> Any:
    return api.client.post("/api/auth/token", json={"username": username, "password": password, **extra})


def test_failed_logins_are_throttled_per_user_with_retry_after(api: Any) -> None:
    for _ in range(5):  # five free tries
        assert _login(api, "admin", "wrong-password").status_code == 401
    assert _login(api, "admin", "wrong-password").status_code == 401  # the 6th starts a 1 s block
    r = _login(api, "admin", api.ADMIN_PASSWORD)  # even the right password waits
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.json() == {"error": "rate_limited", "detail": "too many failed logins; try again in 1 s"}
    # the key is the normalised name: 'ADMIN' is the same user
    assert _login(api, "ADMIN", api.ADMIN_PASSWORD).status_code == 429
    api.clock.advance(1)
    assert _login(api, "admin", "wrong-password").status_code == 401  # 7th failure: 2 s
    r = _login(api, "admin", "wrong-password")
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    api.clock.advance(2)
    assert _login(api, "admin", api.ADMIN_PASSWORD).status_code == 200  # success clears the user's count
    assert _login(api, "admin", "wrong-password").status_code == 401
    assert _login(api, "admin", api.ADMIN_PASSWORD).status_code == 200
    # the lockout is in the audit log
    actions = [e["action"] for e in api.get("/api/audit?target=admin&limit=1000")]
    assert actions.count("login_locked_out") == 2 and actions.count("login_failed") == 8


def test_failed_logins_are_throttled_per_address(api: Any) -> None:
    for i in range(20):  # one address, many user names: 20 free tries
        assert _login(api, f"guess{i}", "wrong-password").status_code == 401
    assert _login(api, "guess-x", "wrong-password").status_code == 401
    r = _login(api, "admin", api.ADMIN_PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every scrypt call made by blendcc.app.admin.auth, as (n, r, p, dklen, salt length)."""
    calls: list[tuple[Any, ...]] = []
    inner = auth.hashlib

    def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
        calls.append((n, r, p, dklen, len(salt)))
        result: bytes = inner.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen)
        return result

    monkeypatch.setattr(auth, "hashlib", types.SimpleNamespace(scrypt=scrypt, sha256=inner.sha256))
    return calls


def test_unknown_user_wrong_password_and_inactive_user_do_the_same_work(centre: Any,
                                                                         scrypt_calls: list[Any]) -> None:
    centre.patch("/api/users/bob", json={"active": False})
    answers, work = [], []
    for username, password in (("sup", "wrong-password"), ("nobody", "wrong-password"),
                               ("bob", centre.PASSWORD), ("x" * 100, "wrong-password")):
        scrypt_calls.clear()
        r = _login(centre, username, password)
        answers.append((r.status_code, r.json()))
        work.append(list(scrypt_calls))
    assert answers == [(401, {"error": "unauthenticated", "detail": "wrong username or password"})] * 4
    assert work == [[(2**14, 8, 1, 32, 16)]] * 4  # one scrypt with the same parameters on every path


def test_lookalike_and_malformed_usernames_are_refused(centre: Any) -> None:
    body = {"password": "a-good-password", "role": "supervisor"}
    for name in ("ADMIN", "Sup", "\uff33\uff35\uff30"):  # case and fullwidth ('SUP') lookalikes of existing users
        err = centre.error("PUT", f"/api/users/{name}", 409, json=body)
        assert "already exists" in err["detail"]
    for name, why in (("admin%20", "whitespace"), ("%20admin", "whitespace"), ("ad%E2%80%AEmin", "U+202E"),
                      ("ad%E2%80%8Bmin", "U+200B"), ("x" * 101, "at most 100")):
        err = centre.error("PUT", f"/api/users/{name}", 422, json=body)
        assert why in err["detail"], err
    # fullwidth 'sup' is 'sup' once normalised (NFKC): the same user, not a new one
    assert centre.put("/api/users/\uff53\uff55\uff50", json=body)["username"] == "sup"
    names = {u["username"] for u in centre.get("/api/users")}
    assert names == {"admin", "sup", "ann", "bob", "cy"}
    # the longest valid name can be created and can log in (the same limit on both sides)
    longest = "y" * 100
    centre.put(f"/api/users/{longest}", json=body)
    assert _login(centre, longest, "a-good-password").status_code == 200
    assert _login(centre, longest + "y", "a-good-password").status_code == 422


def test_login_is_case_insensitive_and_tokens_name_the_stored_user(centre: Any) -> None:
    r = _login(centre, "SUP", centre.PASSWORD)
    assert r.status_code == 200
    me = centre.client.get("/api/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["username"] == "sup"
    # replacing a user under its own name still works
    centre.put("/api/users/sup", json={"password": "another-pass", "role": "supervisor"})
    assert _login(centre, "Sup", "another-pass").status_code == 200


def test_password_policy_on_create_and_change(centre: Any) -> None:
    for password, why in (("short", "at least 8"), ("password123", "common"), ("Eve.Smith", "username")):
        err = centre.error("PUT", "/api/users/eve.smith", 422, json={"password": password, "role": "supervisor"})
        assert why in err["detail"]
    centre.put("/api/users/eve.smith", json={"password": "a-good-password", "role": "supervisor"})
    for password, why in (("short", "at least 8"), ("password123", "common"), ("EVE.SMITH", "username")):
        err = centre.error("PATCH", "/api/users/eve.smith", 422, json={"password": password})
        assert why in err["detail"]


def test_cli_user_command_applies_the_same_rules(sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from blendcc.cli import app

    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["user", *args, "--role", "supervisor", "--database-url", sqlite_url])

    weak = run("eve", "--password", "short")
    assert weak.exit_code == 2 and "at least 8" in weak.output
    assert run("eve", "--password", "long-enough-pw").exit_code == 0
    twin = run("EVE", "--password", "long-enough-pw")
    assert twin.exit_code == 2 and "already exists" in twin.output
    bidi = run("ev\u202ee", "--password", "long-enough-pw")
    assert bidi.exit_code == 2 and "U+202E" in bidi.output

"""Shared fixtures: a Container on a temp SQLite file or on PostgreSQL, a FakeClock, an API client and a
small seeded centre.

PostgreSQL is not optional: the URL comes from ``BLENDCC_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and a missing server fails the tests that need it
with a clear message instead of skipping them. Each pytest session works in its own schema (selected with
the connection's ``search_path``), migrated once and emptied before every test; it is dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import pytest

#: Monday 15 January 2024, 09:00 UTC: every test clock starts here (same origin as tests/routing).
T0 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC).timestamp()

ADMIN_PASSWORD = "admin-secret"
PASSWORD = "pass-1234"
BACKENDS = ("sqlite", "postgresql")

#: The real call-centre data (../shared/data beside the repository; CI lays shared/ there too).
BANK_1999 = Path(__file__).resolve().parents[2] / "shared" / "data" / "anonymous_bank_1999"


@pytest.fixture(scope="session")
def bank_1999() -> Any:
    """``bank_1999(name)``: the path of a file of the real 1999 bank data. Missing data fails the test in
    CI (the data is part of the CI run) and skips it only on a developer machine without ../shared."""

    def find(name: str) -> Path:
        path = BANK_1999 / name
        if not path.is_file():
            if os.environ.get("CI"):
                pytest.fail(f"the real call-centre data is missing in CI: {path}")
            pytest.skip(f"the real call-centre data ({path}) is not on this machine")
        return path

    return find


#: The centre every API test starts from (see ``seed_centre``).
SKILLS = ("billing", "tech", "french")
QUEUES: dict[str, dict[str, Any]] = {
    # timed wrap-up (30 s), 20 s ring-no-answer
    "sales": {"name": "Sales", "wrap_up_s": 30, "offer_timeout_s": 20, "short_abandon_s": 5},
    # wrap-up until the agent completes it
    "support": {"name": "Support", "skills": {"tech": 1}, "wrap_up_s": None, "offer_timeout_s": 20},
    "billing": {"name": "Billing", "skills": {"billing": 1}, "wrap_up_s": None, "offer_timeout_s": 20},
}
AGENTS: dict[str, dict[str, Any]] = {
    "a1": {"name": "Ann", "queues": ["sales", "support"], "skills": {"tech": 3}, "team_id": "t1"},
    "a2": {"name": "Bob", "queues": ["sales", "billing"], "skills": {"billing": 2}, "team_id": "t1"},
    "a3": {"name": "Cy", "queues": ["support", "billing"], "skills": {"tech": 1, "billing": 1}},
}
#: user name -> (role, agent_id)
USERS: dict[str, tuple[str, str | None]] = {
    "sup": ("supervisor", None),
    "ann": ("agent", "a1"),
    "bob": ("agent", "a2"),
    "cy": ("agent", "a3"),
}
AGENT_USER = {"a1": "ann", "a2": "bob", "a3": "cy"}
WORKFLOW: dict[str, Any] = {
    "name": "Main",
    "filters": [
        {"name": "tech", "expression": "ivr.menu == '2' or has_keyword('broken')", "targets": [{"queue": "support"}]},
        {"name": "money", "expression": "ivr.menu == '3'", "targets": [{"queue": "billing"}]},
    ],
    "default": [{"queue": "sales"}],
}


# ---------------------------------------------------------------------- databases


def _table_names() -> list[str]:
    from blendcc.adapters.storage.tables import metadata

    return [t.name for t in metadata.sorted_tables]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database that each test copies (migrating once per session)."""
    from blendcc.adapters.storage.migrate import migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@contextlib.contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """A new, migrated schema on the test server; yields its URL and drops the schema afterwards."""
    from blendcc.adapters.storage.migrate import migrate
    from blendcc.testing.postgres import temporary_schema

    with temporary_schema(prefix, _fail) as (_, url):
        migrate(url)
        yield url


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use this session's own schema (created and migrated here)."""
    with pg_schema("test_api") as url:
        yield url


def _empty_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        tables = ", ".join(f'"{name}"' for name in _table_names())
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database for one test on ``backend``."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "blendcc.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_session_url")
    _empty_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """An empty, migrated SQLite file (for tests that only need one backend)."""
    path = tmp_path / "blendcc.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


# ---------------------------------------------------------------------- container, clock, client


@pytest.fixture
def clock() -> Any:
    from blendcc.adapters.manual_clock import FakeClock

    return FakeClock(T0)


def make_settings(url: str, **overrides: Any) -> Any:
    from blendcc.config import Settings

    values: dict[str, Any] = {"database_url": url, "admin_password": ADMIN_PASSWORD,
                              "secret_key": "test-secret-key", "timezone": "UTC", "token_ttl_s": 3600}
    values.update(overrides)
    return Settings(**values)


def make_container(url: str, clock: Any, *, run_migrations: bool = False) -> Any:
    from blendcc.bootstrap import build_container

    return build_container(make_settings(url), clock=clock, run_migrations=run_migrations)


def close_container(container: Any) -> None:
    """Release the container's database connections (the container itself has no close)."""
    container.store.engine.dispose()


@contextlib.contextmanager
def seeded_api(url: str, clock: Any, **overrides: Any) -> Iterator[Api]:
    """The small centre (``seed_centre``) behind a TestClient, on a container built with these settings."""
    from fastapi.testclient import TestClient

    from blendcc.api.app import create_app
    from blendcc.bootstrap import build_container

    container = build_container(make_settings(url, **overrides), clock=clock, run_migrations=False)
    try:
        with TestClient(create_app(container, background=False), raise_server_exceptions=False) as tc:
            api = Api(tc, container, clock)
            seed_centre(api)
            yield api
    finally:
        close_container(container)


@pytest.fixture
def t0() -> float:
    """The fake clock's start: Monday 15 January 2024, 09:00 UTC."""
    return T0


_SCRYPT_CACHE: dict[tuple[Any, ...], bytes] = {}
_HASH_CACHE: dict[str, str] = {}


def _patch_passwords(mp: pytest.MonkeyPatch) -> None:
    """Memoise scrypt inside ``blendcc.app.admin.auth`` (one real hash per distinct password and salt).

    Password hashing costs ~50 ms and every test creates and logs in several users; with the cache the
    hashes and checks are still real scrypt (a wrong password still fails), they are just computed once
    per session. Only the container fixtures here use this; unit tests of ``auth`` see the real functions.
    """
    import hashlib
    import types

    from blendcc.app.admin import auth

    real_hash = auth.hash_password

    def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
        key = (password, salt, n, r, p, dklen)
        if key not in _SCRYPT_CACHE:
            _SCRYPT_CACHE[key] = hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen)
        return _SCRYPT_CACHE[key]

    def hash_password(password: str, salt: bytes | None = None) -> str:
        if salt is not None:
            return real_hash(password, salt)
        if password not in _HASH_CACHE:
            _HASH_CACHE[password] = real_hash(password)
        return _HASH_CACHE[password]

    mp.setattr(auth, "hashlib", types.SimpleNamespace(scrypt=scrypt, sha256=hashlib.sha256))
    mp.setattr(auth, "hash_password", hash_password)


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_passwords(monkeypatch)


@pytest.fixture
def containers(fast_passwords: None) -> Iterator[Any]:
    """Factory ``containers(url, clock, run_migrations=False)``: Containers disposed after the test."""
    made: list[Any] = []

    def make(url: str, clock: Any, run_migrations: bool = False) -> Any:
        c = make_container(url, clock, run_migrations=run_migrations)
        made.append(c)
        return c

    yield make
    for c in made:
        close_container(c)


@pytest.fixture
def container(db_url: str, clock: Any, containers: Any) -> Any:
    return containers(db_url, clock)


@pytest.fixture
def make_api(containers: Any) -> Iterator[Any]:
    """Factory ``make_api(container, clock)``: an ``Api`` on a fresh app over ``container``. Depends on
    ``containers`` so that the apps shut down (a shutdown writes a snapshot, ADR 0052) before the containers'
    connections are released: the other order leaves one connection open per test."""
    from fastapi.testclient import TestClient

    from blendcc.api.app import create_app

    clients: list[Any] = []

    def make(container: Any, clock: Any) -> Api:
        tc = TestClient(create_app(container, background=False), raise_server_exceptions=False)
        tc.__enter__()
        clients.append(tc)
        return Api(tc, container, clock)

    yield make
    for tc in reversed(clients):
        tc.__exit__(None, None, None)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_centre(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One seeded centre per test module and backend, for tests that only read or are refused (bad
    requests): much cheaper than a fresh database per test. Tests using it must not change it."""

    from blendcc.adapters.manual_clock import FakeClock

    with pytest.MonkeyPatch.context() as mp, contextlib.ExitStack() as stack:
        _patch_passwords(mp)
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("shared") / "blendcc.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        else:
            url = stack.enter_context(pg_schema("test_shared"))
        with seeded_api(url, FakeClock(T0)) as api:
            yield api


# ---------------------------------------------------------------------- API helper


class Api:
    """A thin wrapper over the TestClient: per-user tokens, JSON in/out and status checks."""

    T0 = T0
    ADMIN_PASSWORD = ADMIN_PASSWORD
    PASSWORD = PASSWORD
    AGENT_USER = AGENT_USER

    def __init__(self, client: Any, container: Any, clock: Any):
        self.client = client
        self.container = container
        self.clock = clock
        self.tokens: dict[str, str] = {}

    # auth
    def login(self, username: str, password: str = PASSWORD) -> str:
        r = self.client.post("/api/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        self.tokens[username] = token
        return token

    def headers(self, user: str | None) -> dict[str, str]:
        if user is None:
            return {}
        if user not in self.tokens:
            self.login(user, ADMIN_PASSWORD if user == "admin" else PASSWORD)
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    # requests
    def call(self, method: str, path: str, user: str | None = "admin", expect: int | None = 200,
             **kwargs: Any) -> Any:
        headers = {**self.headers(user), **kwargs.pop("headers", {})}
        r = self.client.request(method, path, headers=headers, **kwargs)
        if expect is not None:
            assert r.status_code == expect, f"{method} {path} -> {r.status_code}: {r.text}"
        if r.headers.get("content-type", "").startswith("application/json"):
            return r.json()
        return r.text

    def get(self, path: str, user: str | None = "admin", expect: int | None = 200, **kw: Any) -> Any:
        return self.call("GET", path, user, expect, **kw)

    def post(self, path: str, user: str | None = "admin", expect: int | None = 200, **kw: Any) -> Any:
        return self.call("POST", path, user, expect, **kw)

    def put(self, path: str, user: str | None = "admin", expect: int | None = 200, **kw: Any) -> Any:
        return self.call("PUT", path, user, expect, **kw)

    def patch(self, path: str, user: str | None = "admin", expect: int | None = 200, **kw: Any) -> Any:
        return self.call("PATCH", path, user, expect, **kw)

    def delete(self, path: str, user: str | None = "admin", expect: int | None = 200, **kw: Any) -> Any:
        return self.call("DELETE", path, user, expect, **kw)

    def error(self, method: str, path: str, status: int, user: str | None = "admin", **kw: Any) -> dict[str, Any]:
        """Call and check a clean JSON error: ``{"error": ..., "detail": ...}`` with ``status``."""
        headers = {**self.headers(user), **kw.pop("headers", {})}
        r = self.client.request(method, path, headers=headers, **kw)
        assert r.status_code == status, f"{method} {path}: expected {status}, got {r.status_code}: {r.text}"
        assert r.headers["content-type"].startswith("application/json"), r.text
        body: dict[str, Any] = r.json()
        assert set(body) - {"errors"} == {"error", "detail"}, body  # errors: configuration field paths
        assert isinstance(body["detail"], str) and body["detail"], body
        assert "Traceback" not in r.text
        return body

    # time
    def advance(self, seconds: float) -> list[Any]:
        """Move the fake clock on and fire the due timers (what the background ticker does live)."""
        self.clock.advance(seconds)
        fired: list[Any] = self.container.runtime.tick()
        return fired

    # centre operations (as the right user)
    def new_contact(self, user: str = "sup", expect: int = 201, **body: Any) -> dict[str, Any]:
        body.setdefault("channel", "voice")
        result: dict[str, Any] = self.post("/api/contacts", user, expect, json=body)
        return result

    def agent_login(self, agent_id: str, status: str = "available", reason: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status}
        if reason is not None:
            body["reason"] = reason
        result: dict[str, Any] = self.post("/api/agent/login", AGENT_USER[agent_id], json=body)
        return result

    def act(self, who: str, contact_id: str, action: str, expect: int = 200, **body: Any) -> Any:
        """Agent ``who`` (an agent id) does ``action`` on a contact; wrap-up and transfer take a body."""
        payload = body if body or action in ("wrapup", "transfer") else None
        return self.post(f"/api/agent/contacts/{contact_id}/{action}", AGENT_USER[who], expect, json=payload)

    def set_status(self, agent_id: str, status: str, reason: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.post("/api/agent/status", AGENT_USER[agent_id],
                                           json={"status": status, "reason": reason})
        return result

    def agent(self, agent_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/api/agent", AGENT_USER[agent_id])
        return result

    def contact(self, contact_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/api/contacts/{contact_id}")
        return result

    def timeline(self, contact_id: str) -> list[str]:
        return [e["type"] for e in self.get(f"/api/contacts/{contact_id}/events")]

    def work(self, agent_id: str) -> dict[str, str]:
        """contact id -> stage, for everything the agent holds."""
        return {w["contact_id"]: w["stage"] for w in self.agent(agent_id)["work"]}


def seed_centre(api: Api) -> None:
    """Configure the small centre through the API: skills, team, calendar, queues, agents, workflow,
    users (one supervisor, one agent user per agent) and log everybody in once (tokens cached)."""
    for skill in SKILLS:
        api.put(f"/api/config/skills/{skill}", json={"name": skill.title()})
    api.put("/api/config/teams/t1", json={"name": "Team one", "supervisor": "sup"})
    api.put("/api/config/calendars/always", json={"weekly": {d: [{"start": "00:00", "end": "24:00"}] for d in
                                                              ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    for qid, body in QUEUES.items():
        api.put(f"/api/config/queues/{qid}", json=body)
    for aid, body in AGENTS.items():
        api.put(f"/api/config/agents/{aid}", json=body)
    api.put("/api/config/workflows/main", json=WORKFLOW)
    for username, (role, agent_id) in USERS.items():
        api.put(f"/api/users/{username}", json={"password": PASSWORD, "role": role, "agent_id": agent_id})


@pytest.fixture
def api(make_api: Any, container: Any, clock: Any) -> Api:
    """An API helper on an empty centre (only the bootstrap 'admin' user exists)."""
    result: Api = make_api(container, clock)
    return result


@pytest.fixture
def centre(api: Api) -> Api:
    """The API helper on the seeded centre (nobody logged in as an agent yet)."""
    seed_centre(api)
    return api


@pytest.fixture
def seed() -> Any:
    """The ``seed_centre(api)`` function, for tests that build their own containers."""
    return seed_centre

"""Migration 0003 (auth hardening) on a database that already has users: they keep working, an older
case-duplicate pair keeps both users, and the new tables exist (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import text
from storage_backend import PG_URL

from blendcc.adapters.storage.auth_repos import SqlAuditLog, SqlSessionRepository
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.sql_repos import SqlUserRepository
from blendcc.ports import AuthSession
from blendcc.testing.postgres import temporary_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}", None
        return
    with temporary_schema("mu", _fail) as (schema, _):
        yield PG_URL, schema


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def test_existing_users_keep_working_after_the_upgrade(fresh: tuple[str, str | None]) -> None:
    url, schema = fresh
    migrate(url, schema=schema, revision="0002")
    engine = make_engine(url, schema=schema)
    try:
        with engine.begin() as conn:
            for name, role in (("admin", "admin"), ("Admin", "supervisor"), ("Zoe", "agent")):
                conn.execute(text("INSERT INTO users (username, role, agent_id, password_hash) "
                                  "VALUES (:u, :r, NULL, 'scrypt$00$00')"), {"u": name, "r": role})
        migrate(url, schema=schema)
        users = SqlUserRepository(engine)
        assert [(u.username, u.role, u.active, u.totp_confirmed) for u in users.list()] == [
            ("Admin", "supervisor", True, False), ("Zoe", "agent", True, False), ("admin", "admin", True, False)]
        # exact names find each of the old duplicate pair; other spellings find one of them
        assert users.get("Admin").role == "supervisor" and users.get("admin").role == "admin"
        assert users.get("ZOE").username == "Zoe"
        SqlSessionRepository(engine).create(AuthSession("s", "Zoe", 1.0, 2.0, "h"))
        assert SqlAuditLog(engine).query() == []
    finally:
        engine.dispose()

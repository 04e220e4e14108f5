"""Storage contract fixtures: every test runs on the memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine, text
from storage_backend import PG_URL, Backend

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.tables import metadata
from blendcc.testing.postgres import temporary_schema

BACKENDS = ("memory", "sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A fresh, migrated schema for this test session; dropped (CASCADE) at the end."""
    with temporary_schema("t", _fail) as (schema, _):
        migrate(PG_URL, schema=schema)
        yield schema


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    engine = make_engine(PG_URL, schema=pg_schema)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once per session)."""
    path = tmp_path_factory.mktemp("template") / "blendcc.db"
    migrate(f"sqlite:///{path}")
    return path


def _truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name = request.param
    if name == "memory":
        yield Backend(name)
    elif name == "sqlite":
        path = tmp_path / "blendcc.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield Backend(name, engine)
        engine.dispose()
    else:
        engine = request.getfixturevalue("pg_engine")
        _truncate(engine)
        yield Backend(name, engine)


@pytest.fixture
def store(backend: Backend) -> Any:
    return backend.store()


@pytest.fixture(params=("sqlite", "postgresql"))
def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQL database only (no memory fake): a fresh SQLite copy, or the session's PostgreSQL schema
    emptied, for repositories that exist in SQL alone (knowledge base, quality evaluations)."""
    if request.param == "sqlite":
        path = tmp_path / "blendcc.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("pg_engine")
        _truncate(engine)
        yield engine

"""Migrations: a fresh database gets exactly the tables of tables.metadata; migrating again is a no-op."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from storage_backend import PG_URL
from storage_events import abandoned

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.kb_tables import PG_SEARCH_INDEX, SQLITE_FTS
from blendcc.adapters.storage.migrate import current_revision, head_revision, migrate
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.adapters.storage.tables import metadata
from blendcc.testing.postgres import temporary_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}", None
        return
    with temporary_schema("m", _fail) as (schema, _):
        yield PG_URL, schema


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


def schema_snapshot(engine: Engine) -> dict[str, object]:
    insp = inspect(engine)
    out: dict[str, object] = {}
    for name in sorted(insp.get_table_names()):
        out[name] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)],
            insp.get_pk_constraint(name)["constrained_columns"],
            sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(name)),
        )
    return out


def _search_structure(name: str | None) -> bool:
    """The knowledge base's full-text search: FTS5 tables (SQLite) and a GIN expression index (PostgreSQL),
    which the metadata cannot describe."""
    return name is not None and (name in (SQLITE_FTS, PG_SEARCH_INDEX) or name.startswith(SQLITE_FTS + "_"))


def _tables(insp: Any) -> set[str]:
    return {n for n in insp.get_table_names() if not _search_structure(n)}


def test_migrate_creates_exactly_the_metadata_tables(fresh: tuple[str, str | None]) -> None:
    url, schema = fresh
    migrate(url, schema=schema)
    engine = make_engine(url, schema=schema)
    try:
        insp = inspect(engine)
        assert _tables(insp) == set(metadata.tables) | {"alembic_version"}
        for table in metadata.sorted_tables:
            columns = insp.get_columns(table.name)
            assert [c["name"] for c in columns] == [c.name for c in table.columns], table.name
            assert [c["nullable"] for c in columns] == [c.nullable for c in table.columns], table.name
            assert insp.get_pk_constraint(table.name)["constrained_columns"] == [c.name for c in table.primary_key]
            assert {(i["name"], tuple(i["column_names"])) for i in insp.get_indexes(table.name)
                    if not _search_structure(i["name"])} == {
                (i.name, tuple(c.name for c in i.columns)) for i in table.indexes}, table.name
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_name": lambda name, kind, parent: not _search_structure(name)})
            diff = compare_metadata(ctx, metadata)
        assert diff == []
        assert current_revision(engine) == head_revision() is not None
    finally:
        engine.dispose()


def test_migrate_twice_is_a_noop(fresh: tuple[str, str | None]) -> None:
    url, schema = fresh
    migrate(url, schema=schema)
    engine = make_engine(url, schema=schema)
    try:
        store = SqlStore(engine)
        store.append(abandoned("c1"))
        before = schema_snapshot(engine)
        migrate(url, schema=schema)
        migrate(engine)  # an engine works as the target too
        assert schema_snapshot(engine) == before
        assert [s.event for s in store.read()] == abandoned("c1")
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_unmigrated_database_has_no_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()

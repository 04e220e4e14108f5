"""Engine factory: SQLite pragmas and transactions, PostgreSQL URL handling and schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from storage_backend import PG_URL
from storage_events import abandoned

from blendcc.adapters.storage.engine import make_engine, normalise_url, writer
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.storage.sql_store import SqlStore


def test_sqlite_file_engine_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: durable on power loss too
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
    finally:
        engine.dispose()


def test_sqlite_transactions_roll_back_and_writers_begin_immediate(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.rollback()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
        impatient = make_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0})
        try:
            with writer(engine).begin() as conn:  # holds the write lock from BEGIN on, before any write
                conn.execute(text("SELECT count(*) FROM t"))
                with pytest.raises(OperationalError, match="locked"), writer(impatient).begin() as other:
                    other.execute(text("SELECT 1"))
                with impatient.connect() as reader:  # WAL: readers are not blocked
                    assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        finally:
            impatient.dispose()
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    try:
        migrate(engine)
        store = SqlStore(engine)
        store.append(abandoned("c1"))
        assert [s.event for s in SqlStore(engine).read()] == abandoned("c1")
    finally:
        engine.dispose()


def test_url_normalisation() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@h/db")
    with pytest.raises(ValueError, match="schema"):
        make_engine("sqlite://", schema="s1")
    with pytest.raises(ValueError, match="invalid schema"):
        make_engine(PG_URL, schema="x; DROP TABLE events")


def test_postgresql_schema_sets_search_path(pg_schema: str) -> None:
    engine = make_engine(PG_URL, schema=pg_schema)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar() == pg_schema
    finally:
        engine.dispose()

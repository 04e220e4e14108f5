"""Engine factory: tuned SQLite (WAL, real transactions) or PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import StaticPool

from blendcc.adapters.storage import json_repair

#: Seconds a SQLite connection waits for another writer before failing with "database is locked"
#: (override with ``connect_args={"timeout": ...}``).
SQLITE_BUSY_TIMEOUT_S = 10.0

#: Execution option naming the kind of BEGIN emitted on SQLite ("immediate" takes the write lock).
SQLITE_BEGIN = "blendcc_sqlite_begin"

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def normalise_url(url: str | URL) -> URL:
    """Parse ``url``; plain ``postgresql://`` / ``postgres://`` URLs get the psycopg 3 driver."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    u = make_url(url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return u


def make_engine(url: str | URL, *, schema: str | None = None,
                connect_args: Mapping[str, Any] | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL).

    SQLite: WAL journal, ``synchronous=FULL`` by default (a committed append survives power loss;
    ``BLENDCC_SQLITE_SYNCHRONOUS=NORMAL`` trades that for speed and is still safe against a process
    crash), a busy timeout, usable from any thread, and
    SQLAlchemy-controlled ``BEGIN`` so reads are transactional; a connection with the execution
    option ``{SQLITE_BEGIN: "immediate"}`` starts with ``BEGIN IMMEDIATE`` (used by writers).
    PostgreSQL: ``schema`` (optional) becomes the connection's ``search_path``.
    """
    u = normalise_url(url)
    args = dict(connect_args or {})
    kwargs.setdefault("json_deserializer", json_repair.loads)  # no stored row can break a read
    backend = u.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise ValueError("schema is only supported on PostgreSQL")
        args.setdefault("check_same_thread", False)
        args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        in_memory = u.database in (None, "", ":memory:")
        if in_memory:
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(u, connect_args=args, **kwargs)
        _install_sqlite_hooks(engine, wal=not in_memory)
        return engine
    if backend == "postgresql":
        if schema is not None:
            if not _SCHEMA_NAME.match(schema):
                raise ValueError(f"invalid schema name {schema!r}")
            args["options"] = f"{args.get('options', '')} -csearch_path={schema}".strip()
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(u, connect_args=args, **kwargs)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the sqlite3 driver's legacy mode skips it before SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={_synchronous()}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "immediate" else "BEGIN")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)


def writer(engine: Engine) -> Engine:
    """The engine to open write transactions with: on SQLite they take the write lock up front, so a
    read-then-write transaction waits for other writers instead of failing on a stale snapshot."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{SQLITE_BEGIN: "immediate"})
    return engine


def _synchronous() -> str:
    level = os.environ.get("BLENDCC_SQLITE_SYNCHRONOUS", "FULL").upper()
    if level not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(f"BLENDCC_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA, not {level!r}")
    return level

"""Engine factory: tuned SQLite (WAL, real transactions) or PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import StaticPool

from blendcc.adapters.storage import json_repair

#: Seconds a SQLite connection waits for another writer before failing with "database is locked"
#: (override with ``connect_args={"timeout": ...}``).
SQLITE_BUSY_TIMEOUT_S = 10.0

#: Pooled SQLite connections kept open, and how many more may open under load (a file database's
#: connections are cheap; the writers among them queue on a per-file lock, not on the pool).
SQLITE_POOL_SIZE = 16
SQLITE_POOL_OVERFLOW = 48

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
        else:
            # a connection per request thread (the server's thread pool has 40): SQLAlchemy's default
            # 5 + 10 made threads queue for a connection while others waited for the write lock
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_POOL_OVERFLOW)
        engine = create_engine(u, connect_args=args, **kwargs)
        _install_sqlite_hooks(engine, wal=not in_memory, writers=_writer_lock(u, in_memory),
                              wait_s=float(args["timeout"]))
        return engine
    if backend == "postgresql":
        if schema is not None:
            if not _SCHEMA_NAME.match(schema):
                raise ValueError(f"invalid schema name {schema!r}")
            args["options"] = f"{args.get('options', '')} -csearch_path={schema}".strip()
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(u, connect_args=args, **kwargs)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()
_HELD = "blendcc_sqlite_writer"


def _writer_lock(u: URL, in_memory: bool) -> threading.Lock:
    """One lock per database file in this process: its writers queue here, in order and woken at once,
    instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms (a convoy under load)."""
    key = f"memory:{id(u)}" if in_memory else os.path.realpath(u.database or "")
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.Lock())


def _install_sqlite_hooks(engine: Engine, *, wal: bool, writers: threading.Lock, wait_s: float) -> None:
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
        if conn.get_execution_options().get(SQLITE_BEGIN) != "immediate":
            conn.exec_driver_sql("BEGIN")
            return
        # a writer of this process waits its turn on the lock (a writer of another process, or one that
        # waited too long, falls back to SQLite's own busy timeout)
        if writers.acquire(timeout=max(0.0, wait_s)):
            conn.info[_HELD] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            on_end(conn)
            raise

    def on_end(conn: Connection) -> None:
        if conn.info.pop(_HELD, False):
            writers.release()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)


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

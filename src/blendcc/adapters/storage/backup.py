"""Backup and restore of the whole database: SQLite's online backup API, pg_dump/pg_restore for PostgreSQL.

Both are consistent while the server runs (SQLite copies a consistent set of pages; pg_dump reads one snapshot).
A restored database holds the event log, its projections and the live-state snapshots, so a server started on
it rebuilds the same live state. ``BackupError`` carries a message for the user (the CLI exits 2 with it).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError

from blendcc.adapters.storage.engine import make_engine, normalise_url


class BackupError(Exception):
    """The backup or restore cannot be done as asked (bad input, missing tool, refused target)."""


def _parse(url: str) -> URL:
    try:
        u = normalise_url(url)
    except ArgumentError as exc:
        raise BackupError(f"not a database URL: {url!r}") from exc
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL URLs, not {u.get_backend_name()!r}")
    return u


def _sqlite_path(u: URL) -> Path:
    if not u.database or u.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(u.database)


def _schema(u: URL) -> str | None:
    """The schema a PostgreSQL URL selects with ``options=-csearch_path=...`` (None: the default)."""
    options = u.query.get("options")
    text = " ".join(options) if isinstance(options, tuple) else (options or "")
    m = re.search(r"search_path=([A-Za-z0-9_]+)", text)
    return m.group(1) if m else None


def _libpq(u: URL) -> str:
    """The URL as pg_dump/pg_restore take it (no SQLAlchemy driver name)."""
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _tables(u: URL) -> list[str]:
    engine = make_engine(u)
    try:
        return inspect(engine).get_table_names(schema=_schema(u))
    except Exception as exc:
        raise BackupError(f"cannot open the database: {exc}") from exc
    finally:
        engine.dispose()


def _tool(name: str, u: URL) -> str:
    """The path of ``name``, refused if older than the server (a dump from an older pg_dump may miss things)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools, same major version as the server)")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    engine = make_engine(u)
    try:
        with engine.connect() as conn:
            server = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
    except Exception as exc:
        raise BackupError(f"cannot reach the database: {exc}") from exc
    finally:
        engine.dispose()
    if m is None or int(m.group(1)) < server:
        raise BackupError(f"{name} is version {out.strip()!r}, older than the server (PostgreSQL {server})")
    return path


def backup(url: str, target: Path, *, force: bool = False) -> None:
    """Write a backup of the database at ``url`` to ``target`` (a SQLite file, or a pg_dump custom archive)."""
    u = _parse(url)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; use --force to overwrite it")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist")
    if u.get_backend_name() == "sqlite":
        source = _sqlite_path(u)
        if not source.is_file():
            raise BackupError(f"database file {source} does not exist")
        target.unlink(missing_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    args = [_tool("pg_dump", u), "--format=custom", "--no-owner", f"--file={target}"]
    schema = _schema(u)
    if schema is not None:
        args.append(f"--schema={schema}")
    _run([*args, f"--dbname={_libpq(u)}"], "pg_dump")


def restore(url: str, source: Path, *, force: bool = False) -> None:
    """Restore the backup ``source`` into the database at ``url``, refused when it holds tables unless ``force``."""
    u = _parse(url)
    if not source.is_file():
        raise BackupError(f"backup file {source} does not exist")
    if u.get_backend_name() == "sqlite":
        target = _sqlite_path(u)
        _check_sqlite_backup(source)
        if target.exists() and _tables(u) and not force:
            raise BackupError(f"{target} is not empty; use --force to replace it")
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    pg_restore = _tool("pg_restore", u)
    listing = subprocess.run([pg_restore, "--list", str(source)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a pg_dump archive: {listing.stderr.strip()}")
    schema = _schema(u)
    held = set(re.findall(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", listing.stdout, re.MULTILINE))
    if schema is not None and held and schema not in held:
        raise BackupError(f"the backup holds schema {sorted(held)[0]!r}; the URL selects {schema!r}")
    if _tables(u) and not force:
        raise BackupError(f"the target database{f' (schema {schema})' if schema else ''} is not empty; "
                          "use --force to replace it")
    args = [pg_restore, "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={_libpq(u)}"]
    if force or (schema is not None and schema in held):
        args += ["--clean", "--if-exists"]  # drops what the backup holds first (an empty selected schema too)
    _run([*args, str(source)], "pg_restore")


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite backup: {exc}") from exc
    if "events" not in names:
        raise BackupError(f"{source} is not a blendcc backup (it has no events table)")


def _run(args: list[str], name: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()[-2000:]}")

"""Run the packaged Alembic migrations programmatically (no alembic.ini on disk).

A database already at the shipped head is recognised without importing Alembic (ADR 0059: about a second of a
server's start): the heads are read from the migration files' ``revision``/``down_revision`` lines and compared
with the ``alembic_version`` table; anything unexpected takes the full Alembic path.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from blendcc.adapters.storage.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_ASSIGN = re.compile(r"^(revision|down_revision|depends_on)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def shipped_heads() -> frozenset[str] | None:
    """The head revisions of the packaged migrations, from their files' text (None when a file does not read as
    expected: then only Alembic can tell)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict((m.group(1), m.group(2)) for m in _ASSIGN.finditer(path.read_text(encoding="utf-8")))
        try:
            rev = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
            depends = ast.literal_eval(found.get("depends_on", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(rev, str) or depends is not None:
            return None
        revisions.add(rev)
        if isinstance(down, str):
            downs.add(down)
        elif isinstance(down, tuple | list):
            downs.update(str(d) for d in down)
        elif down is not None:
            return None
    return frozenset(revisions - downs) or None


def _at_head(engine: Engine) -> bool:
    """True when the database's ``alembic_version`` rows are exactly the shipped heads (no Alembic import)."""
    heads = shipped_heads()
    if heads is None:
        return False
    try:
        with engine.connect() as conn:
            current = {str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:  # no such table yet (a new database), or it cannot be read: Alembic decides
        return False
    return current == heads


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        cfg.set_main_option("sqlalchemy.url", text.replace("%", "%%"))
    return cfg


#: advisory lock key that serialises concurrent migrations on one PostgreSQL database
_MIGRATION_LOCK = 0x626C656E64636301


def migrate(target: str | URL | Engine, *, schema: str | None = None, revision: str = "head") -> None:
    """Upgrade the database at ``target`` (URL or engine) to ``revision``; a no-op when already there.

    ``schema`` (PostgreSQL, URL targets only) migrates that schema through the ``search_path``.
    """
    engine = target if isinstance(target, Engine) else make_engine(target, schema=schema)
    try:
        if revision == "head" and _at_head(engine):
            return
        from alembic import command

        cfg = alembic_config()
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # nodes starting together migrate one at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if engine is not target:
            engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped with the package."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database behind ``engine`` is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

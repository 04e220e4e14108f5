"""Run the packaged Alembic migrations programmatically (no alembic.ini on disk)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from blendcc.adapters.storage.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the package."""
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
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database behind ``engine`` is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

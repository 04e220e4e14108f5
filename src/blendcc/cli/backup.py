"""Backup and restore commands: blendcc backup FILE, blendcc restore FILE (SQLite online backup, pg_dump/pg_restore)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from blendcc.cli.base import app, fail, out
from blendcc.cli.base import settings_or_exit as _settings
from blendcc.redaction import redact


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="backup to write: a SQLite file, or a pg_dump archive (custom format)")],
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite FILE if it exists")] = False,
) -> None:
    """Back up the whole database (safe while the server runs: a consistent copy)."""
    from blendcc.adapters.storage.backup import backup as run

    url = _run(run, file, database_url, force)
    out.print(f"backed up {escape(redact(url))} to {escape(str(file))}", highlight=False)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="a backup written by `blendcc backup`")],
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL of the database to restore into")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace a database that is not empty")] = False,
) -> None:
    """Restore a backup into a database (stop the server first); the next start rebuilds the live state from it."""
    from blendcc.adapters.storage.backup import restore as run

    url = _run(run, file, database_url, force)
    out.print(f"restored {escape(str(file))} into {escape(redact(url))}", highlight=False)


def _run(run: Callable[..., None], file: Path, database_url: str | None, force: bool) -> str:
    """Run a backup or restore on the configured database; its refusal is exit 2 with the message."""
    from blendcc.adapters.storage.backup import BackupError

    settings = _settings(database_url=database_url)
    try:
        run(settings.database_url, file, force=force)
    except BackupError as exc:
        raise fail(str(exc)) from None
    return str(settings.database_url)

"""``blendcc backup`` / ``blendcc restore`` on SQLite and PostgreSQL: a backup taken while the centre runs, restored
into a fresh database, starts the same live state as the original; bad input exits 2 with a message."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.engine import make_engine
from blendcc.bootstrap import build_container
from blendcc.cli import app
from blendcc.config import Settings
from blendcc.domain.errors import DomainError
from blendcc.routing.snapshot import fingerprint
from blendcc.testing.postgres import temporary_schema
from blendcc.testing.postgres import test_pg_url as pg_url
from blendcc.testing.snapshot_traffic import centre_docs, random_command

T0 = 1_700_000_000.0


def _fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


@contextlib.contextmanager
def fresh_pg_database(schema: str) -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its URL selecting ``schema``; dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(pg_url()).set(database=name).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=("sqlite", "postgresql"))
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL of a database to back up, URL of a fresh database to restore into)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with temporary_schema("bk", _fail) as (schema, url), fresh_pg_database(schema) as target:
        yield url, target


def container(url: str, now: float) -> Any:
    settings = Settings(database_url=url, admin_password="backup-admin-pw", secret_key="backup-secret-key-0123456789",
                        timezone="UTC")
    return build_container(settings, clock=FakeClock(now))


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def traffic(c: Any, rng: random.Random, steps: int, start: int) -> None:
    for n in range(start, start + steps):
        c.clock.advance(rng.choice((0.0, 1.0, 5.0, 20.0)))
        command = c.runtime.query(lambda engine, _now, n=n: random_command(rng, engine, n))
        with contextlib.suppress(DomainError):
            c.runtime.execute(command)


def test_a_restored_backup_starts_the_same_live_state(databases: tuple[str, str], tmp_path: Path) -> None:
    source, target = databases
    live = container(source, T0)
    queues, agents, workflows = centre_docs()
    for kind, docs in (("queues", queues), ("agents", agents), ("workflows", workflows)):
        for doc in docs:
            live.config.put(kind, doc.id, doc.model_dump(mode="json"), "test")
    rng = random.Random(5)
    traffic(live, rng, 120, 0)
    assert live.runtime.snapshot()  # the restore holds a snapshot and the events after it
    traffic(live, rng, 60, 1000)
    now = live.clock.now()
    archive = tmp_path / "centre.backup"
    result = cli("backup", str(archive), "--database-url", source)  # while the centre runs
    assert result.exit_code == 0, result.output
    live.store.engine.dispose()

    result = cli("restore", str(archive), "--database-url", target)
    assert result.exit_code == 0, result.output
    original, restored = container(source, now), container(target, now)
    try:
        assert restored.store.last_seq() == original.store.last_seq()
        assert restored.runtime.snapshots.last_seq > 0  # started from the restored snapshot
        state = restored.runtime.query(lambda e, _n: fingerprint(e))
        assert state == original.runtime.query(lambda e, _n: fingerprint(e))
        assert state["contacts"], "the scenario should leave open contacts"
    finally:
        original.store.engine.dispose()
        restored.store.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(databases: tuple[str, str], tmp_path: Path) -> None:
    source, target = databases
    container(source, T0).store.engine.dispose()
    archive = tmp_path / "a.backup"
    assert cli("backup", str(archive), "--database-url", source).exit_code == 0
    assert cli("restore", str(archive), "--database-url", target).exit_code == 0
    result = cli("restore", str(archive), "--database-url", target)  # it holds the first restore now
    assert result.exit_code == 2
    assert "not empty" in result.output and "--force" in result.output
    result = cli("restore", str(archive), "--database-url", target, "--force")
    assert result.exit_code == 0, result.output
    again = cli("backup", str(archive), "--database-url", source)
    assert again.exit_code == 2 and "exists" in again.output


@pytest.mark.parametrize(("args", "message"), [
    (("backup", "{tmp}/out.db", "--database-url", "sqlite:///{tmp}/missing.db"), "does not exist"),
    (("restore", "{tmp}/missing.backup", "--database-url", "sqlite:///{tmp}/x.db"), "does not exist"),
    (("restore", "{tmp}/garbage.backup", "--database-url", "sqlite:///{tmp}/x.db"), "not a SQLite backup"),
    (("backup", "{tmp}/out.db", "--database-url", "mysql://u@h/db"), "SQLite and PostgreSQL"),
    (("backup", "{tmp}/out.db", "--database-url", "not a url"), "not a database URL"),
    (("backup", "{tmp}/nodir/out.db", "--database-url", "sqlite:///{tmp}/x.db"), "does not exist"),
])
def test_bad_input_exits_2(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    (tmp_path / "garbage.backup").write_bytes(b"this is not a database " * 100)
    result = cli(*(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_postgresql_restore_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not an archive")
    with temporary_schema("bk", _fail) as (_schema, url):
        result = cli("restore", str(garbage), "--database-url", url)
    assert result.exit_code == 2
    assert "not a pg_dump archive" in result.output

"""The migration check at start (ADR 0059): the heads read from the migration files are Alembic's, and a database at
them is recognised without importing Alembic; one behind is upgraded by Alembic as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.migrate import _at_head, alembic_config, current_revision, shipped_heads

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_the_heads_read_from_the_files_are_alembics() -> None:
    assert shipped_heads() == frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_database_at_head_is_checked_without_alembic_and_one_behind_is_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    check = f"import sys; from blendcc.adapters.storage.migrate import migrate; migrate({url!r}); " \
            "print('alembic' in sys.modules)"
    assert _run(check) == "True"  # a new database: Alembic creates the schema
    assert _run(check) == "False"  # at head: no Alembic
    engine = make_engine(url)
    try:
        heads = shipped_heads()
        assert heads is not None and current_revision(engine) in heads and _at_head(engine)
        with engine.begin() as conn:  # a database one migration behind is not at head: Alembic upgrades it
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        assert not _at_head(engine)
    finally:
        engine.dispose()
    assert not _at_head(make_engine(f"sqlite:///{tmp_path / 'new.db'}"))  # no alembic_version table yet

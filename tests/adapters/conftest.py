"""Fixtures of the adapter tests: an empty database URL on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a throwaway PostgreSQL schema (dropped after the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.db'}"
        return
    from blendcc.testing.postgres import temporary_schema

    with temporary_schema("history", pytest.fail) as (_schema, url):
        yield url

"""End-to-end fixtures: a database per test (SQLite file or a fresh PostgreSQL schema) and server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_support import Server, pg_schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test: a temp SQLite file, or a new schema on BLENDCC_TEST_PG_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'e2e.db'}"
        return
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Factory ``servers(database_url, *extra_args)`` -> an unstarted Server; all are stopped at the end."""
    made: list[Server] = []

    def make(database_url: str, *extra_args: str) -> Server:
        server = Server(database_url, tmp_path, tuple(extra_args))
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()

"""Backend factories for the storage contract tests: memory fakes or SQL adapters on one engine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.sql_repos import (
    SqlConfigRepository,
    SqlCustomerRepository,
    SqlMeta,
    SqlUserRepository,
)
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.analytics.queue_stats import Thresholds
from blendcc.testing import (
    MemoryConfigRepository,
    MemoryCustomerRepository,
    MemoryMeta,
    MemoryStore,
    MemoryUserRepository,
)

PG_URL = os.environ.get("BLENDCC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Backend:
    """Factories for one backend; a memory backend shares one customer repository with its stores."""

    name: str
    engine: Engine | None = None
    _customers: Any = field(default=None, init=False)

    def store(self, thresholds: Thresholds | None = None) -> Any:
        if self.engine is None:
            return MemoryStore(thresholds, customers=self.customers())
        return SqlStore(self.engine, thresholds=thresholds)

    def customers(self) -> Any:
        if self._customers is None:
            self._customers = (MemoryCustomerRepository() if self.engine is None
                               else SqlCustomerRepository(self.engine))
        return self._customers

    def config(self) -> Any:
        return MemoryConfigRepository() if self.engine is None else SqlConfigRepository(self.engine)

    def users(self) -> Any:
        return MemoryUserRepository() if self.engine is None else SqlUserRepository(self.engine)

    def meta(self) -> Any:
        return MemoryMeta() if self.engine is None else SqlMeta(self.engine)


def pg_admin_engine() -> Engine:
    """An engine on the test PostgreSQL; fails the test (never skips) when it is unreachable."""
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        pytest.fail(f"PostgreSQL is required for the storage contract tests and is not reachable at "
                    f"{PG_URL!r} (set BLENDCC_TEST_PG_URL): {exc}", pytrace=False)
    return engine

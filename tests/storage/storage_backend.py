"""Backend factories for the storage contract tests: memory fakes or SQL adapters on one engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from blendcc.adapters.storage.auth_repos import SqlAuditLog, SqlSessionRepository
from blendcc.adapters.storage.canned_repo import SqlCannedRepository
from blendcc.adapters.storage.customer_reader import MemoryCustomerHistory, SqlCustomerHistory
from blendcc.adapters.storage.memory.canned import MemoryCannedRepository
from blendcc.adapters.storage.memory.registrations import MemoryPhoneBindings
from blendcc.adapters.storage.registration_repo import SqlPhoneBindings
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
from blendcc.testing.memory_auth import MemoryAuditLog, MemorySessionRepository
from blendcc.testing.postgres import test_pg_url

PG_URL = test_pg_url()


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

    def customer_history(self, store: Any) -> Any:
        return MemoryCustomerHistory(store) if self.engine is None else SqlCustomerHistory(self.engine)

    def config(self) -> Any:
        return MemoryConfigRepository() if self.engine is None else SqlConfigRepository(self.engine)

    def users(self) -> Any:
        return MemoryUserRepository() if self.engine is None else SqlUserRepository(self.engine)

    def sessions(self) -> Any:
        return MemorySessionRepository() if self.engine is None else SqlSessionRepository(self.engine)

    def audit(self) -> Any:
        return MemoryAuditLog() if self.engine is None else SqlAuditLog(self.engine)

    def meta(self) -> Any:
        return MemoryMeta() if self.engine is None else SqlMeta(self.engine)

    def canned(self) -> Any:
        return MemoryCannedRepository() if self.engine is None else SqlCannedRepository(self.engine)

    def phone_bindings(self) -> Any:
        return MemoryPhoneBindings() if self.engine is None else SqlPhoneBindings(self.engine)

"""Static and runtime check that every adapter and fake satisfies the ports it implements."""

from __future__ import annotations

from pathlib import Path

import pytest

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.storage.auth_repos import SqlAuditLog, SqlSessionRepository
from blendcc.adapters.storage.engine import make_engine
from blendcc.adapters.storage.memory.registrations import MemoryPhoneBindings
from blendcc.adapters.storage.registration_repo import SqlPhoneBindings
from blendcc.adapters.storage.sql_repos import SqlConfigRepository, SqlCustomerRepository, SqlUserRepository
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.ports import (
    AuditLog,
    Clock,
    ConfigRepository,
    CustomerRepository,
    EventBus,
    SessionRepository,
    Store,
    UserRepository,
)
from blendcc.state_ports import PhoneBindings
from blendcc.testing import (
    FakeClock,
    MemoryAuditLog,
    MemoryConfigRepository,
    MemoryCustomerRepository,
    MemorySessionRepository,
    MemoryStore,
    MemoryUserRepository,
    RecordingBus,
)


def test_implementations_match_the_ports(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        # mypy checks these assignments against the Protocols; the asserts keep them alive at run time
        stores: list[Store] = [SqlStore(engine), MemoryStore()]
        configs: list[ConfigRepository] = [SqlConfigRepository(engine), MemoryConfigRepository()]
        customers: list[CustomerRepository] = [SqlCustomerRepository(engine), MemoryCustomerRepository()]
        users: list[UserRepository] = [SqlUserRepository(engine), MemoryUserRepository()]
        buses: list[EventBus] = [MemoryBus(), RecordingBus()]
        sessions: list[SessionRepository] = [SqlSessionRepository(engine), MemorySessionRepository()]
        audits: list[AuditLog] = [SqlAuditLog(engine), MemoryAuditLog()]
        bindings: list[PhoneBindings] = [SqlPhoneBindings(engine), MemoryPhoneBindings()]
        assert len(sessions) == len(audits) == len(bindings) == 2
        clock: Clock = FakeClock(5.0)
        assert [len(x) for x in (stores, configs, customers, users, buses)] == [2, 2, 2, 2, 2]
        assert clock.now() == 5.0
    finally:
        engine.dispose()


def test_fake_clock() -> None:
    clock = FakeClock(100.0)
    assert clock.advance(2.5) == 102.5
    assert clock.now() == 102.5
    clock.set(50.0)
    assert clock.now() == 50.0
    with pytest.raises(ValueError):
        clock.advance(-1)

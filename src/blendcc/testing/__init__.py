"""Fakes shipped with the product: FakeClock, in-memory store and repositories, recording bus."""

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import (
    MemoryConfigRepository,
    MemoryCustomerRepository,
    MemoryMeta,
    MemoryStore,
    MemoryUserRepository,
)
from blendcc.testing.bus import RecordingBus
from blendcc.testing.memory_auth import MemoryAuditLog, MemorySessionRepository

__all__ = [
    "FakeClock",
    "MemoryAuditLog",
    "MemoryConfigRepository",
    "MemoryCustomerRepository",
    "MemoryMeta",
    "MemorySessionRepository",
    "MemoryStore",
    "MemoryUserRepository",
    "RecordingBus",
]

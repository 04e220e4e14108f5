"""Fakes shipped with the product: FakeClock, in-memory store and repositories, recording bus."""

from blendcc.testing.bus import RecordingBus
from blendcc.testing.clock import FakeClock
from blendcc.testing.memory_auth import MemoryAuditLog, MemorySessionRepository
from blendcc.testing.memory_store import (
    MemoryConfigRepository,
    MemoryCustomerRepository,
    MemoryMeta,
    MemoryStore,
    MemoryUserRepository,
)

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

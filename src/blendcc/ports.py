"""Ports: the Protocols the application needs from the outside world (clock, storage, bus)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.queue_stats import CounterKey, QueueCounters
from blendcc.domain.events import Event


class Clock(Protocol):
    def now(self) -> float:
        """Current time as UTC epoch seconds."""
        ...


class Rng(Protocol):
    def random(self) -> float: ...
    def expovariate(self, lambd: float) -> float: ...
    def choice(self, seq: Sequence[Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    event: Event


@dataclass(frozen=True, slots=True)
class ConfigDocument:
    kind: str
    id: str
    version: int
    body: Mapping[str, Any]
    at: float
    by: str | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str  # agent, supervisor, admin
    agent_id: str | None
    password_hash: str


class EventStore(Protocol):
    """The durable event log plus its projections, written in one transaction per append."""

    def append(self, events: Sequence[Event]) -> int:
        """Persist ``events`` (and their projections) atomically; return the last sequence number."""
        ...

    def read(self, after_seq: int = 0, limit: int | None = None) -> list[StoredEvent]: ...

    def replay_window(self) -> list[Event]:
        """Events needed to rebuild live state: from the oldest open contact or logged-in agent on."""
        ...

    def contact_events(self, contact_id: str) -> list[StoredEvent]: ...


class ConfigRepository(Protocol):
    """Versioned configuration documents (queues, agents, workflows, calendars, teams, skills...)."""

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], at: float, by: str | None) -> ConfigDocument: ...
    def delete(self, kind: str, doc_id: str, at: float, by: str | None) -> ConfigDocument: ...
    def get(self, kind: str, doc_id: str) -> ConfigDocument | None: ...
    def list(self, kind: str) -> list[ConfigDocument]: ...
    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]: ...


class CustomerRepository(Protocol):
    def find_by_identity(self, kind: str, value: str) -> Mapping[str, Any] | None: ...
    def create(self, customer_id: str, identities: Iterable[tuple[str, str]], tier: str, name: str,
               fields: Mapping[str, Any], at: float) -> Mapping[str, Any]: ...
    def get(self, customer_id: str) -> Mapping[str, Any] | None: ...
    def update(self, customer_id: str, changes: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def add_identity(self, customer_id: str, kind: str, value: str) -> None: ...


class UserRepository(Protocol):
    def get(self, username: str) -> User | None: ...
    def put(self, user: User) -> None: ...
    def list(self) -> builtins.list[User]: ...


class EventBus(Protocol):
    """Narrow publish/subscribe by topic ('contact', 'agent', 'stats', ...)."""

    def publish(self, topic: str, message: Mapping[str, Any]) -> None: ...
    def subscribe(self, topic: str, handler: Callable[[str, Mapping[str, Any]], None]) -> Callable[[], None]:
        """Register ``handler``; return a function that unsubscribes it."""
        ...


class ReportReader(Protocol):
    """Read side of the projections, for reports, live-stat warm-up and contact lookups."""

    def queue_counters(self, start: float, end: float) -> dict[CounterKey, QueueCounters]: ...
    def state_intervals(self, start: float, end: float) -> list[StateInterval]: ...
    def handled_by_agent(self, start: float, end: float) -> dict[str, int]: ...
    def interaction(self, contact_id: str) -> dict[str, Any] | None: ...
    def interactions(self, start: float | None = None, end: float | None = None, queue_id: str | None = None,
                     agent_id: str | None = None, customer_id: str | None = None, state: str | None = None,
                     limit: int = 100, offset: int = 0) -> list[dict[str, Any]]: ...


class Store(EventStore, ReportReader, Protocol):
    """An event store that also answers the report queries (what the SQL and memory stores are)."""

    def set_thresholds(self, thresholds: Callable[[str, str], tuple[float, float]]) -> None: ...

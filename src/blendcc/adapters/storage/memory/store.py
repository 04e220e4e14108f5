"""In-memory EventStore and repositories with the same behaviour as the SQL adapters (tests, simulator)."""

from __future__ import annotations

import builtins
import dataclasses
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from blendcc.adapters.storage import message_index
from blendcc.adapters.storage.common import (
    CLOSED_STATE,
    CUSTOMER_UPDATABLE,
    identity_key,
    json_copy,
    public_row,
    resolve_thresholds,
)
from blendcc.adapters.storage.customer_repo import MemoryCustomerExtras
from blendcc.adapters.storage.projectors import PROJECTORS, MemoryTables, ProjectorRegistry
from blendcc.analytics.agent_stats import AgentTime, StateInterval
from blendcc.analytics.interval_counters import AgentInterval, AgentKey, WrapCounts, WrapKey
from blendcc.analytics.queue_stats import CounterKey, QueueCounters, Thresholds
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event, subject_ids
from blendcc.domain.usernames import username_key
from blendcc.ports import ConfigDocument, StoredEvent, User


class MemoryStore:
    """EventStore plus the report readers of SqlStore, kept in process memory (the same projector registry)."""

    def __init__(self, thresholds: Thresholds | None = None,
                 customers: MemoryCustomerRepository | None = None,
                 projectors: ProjectorRegistry = PROJECTORS) -> None:
        self._lock = threading.RLock()
        self.projectors = projectors
        self._events: list[StoredEvent] = []
        self._t = MemoryTables(resolve_thresholds(thresholds), customers)
        self._t.extra["event_log"] = self._events  # customer erasure rewrites personal fields in place

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self._t.thresholds = thresholds

    # ------------------------------------------------------------------ writing

    def append(self, events: Sequence[Event]) -> list[int]:
        with self._lock:
            if not events:
                return []
            first = len(self._events) + 1
            batch = [StoredEvent(seq, e) for seq, e in enumerate(events, start=first)]
            # every projector computes its change before the first write, so a refused append stores nothing
            self.projectors.apply_memory(self._t, batch)
            self._events.extend(batch)
            return [s.seq for s in batch]

    # ------------------------------------------------------------------ event log

    def last_seq(self) -> int:
        with self._lock:
            return self._events[-1].seq if self._events else 0

    def read(self, after_seq: int = 0, limit: int | None = None) -> list[StoredEvent]:
        with self._lock:
            # seq n lives at index n - 1
            start = max(after_seq, 0)
            end = len(self._events) if limit is None else min(len(self._events), start + max(limit, 0))
            return self._events[start:end]

    def contact_events(self, contact_id: str) -> list[StoredEvent]:
        with self._lock:
            return [s for s in self._events if getattr(s.event, "contact_id", None) == contact_id]

    def events_of_type(self, types: Iterable[str], start: float | None = None,
                       end: float | None = None, agent_id: str | None = None) -> list[StoredEvent]:
        wanted = set(types)
        lo = -float("inf") if start is None else start
        hi = float("inf") if end is None else end
        with self._lock:
            return [s for s in self._events if s.event.type in wanted and lo <= s.event.at < hi
                    and (agent_id is None or subject_ids(s.event)[1] == agent_id)]

    def replay_window(self) -> list[Event]:
        with self._lock:
            t = self._t
            starts = [t.created_seq[cid] for cid, row in t.rows.items() if row["state"] != CLOSED_STATE]
            starts += [seq for seq in t.presence.values() if seq is not None]
            if not starts:
                return []
            return [s.event for s in self._events[min(starts) - 1:]]

    # ------------------------------------------------------------------ report readers

    def message_by_provider_id(self, direction: str, channel: str, instance: str,
                               provider_id: str) -> tuple[str, str] | None:
        with self._lock:
            return message_index.memory_find(self._t, direction, channel, instance, provider_id)

    def queue_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[CounterKey, QueueCounters]:
        with self._lock:
            if starts:
                return _summed(self._t.counters, start, end, starts, QueueCounters)
            return {key: dataclasses.replace(c) for key, c in self._t.counters.items() if start <= key[0] < end}

    def queue_offered(self, start: float, end: float) -> dict[CounterKey, int]:
        with self._lock:
            return {key: c.offered for key, c in self._t.counters.items() if start <= key[0] < end and c.offered}

    def agent_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[AgentKey, AgentInterval]:
        with self._lock:
            rows = self._t.extra.get("interval_counters", ({}, {}))[0]
            return _summed(rows, start, end, starts, AgentInterval)

    def state_seconds(self, starts: Sequence[float], ends: Sequence[float],
                      until: float) -> dict[tuple[float, str], AgentTime]:
        out: dict[tuple[float, str], AgentTime] = {}
        with self._lock:
            for b, e in zip(starts, ends, strict=True):
                for iv in self._t.intervals:
                    secs = min(iv.end if iv.end is not None else until, e) - max(iv.start, b)
                    if secs > 0:
                        out.setdefault((b, iv.agent_id), AgentTime()).add(iv.state, iv.reason, secs)
        return out

    def wrapup_counters(self, start: float, end: float, starts: Sequence[float] = (),
                        ends: Sequence[float] = ()) -> dict[WrapKey, WrapCounts]:
        with self._lock:
            rows = self._t.extra.get("interval_counters", ({}, {}))[1]
            return _summed(rows, start, end, starts, WrapCounts)

    def state_intervals(self, start: float, end: float) -> list[StateInterval]:
        with self._lock:
            hits = [iv for iv in self._t.intervals if iv.start < end and (iv.end is None or iv.end > start)]
        return sorted(hits, key=lambda iv: iv.start)

    def open_state_intervals(self) -> list[StateInterval]:
        with self._lock:
            return sorted((iv for iv in self._t.intervals if iv.end is None), key=lambda iv: iv.start)

    def interactions(self, start: float | None = None, end: float | None = None, queue_id: str | None = None,
                     agent_id: str | None = None, customer_id: str | None = None, state: str | None = None,
                     limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Interaction rows created in [start, end), filtered, newest first."""
        filters = {"queue_id": queue_id, "agent_id": agent_id, "customer_id": customer_id, "state": state}
        with self._lock:
            rows = [(r, self._t.created_seq[cid]) for cid, r in self._t.rows.items()
                    if (start is None or r["created_at"] >= start) and (end is None or r["created_at"] < end)
                    and all(v is None or r[k] == v for k, v in filters.items())]
            rows.sort(key=lambda rs: (rs[0]["created_at"], rs[1]), reverse=True)
            return [public_row(r) for r, _ in rows[offset:offset + limit]]

    def interaction(self, contact_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._t.rows.get(contact_id)
            return public_row(row) if row is not None else None

    def handled_by_agent(self, start: float, end: float) -> dict[str, int]:
        out: dict[str, int] = {}
        with self._lock:
            for at, agent_id in self._t.handled:
                if start <= at < end:
                    out[agent_id] = out.get(agent_id, 0) + 1
        return out

    def campaign_states(self) -> dict[str, tuple[str, str | None, float]]:
        """campaign id -> (state, reason, since), the ``campaign_states`` projection."""
        with self._lock:
            return dict(self._t.campaign_states)


class MemoryConfigRepository:
    """Append-only versioned configuration documents."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # put_many holds it around several _add calls
        self._docs: dict[tuple[str, str], list[ConfigDocument]] = {}

    def _add(self, kind: str, doc_id: str, body: Mapping[str, Any] | None, at: float, by: str | None,
             *, deleted: bool) -> ConfigDocument:
        with self._lock:
            versions = self._docs.setdefault((kind, doc_id), [])
            if deleted:
                if not versions or versions[-1].deleted:
                    raise NotFound(f"{kind} {doc_id!r} not found")
                body = versions[-1].body
            doc = ConfigDocument(kind, doc_id, len(versions) + 1, json_copy(dict(body or {})), at, by, deleted)
            versions.append(doc)
            return _copy_doc(doc)

    def put(self, kind: str, doc_id: str, body: Mapping[str, Any], at: float, by: str | None) -> ConfigDocument:
        return self._add(kind, doc_id, body, at, by, deleted=False)

    def put_many(self, kind: str, docs: Sequence[tuple[str, Mapping[str, Any]]], at: float,
                 by: str | None) -> builtins.list[ConfigDocument]:
        with self._lock:
            return [self._add(kind, doc_id, body, at, by, deleted=False) for doc_id, body in docs]

    def delete(self, kind: str, doc_id: str, at: float, by: str | None) -> ConfigDocument:
        return self._add(kind, doc_id, None, at, by, deleted=True)

    def get(self, kind: str, doc_id: str) -> ConfigDocument | None:
        with self._lock:
            versions = self._docs.get((kind, doc_id))
            if not versions or versions[-1].deleted:
                return None
            return _copy_doc(versions[-1])

    def list(self, kind: str) -> list[ConfigDocument]:
        with self._lock:
            return [_copy_doc(v[-1]) for (k, _), v in sorted(self._docs.items())
                    if k == kind and v and not v[-1].deleted]

    def history(self, kind: str, doc_id: str) -> builtins.list[ConfigDocument]:
        with self._lock:
            return [_copy_doc(d) for d in self._docs.get((kind, doc_id), [])]


def _copy_doc(doc: ConfigDocument) -> ConfigDocument:
    return dataclasses.replace(doc, body=json_copy(dict(doc.body)))


class MemoryCustomerRepository(MemoryCustomerExtras):
    """Customers as plain mappings, identities normalised like the SQL repository."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._customers: dict[str, dict[str, Any]] = {}
        self._identities: dict[tuple[str, str], str] = {}

    def _view(self, customer_id: str) -> dict[str, Any] | None:
        c = self._customers.get(customer_id)
        if c is None:
            return None
        ids = sorted(key for key, owner in self._identities.items() if owner == customer_id)
        return {"merged_into": None, "merge_id": None, "erased_at": None, **c, "fields": json_copy(c["fields"]),
                "tags": sorted(c.get("tags", ())), "identities": ids}

    def find_by_identity(self, kind: str, value: str) -> Mapping[str, Any] | None:
        with self._lock:
            owner = self._identities.get(identity_key(kind, value))
            return self._view(owner) if owner is not None else None

    def get(self, customer_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            return self._view(customer_id)

    def create(self, customer_id: str, identities: Iterable[tuple[str, str]], tier: str, name: str,
               fields: Mapping[str, Any], at: float) -> Mapping[str, Any]:
        keys = sorted({identity_key(k, v) for k, v in identities})
        with self._lock:
            if customer_id in self._customers:
                raise InvalidState(f"customer {customer_id} already exists")
            for key in keys:
                owner = self._identities.get(key)
                if owner is not None:
                    raise InvalidState(f"identity {key[0]}:{key[1]} already belongs to customer {owner}")
            self._customers[customer_id] = {
                "id": customer_id, "name": name, "tier": tier, "fields": json_copy(dict(fields)),
                "created_at": at, "last_agent_id": None, "last_contact_at": None}
            for key in keys:
                self._identities[key] = customer_id
            view = self._view(customer_id)
            assert view is not None
            return view

    def update(self, customer_id: str, changes: Mapping[str, Any]) -> Mapping[str, Any] | None:
        unknown = set(changes) - CUSTOMER_UPDATABLE
        if unknown:
            raise ValidationFailed(f"cannot update customer fields {sorted(unknown)}")
        with self._lock:
            c = self._customers.get(customer_id)
            if c is None:
                return None
            c.update(changes)
            if "fields" in changes:
                c["fields"] = json_copy(dict(changes["fields"]))
            return self._view(customer_id)

    def add_identity(self, customer_id: str, kind: str, value: str) -> None:
        key = identity_key(kind, value)
        with self._lock:
            if customer_id not in self._customers:
                raise NotFound(f"customer {customer_id} not found")
            owner = self._identities.get(key)
            if owner is not None and owner != customer_id:
                raise InvalidState(f"identity {key[0]}:{key[1]} already belongs to customer {owner}")
            self._identities[key] = customer_id


class MemoryUserRepository:
    """Users found case-insensitively by username key, like SqlUserRepository."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, User] = {}

    def get(self, username: str) -> User | None:
        key = username_key(username)
        with self._lock:
            if username in self._users:
                return self._users[username]
            found = [u for u in self._users.values() if username_key(u.username) == key]
            return found[0] if found else None

    def put(self, user: User) -> None:
        key = username_key(user.username)
        with self._lock:
            clash = [u for u in self._users.values()
                     if u.username != user.username and username_key(u.username) == key]
            if clash:
                raise InvalidState(f"a user named like {user.username!r} already exists")
            self._users[user.username] = user

    def list(self) -> list[User]:
        with self._lock:
            return [self._users[name] for name in sorted(self._users)]

    def delete(self, username: str) -> bool:
        with self._lock:
            return self._users.pop(username, None) is not None


class MemoryMeta:
    """Key/value settings, like SqlMeta."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, str] = {}

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key)

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._values[key] = value

    def setdefault_meta(self, key: str, value: str) -> str:
        with self._lock:
            return self._values.setdefault(key, value)


def _summed(rows: dict[Any, Any], start: float, end: float, starts: Sequence[float], kind: Any) -> dict[Any, Any]:
    """``rows`` (keyed by interval start first) in [start, end), summed per period of ``starts`` when given."""
    from bisect import bisect_right

    out: dict[Any, Any] = {}
    for (b, *rest), c in rows.items():
        if not start <= b < end:
            continue
        p = starts[max(0, bisect_right(starts, b) - 1)] if starts else b
        out.setdefault((p, *rest), kind()).merge(c)
    return out

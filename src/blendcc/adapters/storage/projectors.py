"""The projector registry: every read model folded from the event log, registered once, run by every store."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, case, func, literal, select, update
from sqlalchemy.engine import Connection

from blendcc.adapters.storage import dialer_tables as dt
from blendcc.adapters.storage import state_seconds
from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.callback_index import CallbackIndex
from blendcc.adapters.storage.customer_projection import CustomerLinks, Timeline
from blendcc.adapters.storage.interval_projection import IntervalCounters
from blendcc.adapters.storage.message_index import MessageIndex
from blendcc.adapters.storage.problem_index import ProblemIndex
from blendcc.analytics.agent_stats import StateInterval, interval_batch
from blendcc.analytics.interactions import ROW_EVENT_TYPES, RowChange, apply_change, row_change
from blendcc.analytics.queue_stats import (
    COUNTED_TYPES,
    COUNTER_NAMES,
    CounterKey,
    QueueCounters,
    Thresholds,
    fold,
)
from blendcc.domain import events as ev
from blendcc.domain.dialer_events import CampaignStateChanged
from blendcc.domain.events import Event
from blendcc.domain.ivr_events import IvrCallEnded
from blendcc.ports import Projector, StoredEvent

_MAX_COUNTER = "max_wait_handled_s"


@dataclass(slots=True)
class SqlTx:
    """What a projector's ``apply_sql`` gets: the append transaction's connection and the store's settings."""

    conn: Connection
    upsert: Callable[[Any], Any]  # sqlite.insert or postgresql.insert (ON CONFLICT)
    thresholds: Thresholds


@dataclass(slots=True)
class MemoryTables:
    """The memory store's projection tables (one attribute per projection)."""

    thresholds: Thresholds
    customers: Any = None  # a MemoryCustomerRepository (last agent / last contact per customer) or None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # interactions
    created_seq: dict[str, int] = field(default_factory=dict)
    intervals: list[StateInterval] = field(default_factory=list)
    open: dict[str, int] = field(default_factory=dict)  # agent -> index of its open interval
    presence: dict[str, int | None] = field(default_factory=dict)  # agent -> login seq (None: logged out)
    counters: dict[CounterKey, QueueCounters] = field(default_factory=dict)
    handled: list[tuple[float, str]] = field(default_factory=list)  # (at, agent) per ContactConnected
    campaign_states: dict[str, tuple[str, str | None, float]] = field(default_factory=dict)
    #: tables of projections registered elsewhere, by projector name (each projector owns its entry)
    extra: dict[str, Any] = field(default_factory=dict)


def _noop() -> None:
    return None


class ProjectorRegistry:
    """Projectors in registration order (a later one may read what an earlier one wrote in the same
    append), with the event type -> projectors table computed once per type."""

    def __init__(self, projectors: Iterable[Projector] = ()) -> None:
        self._projectors: list[Projector] = []
        self._by_type: dict[type, tuple[int, ...]] = {}
        for p in projectors:
            self.register(p)

    def register(self, projector: Projector) -> Projector:
        if any(p.name == projector.name for p in self._projectors):
            raise ValueError(f"a projector named {projector.name!r} is already registered")
        self._projectors.append(projector)
        self._by_type.clear()
        return projector

    @property
    def projectors(self) -> tuple[Projector, ...]:
        return tuple(self._projectors)

    def _indexes(self, cls: type) -> tuple[int, ...]:
        idx = self._by_type.get(cls)
        if idx is None:
            idx = self._by_type[cls] = tuple(
                i for i, p in enumerate(self._projectors) if any(issubclass(cls, k) for k in p.event_types))
        return idx

    def route(self, batch: Sequence[StoredEvent]) -> list[tuple[Projector, list[StoredEvent]]]:
        """Each projector with the part of ``batch`` it handles (in log order), projectors in registration
        order; projectors with nothing to do are left out."""
        parts: dict[int, list[StoredEvent]] = {}
        by_type = self._by_type
        for s in batch:
            idx = by_type.get(type(s.event))
            if idx is None:
                idx = self._indexes(type(s.event))
            for i in idx:
                part = parts.get(i)
                if part is None:
                    parts[i] = [s]
                else:
                    part.append(s)
        return [(self._projectors[i], parts[i]) for i in sorted(parts)]

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        for projector, part in self.route(batch):
            projector.apply_sql(tx, part)

    def apply_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> None:
        """Prepare every projector's change (any may refuse with ValueError: nothing is written), then write."""
        writes = [projector.prepare_memory(tables, part) for projector, part in self.route(batch)]
        for write in writes:
            write()


# ---------------------------------------------------------------- interactions: one row per contact


class Interactions:
    """``interactions``: one row per contact with its timestamps and durations (analytics.interactions)."""

    name = "interactions"
    event_types = ROW_EVENT_TYPES

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        created: dict[str, dict[str, Any]] = {}
        changed: dict[str, list[RowChange]] = {}
        for s in batch:
            change = row_change(s.event)
            if change is None:
                continue
            cid = change.contact_id
            if change.insert is not None:
                if cid in created:
                    raise ValueError(f"contact {cid} created twice")
                # Earlier changes in this batch found no row (or the insert fails: duplicate contact).
                changed.pop(cid, None)
                row = apply_change(None, change)
                assert row is not None
                row["created_seq"] = s.seq
                created[cid] = row
            elif cid in created:
                apply_change(created[cid], change)
            else:
                changed.setdefault(cid, []).append(change)
        if created:
            tx.conn.execute(t.interactions.insert(), list(created.values()))
        for cid, changes in changed.items():
            tx.conn.execute(update(t.interactions).where(t.interactions.c.contact_id == cid)
                            .values(_compose(changes)))

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        known = set()
        for s in batch:
            e = s.event
            if isinstance(e, ev.ContactCreated | IvrCallEnded):
                if e.contact_id in tables.rows or e.contact_id in known:
                    raise ValueError(f"append rejected, nothing stored: contact {e.contact_id} exists")
                known.add(e.contact_id)

        def write() -> None:
            rows = tables.rows
            for s in batch:
                change = row_change(s.event)
                if change is None:
                    continue
                row = apply_change(rows.get(change.contact_id), change)
                if row is not None:
                    rows[change.contact_id] = row
                    if change.insert is not None:
                        tables.created_seq[change.contact_id] = s.seq

        return write


def _compose(changes: list[RowChange]) -> dict[str, Any]:
    """Fold successive RowChanges on an existing row into one SET clause (values or SQL expressions)."""
    it = t.interactions
    known: dict[str, Any] = {}  # columns whose new value is a plain value
    exprs: dict[str, Any] = {}  # columns whose new value depends on the stored one
    for change in changes:
        for col, value in change.set.items():
            known[col] = value
            exprs.pop(col, None)
        for col, value in change.set_if_null.items():
            if col in known:
                if known[col] is None:
                    known[col] = value
            else:
                exprs[col] = func.coalesce(exprs.get(col, it.c[col]), literal(value, it.c[col].type))
        for col, amount in change.add.items():
            if col in known:
                known[col] = (known[col] or 0) + amount
            else:
                current = func.coalesce(exprs.get(col, it.c[col]), literal(0, it.c[col].type))
                exprs[col] = current + literal(amount, it.c[col].type)
    return {**known, **exprs}


class CustomerLastContact:
    """``customers.last_agent_id / last_contact_at``: who last spoke with the contact's customer, and when
    (reads the contact's customer from ``interactions``, so it is registered after it)."""

    name = "customer_last_contact"
    event_types: frozenset[type[Event]] = frozenset({ev.ContactConnected})

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        params = [{"b_contact": s.event.contact_id, "b_agent": s.event.agent_id, "b_at": s.event.at}
                  for s in batch if isinstance(s.event, ev.ContactConnected)]
        customer_of = (select(t.interactions.c.customer_id)
                       .where(t.interactions.c.contact_id == bindparam("b_contact")).scalar_subquery())
        stmt = (update(t.customers).where(t.customers.c.id == customer_of)
                .values(last_agent_id=bindparam("b_agent"), last_contact_at=bindparam("b_at")))
        tx.conn.execute(stmt, params)

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        if tables.customers is None:
            return _noop

        def write() -> None:
            for s in batch:
                e = s.event
                assert isinstance(e, ev.ContactConnected)
                row = tables.rows.get(e.contact_id)
                if row is not None and row["customer_id"] is not None:
                    tables.customers.update(row["customer_id"], {"last_agent_id": e.agent_id,
                                                                 "last_contact_at": e.at})

        return write


# ---------------------------------------------------------------- agents


def _changes(batch: Sequence[StoredEvent]) -> Iterable[tuple[str, str, str | None, float]]:
    for s in batch:
        e = s.event
        assert isinstance(e, ev.AgentStateChanged)
        yield e.agent_id, e.state, e.reason, e.at


class AgentStateIntervals:
    """``agent_state_intervals``: each agent's observable states as intervals (agent reports, adherence,
    live-stat warm-up), folded with ``analytics.agent_stats.AgentStateFold``; as intervals close, their seconds
    are added per 15-minute interval to ``agent_state_seconds`` (``state_seconds``) in the same transaction."""

    name = "agent_state_intervals"
    event_types: frozenset[type[Event]] = frozenset({ev.AgentStateChanged})

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        change = interval_batch(_changes(batch))
        closed = state_seconds.closing(tx.conn, change.closes) if change.closes else []
        state_seconds.write(tx.conn, tx.upsert, closed + [iv for iv in change.rows if iv.end is not None])
        if change.closes:
            asi = t.agent_state_intervals
            stmt = (update(asi).where(asi.c.agent_id == bindparam("b_agent"), asi.c.end_at.is_(None))
                    .values(end_at=bindparam("b_at")))
            tx.conn.execute(stmt, [{"b_agent": a, "b_at": at} for a, at in change.closes.items()])
        if change.rows:
            tx.conn.execute(t.agent_state_intervals.insert(),
                            [{"agent_id": iv.agent_id, "state": iv.state, "reason": iv.reason,
                              "start_at": iv.start, "end_at": iv.end} for iv in change.rows])

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        change = interval_batch(_changes(batch))

        def write() -> None:
            intervals, open_ = tables.intervals, tables.open
            for agent_id, at in change.closes.items():
                idx = open_.pop(agent_id, None)
                if idx is not None:
                    intervals[idx] = dataclasses.replace(intervals[idx], end=at)
            for iv in change.rows:
                if iv.end is None:
                    open_[iv.agent_id] = len(intervals)
                intervals.append(iv)

        return write


class AgentPresence:
    """``agent_presence``: whether each agent is logged in, and the seq of the login (the replay window)."""

    name = "agent_presence"
    event_types: frozenset[type[Event]] = frozenset({ev.AgentLoggedIn, ev.AgentLoggedOut})

    @staticmethod
    def _fold(batch: Sequence[StoredEvent]) -> dict[str, int | None]:
        return {s.event.agent_id: (s.seq if isinstance(s.event, ev.AgentLoggedIn) else None)  # type: ignore[attr-defined]
                for s in batch}

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        rows = [{"agent_id": a, "logged_in": seq is not None, "login_seq": seq} for a, seq in self._fold(batch).items()]
        ins = tx.upsert(t.agent_presence)
        stmt = ins.on_conflict_do_update(index_elements=[t.agent_presence.c.agent_id],
                                         set_={"logged_in": ins.excluded.logged_in,
                                               "login_seq": ins.excluded.login_seq})
        tx.conn.execute(stmt, rows)

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        folded = self._fold(batch)
        return lambda: tables.presence.update(folded)


class HandledByAgent:
    """Contacts answered per agent (``ContactConnected``) for agent reports and live-stat warm-up. On SQL
    the event log itself is this projection (its (type, at) index answers the count); the memory store
    keeps (at, agent) pairs."""

    name = "handled_by_agent"
    event_types: frozenset[type[Event]] = frozenset({ev.ContactConnected})

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        return None  # the events table row written by the append is the projection

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        pairs = [(s.event.at, s.event.agent_id) for s in batch]  # type: ignore[attr-defined]
        return lambda: tables.handled.extend(pairs)


# ---------------------------------------------------------------- queues and campaigns


class QueueIntervalCounters:
    """``queue_interval_stats``: queue counters per 15-minute interval, queue and channel
    (``analytics.queue_stats``), with the store's service-level thresholds."""

    name = "queue_interval_stats"
    event_types = COUNTED_TYPES

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        counters = fold((s.event for s in batch), tx.thresholds)
        if not counters:
            return
        qis = t.queue_interval_stats
        rows = [{"interval_start": start, "queue_id": queue_id, "channel": channel, **c.as_dict()}
                for (start, queue_id, channel), c in counters.items()]
        ins = tx.upsert(qis)
        set_: dict[str, Any] = {n: qis.c[n] + ins.excluded[n] for n in COUNTER_NAMES if n != _MAX_COUNTER}
        set_[_MAX_COUNTER] = case((ins.excluded[_MAX_COUNTER] > qis.c[_MAX_COUNTER], ins.excluded[_MAX_COUNTER]),
                                  else_=qis.c[_MAX_COUNTER])
        stmt = ins.on_conflict_do_update(index_elements=[qis.c.interval_start, qis.c.queue_id, qis.c.channel],
                                         set_=set_)
        tx.conn.execute(stmt, rows)

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        counters = fold((s.event for s in batch), tables.thresholds)

        def write() -> None:
            for key, c in counters.items():
                tables.counters.setdefault(key, QueueCounters()).merge(c)

        return write


class CampaignStates:
    """``campaign_states``: each campaign's last ``CampaignStateChanged`` (state, reason, since)."""

    name = "campaign_states"
    event_types: frozenset[type[Event]] = frozenset({CampaignStateChanged})

    @staticmethod
    def _fold(batch: Sequence[StoredEvent]) -> dict[str, tuple[str, str | None, float]]:
        out: dict[str, tuple[str, str | None, float]] = {}
        for s in batch:
            e = s.event
            assert isinstance(e, CampaignStateChanged)
            out[e.campaign_id] = (e.state, e.reason, e.at)
        return out

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        rows = [{"campaign_id": cid, "state": state, "reason": reason, "at": at}
                for cid, (state, reason, at) in self._fold(batch).items()]
        ins = tx.upsert(dt.campaign_states)
        stmt = ins.on_conflict_do_update(index_elements=[dt.campaign_states.c.campaign_id],
                                         set_={"state": ins.excluded.state, "reason": ins.excluded.reason,
                                               "at": ins.excluded.at})
        tx.conn.execute(stmt, rows)

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        folded = self._fold(batch)
        return lambda: tables.campaign_states.update(folded)


#: the projections every store runs, in this order; a new projection is one class above plus one line here
PROJECTORS = ProjectorRegistry([
    Interactions(), CustomerLastContact(), AgentStateIntervals(), AgentPresence(), HandledByAgent(),
    QueueIntervalCounters(), CampaignStates(), MessageIndex(),
    CustomerLinks(), Timeline(),
    CallbackIndex(),
    ProblemIndex(),
    IntervalCounters(),
])

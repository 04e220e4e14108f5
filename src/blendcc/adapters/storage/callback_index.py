"""The scheduled callbacks projection (SQL and memory halves) and its reader (``ports.CallbackReader``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.callback_tables import scheduled_callbacks as cb
from blendcc.domain import callback_events as ce
from blendcc.domain.customer_events import CustomerErased
from blendcc.domain.customer_privacy import ERASED
from blendcc.domain.events import Event, event_from_dict
from blendcc.ports import StoredEvent

if TYPE_CHECKING:
    from blendcc.adapters.storage.projectors import MemoryTables, SqlTx

CALLBACKS = "scheduled_callbacks"
EVENT_LOG = "event_log"  # the memory store's log (MemoryTables.extra), rewritten in place by an erasure
#: an erased customer's callbacks: closed, their number and note blanked (row and CallbackScheduled event)
_ERASED_ROW = {"state": "cancelled", "phone": ERASED, "note": "", "closed_by": "erasure"}


def _scrubbed(event: Event) -> Event:
    if not isinstance(event, ce.CallbackScheduled):
        return event
    return dataclasses.replace(event, phone=ERASED, note="")


def _new_row(s: StoredEvent) -> dict[str, Any]:
    e = s.event
    assert isinstance(e, ce.CallbackScheduled)
    return {"callback_id": e.callback_id, "state": "scheduled", "phone": e.phone, "due_at": e.due_at,
            "customer_id": e.customer_id, "agent_id": e.agent_id, "queue_id": e.queue_id, "note": e.note,
            "source_contact_id": e.source_contact_id, "created_at": e.at, "created_by": e.by,
            "closed_at": None, "closed_by": None, "seq": s.seq}


def _closing(e: Event) -> tuple[str, dict[str, Any]]:
    assert isinstance(e, ce.CallbackCancelled | ce.CallbackDone)
    state = "cancelled" if isinstance(e, ce.CallbackCancelled) else "done"
    return e.callback_id, {"state": state, "closed_at": e.at, "closed_by": e.by}


class CallbackIndex:
    """``scheduled_callbacks``: CallbackScheduled adds a row; CallbackCancelled and CallbackDone close a
    scheduled one (a closed row stays closed)."""

    name = CALLBACKS
    event_types: frozenset[type[Event]] = frozenset({*ce.CALLBACK_EVENT_TYPES, CustomerErased})

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        for s in batch:
            if isinstance(s.event, CustomerErased):
                self._sql_erase(tx, s.event.customer_id, s.event.at)
            elif isinstance(s.event, ce.CallbackScheduled):
                tx.conn.execute(cb.insert(), [_new_row(s)])
            else:
                callback_id, values = _closing(s.event)
                tx.conn.execute(update(cb).where(cb.c.callback_id == callback_id, cb.c.state == "scheduled")
                                .values(**values))

    @staticmethod
    def _sql_erase(tx: SqlTx, customer_id: str, at: float) -> None:
        conn, evs = tx.conn, t.events
        seqs = list(conn.execute(select(cb.c.seq).where(cb.c.customer_id == customer_id)).scalars())
        for r in conn.execute(select(evs.c.seq, evs.c.type, evs.c.payload).where(evs.c.seq.in_(seqs))).all():
            scrubbed = _scrubbed(event_from_dict(r.type, r.payload))
            conn.execute(update(evs).where(evs.c.seq == r.seq).values(payload=scrubbed.to_dict()))
        conn.execute(update(cb).where(cb.c.customer_id == customer_id, cb.c.state == "scheduled")
                     .values(closed_at=at, **_ERASED_ROW))
        conn.execute(update(cb).where(cb.c.customer_id == customer_id).values(phone=ERASED, note=""))

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        rows: dict[str, dict[str, Any]] = tables.extra.setdefault(CALLBACKS, {})

        def erase(customer_id: str, at: float) -> None:
            log: list[StoredEvent] = tables.extra.get(EVENT_LOG, [])
            for row in rows.values():
                if row["customer_id"] != customer_id:
                    continue
                for i, stored in enumerate(log):
                    if stored.seq == row["seq"]:
                        log[i] = StoredEvent(stored.seq, _scrubbed(stored.event))
                if row["state"] == "scheduled":
                    row.update(_ERASED_ROW, closed_at=at)
                row.update(phone=ERASED, note="")

        def write() -> None:
            for s in batch:
                if isinstance(s.event, CustomerErased):
                    erase(s.event.customer_id, s.event.at)
                elif isinstance(s.event, ce.CallbackScheduled):
                    rows[s.event.callback_id] = _new_row(s)
                else:
                    callback_id, values = _closing(s.event)
                    row = rows.get(callback_id)
                    if row is not None and row["state"] == "scheduled":
                        row.update(values)

        return write


def _matches(row: dict[str, Any], agent_id: str | None, personal: bool | None, state: str | None) -> bool:
    if agent_id is not None and row["agent_id"] != agent_id:
        return False
    if personal is not None and (row["agent_id"] is not None) != personal:
        return False
    return state is None or row["state"] == state


class SqlCallbackReader:
    """Implements ``ports.CallbackReader`` on the SQL store's table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def callback(self, callback_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(cb).where(cb.c.callback_id == callback_id)).mappings().first()
        return dict(r) if r is not None else None

    def callbacks(self, *, agent_id: str | None = None, personal: bool | None = None,
                  state: str | None = "scheduled", due_after: float | None = None, due_by: float | None = None,
                  limit: int = 500) -> list[dict[str, Any]]:
        q = select(cb)
        if agent_id is not None:
            q = q.where(cb.c.agent_id == agent_id)
        if personal is not None:
            q = q.where(cb.c.agent_id.is_not(None) if personal else cb.c.agent_id.is_(None))
        if state is not None:
            q = q.where(cb.c.state == state)
        if due_after is not None:
            q = q.where(cb.c.due_at > due_after)
        if due_by is not None:
            q = q.where(cb.c.due_at <= due_by)
        q = q.order_by(cb.c.due_at, cb.c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]


class MemoryCallbackReader:
    """Implements ``ports.CallbackReader`` on a ``MemoryStore``'s tables (same rows, same order)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def callback(self, callback_id: str) -> dict[str, Any] | None:
        with self.store._lock:
            row = self.store._t.extra.get(CALLBACKS, {}).get(callback_id)
            return dict(row) if row is not None else None

    def callbacks(self, *, agent_id: str | None = None, personal: bool | None = None,
                  state: str | None = "scheduled", due_after: float | None = None, due_by: float | None = None,
                  limit: int = 500) -> list[dict[str, Any]]:
        with self.store._lock:
            rows = [dict(r) for r in self.store._t.extra.get(CALLBACKS, {}).values()
                    if _matches(r, agent_id, personal, state)
                    and (due_after is None or r["due_at"] > due_after) and (due_by is None or r["due_at"] <= due_by)]
        return sorted(rows, key=lambda r: (r["due_at"], r["seq"]))[:limit]

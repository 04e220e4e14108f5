"""The customer timeline read side: ``timeline_entries`` rows of a customer's contacts and dialled numbers,
newest first, by cursor, optionally filtered by text (SQL LIKE, case-insensitive; ILIKE on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.engine import Engine

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import json_copy
from blendcc.adapters.storage.customer_projection import TIMELINE
from blendcc.adapters.storage.customer_tables import timeline_entries

_COLUMNS = ("seq", "contact_id", "record_id", "phone", "kind", "at", "text", "detail")


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlCustomerHistory:
    """Implements ``ports.CustomerHistory`` on the SQL store's tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def timeline(self, customer_id: str, phones: Sequence[str] = (), before_seq: int | None = None,
                 limit: int = 50, q: str | None = None) -> list[dict[str, Any]]:
        te, it = timeline_entries, t.interactions
        contacts = select(it.c.contact_id).where(it.c.customer_id == customer_id)
        mine: ColumnElement[bool] = te.c.contact_id.in_(contacts)
        if phones:
            mine = or_(mine, te.c.phone.in_(list(phones)))
        stmt = select(*(te.c[c] for c in _COLUMNS)).where(mine)
        if before_seq is not None:
            stmt = stmt.where(te.c.seq < before_seq)
        if q:
            stmt = stmt.where(te.c.text.ilike(_like_pattern(q), escape="\\"))
        stmt = stmt.order_by(te.c.seq.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]


class MemoryCustomerHistory:
    """Implements ``ports.CustomerHistory`` on a ``MemoryStore``'s tables (the same rows, the same order)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def timeline(self, customer_id: str, phones: Sequence[str] = (), before_seq: int | None = None,
                 limit: int = 50, q: str | None = None) -> list[dict[str, Any]]:
        tables = self.store._t  # the memory store's projection tables (same package)
        with self.store._lock:
            contacts = {cid for cid, row in tables.rows.items() if row["customer_id"] == customer_id}
            wanted = set(phones)
            needle = q.lower() if q else None
            out = []
            for r in reversed(tables.extra.get(TIMELINE, [])):
                if before_seq is not None and r["seq"] >= before_seq:
                    continue
                if r["contact_id"] not in contacts and not (r["phone"] is not None and r["phone"] in wanted):
                    continue
                if needle is not None and (r["text"] is None or needle not in r["text"].lower()):
                    continue
                out.append(json_copy(r))
                if len(out) >= limit:
                    break
            return out

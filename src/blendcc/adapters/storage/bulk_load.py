"""Loading a long event log fast (benchmarks, imports): rows in one executemany or COPY, the store's projectors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.projectors import SqlTx
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.domain.events import Event, subject_ids
from blendcc.ports import StoredEvent

#: an event's row as ``SqlStore.append`` writes it, without its seq: type, at, contact, agent, queue, payload JSON
Row = tuple[str, float, str | None, str | None, str | None, str]
_COLUMNS = "seq, type, at, contact_id, agent_id, queue_id, payload"


def event_rows(events: Sequence[Event]) -> list[Row]:
    """The rows of ``events`` (encoded once; several stores can load the same rows)."""
    out = []
    for e in events:
        contact_id, agent_id, queue_id = subject_ids(e)
        out.append((e.type, e.at, contact_id, agent_id, queue_id, json.dumps(e.to_dict())))
    return out


def bulk_append(store: SqlStore, events: Sequence[Event], rows: Sequence[Row] | None = None) -> list[int]:
    """Append ``events`` as ``store.append`` does -- the same event rows (the payload JSON as the engine's
    serializer writes it), every projector of the store's registry run on the batch in the same transaction --
    with the sequence numbers given here (after the log's last) and the rows in one executemany (SQLite) or
    COPY (PostgreSQL), without ``RETURNING`` per row. ``rows``: ``event_rows(events)`` if already made. For a
    single loader on an otherwise idle store (no concurrent appends: nothing takes the append lock)."""
    if not events:
        return []
    if rows is None:
        rows = event_rows(events)
    if len(rows) != len(events):
        raise ValueError(f"{len(rows)} rows for {len(events)} events")
    pg = store.engine.dialect.name == "postgresql"
    with store._writer.begin() as conn:  # the store's own writer (on SQLite: its write lock)
        last = int(conn.execute(select(func.coalesce(func.max(t.events.c.seq), 0))).scalar_one())
        seqs = list(range(last + 1, last + 1 + len(events)))
        if pg:
            _copy(conn, seqs, rows)
            conn.execute(text("SELECT setval(pg_get_serial_sequence('events', 'seq'), :n)"), {"n": seqs[-1]})
        else:
            conn.exec_driver_sql(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [(seq, *r) for seq, r in zip(seqs, rows, strict=True)])
        batch = [StoredEvent(seq, e) for seq, e in zip(seqs, events, strict=True)]
        store.projectors.apply_sql(SqlTx(conn, store._upsert, store._thresholds), batch)
    return seqs


def _copy(conn: Any, seqs: list[int], rows: Sequence[Row]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY events ({_COLUMNS}) FROM STDIN") as copy:
        for seq, r in zip(seqs, rows, strict=True):
            copy.write_row((seq, *r))

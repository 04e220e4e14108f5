"""Loading a long event log fast (benchmarks, imports): event rows in one multi-row insert, the store's projectors."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.projectors import SqlTx
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.domain.events import Event, subject_ids
from blendcc.ports import StoredEvent


def bulk_append(store: SqlStore, events: Sequence[Event]) -> list[int]:
    """Append ``events`` as ``store.append`` does -- the same event rows, every projector of the store's
    registry run on the batch in the same transaction -- but with the sequence numbers given here (after
    the log's last) and the rows inserted in one executemany, without ``RETURNING`` per row. For a single
    loader on an otherwise idle store (no concurrent appends: nothing takes the append lock)."""
    if not events:
        return []
    with store._writer.begin() as conn:  # the store's own writer connection (SQLite lock)
        last = int(conn.execute(select(func.coalesce(func.max(t.events.c.seq), 0))).scalar_one())
        seqs = list(range(last + 1, last + 1 + len(events)))
        rows = []
        for seq, e in zip(seqs, events, strict=True):
            contact_id, agent_id, queue_id = subject_ids(e)
            rows.append({"seq": seq, "type": e.type, "at": e.at, "contact_id": contact_id, "agent_id": agent_id,
                         "queue_id": queue_id, "payload": e.to_dict()})
        conn.execute(t.events.insert(), rows)
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('events', 'seq'), :n)"), {"n": seqs[-1]})
        batch = [StoredEvent(seq, e) for seq, e in zip(seqs, events, strict=True)]
        store.projectors.apply_sql(SqlTx(conn, store._upsert, store._thresholds), batch)
    return seqs

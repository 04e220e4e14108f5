"""SnapshotStore on SQLAlchemy Core (SQLite or PostgreSQL): the ``engine_snapshots`` table (ADR 0052)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select

from blendcc.adapters.storage.snapshot_tables import engine_snapshots as t


class SqlSnapshotStore:
    """Snapshots are written on their own connection, outside the event store's append transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save_snapshot(self, seq: int, version: int, body: bytes, taken_at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.seq == seq))
            conn.execute(t.insert().values(seq=seq, version=version, taken_at=taken_at, body=body))

    def latest_snapshots(self, limit: int = 3) -> list[tuple[int, int, bytes]]:
        q = select(t.c.seq, t.c.version, t.c.body).order_by(t.c.seq.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [(int(r.seq), int(r.version), bytes(r.body)) for r in conn.execute(q)]

    def prune_snapshots(self, keep: int) -> int:
        with self.engine.begin() as conn:
            kept = [int(s) for s in conn.execute(select(t.c.seq).order_by(t.c.seq.desc()).limit(keep)).scalars()]
            q = delete(t) if not kept else delete(t).where(t.c.seq < min(kept))
            return int(conn.execute(q).rowcount or 0)

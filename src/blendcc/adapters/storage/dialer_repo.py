"""SqlDialerRepository: dial records, DNC entries and list-import reports on SQLite or PostgreSQL."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, case, delete, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from blendcc.adapters.storage import dialer_tables as dt
from blendcc.adapters.storage import tables as bt
from blendcc.adapters.storage.engine import writer
from blendcc.dialer.dnc import GLOBAL, DncEntry
from blendcc.dialer.records import DIALLABLE, DialRecord, ListImport
from blendcc.domain.events import Event, event_from_dict

_RECORD_COLUMNS = ("phone", "tz", "fields", "state", "attempts", "attempts_today", "attempts_day",
                   "next_attempt_at", "last_outcome", "callback_agent_id", "final_reason", "external_id")
_BATCH = 2000
_LOCK = "blendcc.dial_records"


def _row(r: DialRecord) -> dict[str, Any]:
    return {"campaign_id": r.campaign_id, "record_id": r.record_id, "phone": r.phone, "tz": r.tz,
            "fields": dict(r.fields), "state": r.state, "attempts": r.attempts,
            "attempts_today": r.attempts_today, "attempts_day": r.attempts_day,
            "next_attempt_at": r.next_attempt_at, "last_outcome": r.last_outcome,
            "callback_agent_id": r.callback_agent_id, "final_reason": r.final_reason, "external_id": r.external_id}


def _record(m: Mapping[Any, Any]) -> DialRecord:
    return DialRecord(campaign_id=m["campaign_id"], record_id=m["record_id"], phone=m["phone"], tz=m["tz"],
                      fields=dict(m["fields"] or {}), state=m["state"], attempts=int(m["attempts"]),
                      attempts_today=int(m["attempts_today"]), attempts_day=m["attempts_day"],
                      next_attempt_at=None if m["next_attempt_at"] is None else float(m["next_attempt_at"]),
                      last_outcome=m["last_outcome"], callback_agent_id=m["callback_agent_id"],
                      final_reason=m["final_reason"], external_id=m["external_id"])


def _insert(conn: Connection, table: Any) -> Any:
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


class SqlDialerRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    # ------------------------------------------------------------------ records

    def _lock(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":  # one writer assigns import order at a time (SQLite: BEGIN IMMEDIATE)
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": _LOCK})

    def insert_records(self, records: Sequence[DialRecord]) -> int:
        if not records:
            return 0
        added = 0
        t = dt.dial_records
        with self._writer.begin() as conn:
            self._lock(conn)
            by_campaign: dict[str, list[DialRecord]] = {}
            for r in records:
                by_campaign.setdefault(r.campaign_id, []).append(r)
            for campaign_id, rows in by_campaign.items():
                seq = int(conn.execute(select(func.coalesce(func.max(t.c.seq), 0))
                                       .where(t.c.campaign_id == campaign_id)).scalar_one())
                before = self._count(conn, campaign_id)
                for i in range(0, len(rows), _BATCH):
                    chunk = []
                    for r in rows[i:i + _BATCH]:
                        seq += 1
                        chunk.append({**_row(r), "seq": seq})
                    stmt = _insert(conn, t).on_conflict_do_nothing(index_elements=["campaign_id", "record_id"])
                    conn.execute(stmt, chunk)
                added += self._count(conn, campaign_id) - before
        return added

    @staticmethod
    def _count(conn: Connection, campaign_id: str) -> int:
        t = dt.dial_records
        return int(conn.execute(select(func.count()).select_from(t).where(t.c.campaign_id == campaign_id)).scalar_one())

    def put_records(self, records: Sequence[DialRecord]) -> None:
        if not records:
            return
        t = dt.dial_records
        with self._writer.begin() as conn:
            self._lock(conn)
            for campaign_id in {r.campaign_id for r in records}:
                seq = int(conn.execute(select(func.coalesce(func.max(t.c.seq), 0))
                                       .where(t.c.campaign_id == campaign_id)).scalar_one())
                rows = []
                for r in records:
                    if r.campaign_id == campaign_id:
                        seq += 1
                        rows.append({**_row(r), "seq": seq})  # seq only used when the row is new
                for i in range(0, len(rows), _BATCH):
                    ins = _insert(conn, t)
                    stmt = ins.on_conflict_do_update(index_elements=["campaign_id", "record_id"],
                                                     set_={c: ins.excluded[c] for c in _RECORD_COLUMNS})
                    conn.execute(stmt, rows[i:i + _BATCH])

    def get_record(self, campaign_id: str, record_id: str) -> DialRecord | None:
        t = dt.dial_records
        with self.engine.connect() as conn:
            m = conn.execute(select(t).where(t.c.campaign_id == campaign_id, t.c.record_id == record_id)
                             ).mappings().first()
        return None if m is None else _record(m)

    def records(self, campaign_id: str, *, states: Iterable[str] | None = None, due_by: float | None = None,
                limit: int | None = None, offset: int = 0,
                zones: Iterable[str] | None = None) -> builtins.list[DialRecord]:
        t = dt.dial_records
        q = select(t).where(t.c.campaign_id == campaign_id)
        if states is not None:
            q = q.where(t.c.state.in_(list(states)))
        if zones is not None:
            q = q.where(t.c.tz.in_(list(zones)))
        if due_by is not None:
            q = q.where(or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= due_by))
            group = case((t.c.state == "callback", 0), (t.c.state == "scheduled", 1), else_=2)
            q = q.order_by(group, func.coalesce(t.c.next_attempt_at, 0.0), t.c.seq).offset(offset)
        else:
            q = q.order_by(t.c.seq).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [_record(m) for m in conn.execute(q).mappings()]

    def record_counts(self, campaign_id: str) -> dict[str, int]:
        t = dt.dial_records
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.state, func.count()).where(t.c.campaign_id == campaign_id)
                                .group_by(t.c.state)).all()
        return {str(state): int(n) for state, n in rows}

    def record_zones(self, campaign_id: str) -> dict[str, int]:
        t = dt.dial_records
        q = (select(t.c.tz, func.count()).where(t.c.campaign_id == campaign_id, t.c.state.in_(sorted(DIALLABLE)))
             .group_by(t.c.tz))
        with self.engine.connect() as conn:
            return {str(tz): int(n) for tz, n in conn.execute(q).all()}

    def delete_records(self, campaign_id: str) -> int:
        t = dt.dial_records
        with self._writer.begin() as conn:
            return int(conn.execute(delete(t).where(t.c.campaign_id == campaign_id)).rowcount)

    # ------------------------------------------------------------------ DNC

    def add_dnc(self, entries: Sequence[DncEntry]) -> int:
        if not entries:
            return 0
        t = dt.dnc_entries
        rows = [{"scope": e.scope, "phone": e.phone, "reason": e.reason, "added_at": e.added_at} for e in entries]
        scopes = sorted({e.scope for e in entries})
        count = select(func.count()).select_from(t).where(t.c.scope.in_(scopes))
        with self._writer.begin() as conn:
            before = int(conn.execute(count).scalar_one())
            for i in range(0, len(rows), _BATCH):
                stmt = _insert(conn, t).on_conflict_do_nothing(index_elements=["scope", "phone"])
                conn.execute(stmt, rows[i:i + _BATCH])
            return int(conn.execute(count).scalar_one()) - before

    def remove_dnc(self, scope: str, phone: str) -> bool:
        t = dt.dnc_entries
        with self._writer.begin() as conn:
            return bool(conn.execute(delete(t).where(t.c.scope == scope, t.c.phone == phone)).rowcount)

    def dnc_entries(self, scope: str, limit: int | None = None, offset: int = 0) -> builtins.list[DncEntry]:
        t = dt.dnc_entries
        q = select(t).where(t.c.scope == scope).order_by(t.c.phone).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [DncEntry(scope=m["scope"], phone=m["phone"], reason=m["reason"], added_at=float(m["added_at"]))
                    for m in conn.execute(q).mappings()]

    def dnc_numbers(self, campaign_id: str) -> frozenset[str]:
        t = dt.dnc_entries
        with self.engine.connect() as conn:
            return frozenset(conn.execute(select(t.c.phone).where(t.c.scope.in_([GLOBAL, campaign_id]))).scalars())

    # ------------------------------------------------------------------ imports

    def save_import(self, report: ListImport) -> None:
        row = {"import_id": report.import_id, "campaign_id": report.campaign_id, "at": report.at,
               "source": report.source, "total": report.total, "accepted": report.accepted,
               "rejected": report.rejected, "duplicates": report.duplicates,
               "errors": [[line, reason] for line, reason in report.errors]}
        with self._writer.begin() as conn:
            conn.execute(dt.list_imports.insert(), row)

    def imports(self, campaign_id: str) -> builtins.list[ListImport]:
        t = dt.list_imports
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.campaign_id == campaign_id).order_by(t.c.at, t.c.import_id)
                                ).mappings().all()
        return [ListImport(import_id=m["import_id"], campaign_id=m["campaign_id"], at=float(m["at"]),
                           source=m["source"], total=int(m["total"]), accepted=int(m["accepted"]),
                           rejected=int(m["rejected"]), duplicates=int(m["duplicates"]),
                           errors=tuple((int(line), str(reason)) for line, reason in m["errors"]))
                for m in rows]

    # ------------------------------------------------------------------ campaign states

    def set_campaign_state(self, campaign_id: str, state: str, reason: str | None, at: float) -> None:
        with self._writer.begin() as conn:
            ins = _insert(conn, dt.campaign_states)
            row = {"campaign_id": campaign_id, "state": state, "reason": reason, "at": at}
            conn.execute(ins.on_conflict_do_update(index_elements=["campaign_id"],
                                                   set_={"state": state, "reason": reason, "at": at}), row)

    def campaign_states(self) -> dict[str, tuple[str, str | None, float]]:
        t = dt.campaign_states
        with self.engine.connect() as conn:
            rows = conn.execute(select(t)).mappings().all()
        return {m["campaign_id"]: (m["state"], m["reason"], float(m["at"])) for m in rows}

    # ------------------------------------------------------------------ event log (read only)

    def events(self, types: Sequence[str], start: float, end: float) -> builtins.list[Event]:
        """Stored events of the given types with ``start <= at < end``, in log order (uses the event
        log's (type, at) index): the campaign report's input."""
        e = bt.events
        q = (select(e.c.type, e.c.payload).where(e.c.type.in_(list(types)), e.c.at >= start, e.c.at < end)
             .order_by(e.c.seq))
        with self.engine.connect() as conn:
            return [event_from_dict(r.type, r.payload) for r in conn.execute(q)]

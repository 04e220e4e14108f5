"""SQL event store: the append-only event log and its projections, written in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, case, func, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import CLOSED_STATE, public_row, resolve_thresholds
from blendcc.adapters.storage.engine import writer
from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.interactions import COLUMNS, RowChange, apply_change, row_change
from blendcc.analytics.queue_stats import COUNTER_NAMES, CounterKey, QueueCounters, Thresholds, deltas
from blendcc.domain import events as ev
from blendcc.domain.events import Event, event_from_dict, subject_ids
from blendcc.ports import StoredEvent

#: Key of the PostgreSQL transaction-level advisory lock that serialises appends, so sequence
#: numbers become visible in commit order (a reader tailing ``read(after_seq)`` never skips one).
APPEND_LOCK_KEY = 0x626C656E6463  # "blendc"

_MAX_COUNTER = "max_wait_handled_s"


def _upsert_factory(engine: Engine) -> Callable[[Any], Any]:
    name = engine.dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise ValueError(f"SqlStore supports SQLite and PostgreSQL, not {name!r}")


class SqlStore:
    """EventStore on SQLAlchemy Core (SQLite or PostgreSQL) plus the report readers."""

    def __init__(self, engine: Engine, thresholds: Thresholds | None = None) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._upsert = _upsert_factory(engine)
        self._pg = engine.dialect.name == "postgresql"
        self._thresholds = resolve_thresholds(thresholds)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """Use ``thresholds(queue_id, channel) -> (sl_s, short_abandon_s)`` for later appends."""
        self._thresholds = thresholds

    # ------------------------------------------------------------------ writing

    def append(self, events: Sequence[Event]) -> int:
        if not events:
            return self.last_seq()
        rows = []
        for e in events:
            contact_id, agent_id, queue_id = subject_ids(e)
            rows.append({"type": e.type, "at": e.at, "contact_id": contact_id, "agent_id": agent_id,
                         "queue_id": queue_id, "payload": e.to_dict()})
        try:
            with self._writer.begin() as conn:
                if self._pg:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
                stmt = t.events.insert().returning(t.events.c.seq, sort_by_parameter_order=True)
                seqs = [int(s) for s in conn.execute(stmt, rows).scalars().all()]
                self._project_interactions(conn, events, seqs)
                self._project_customers(conn, events)
                self._project_agents(conn, events, seqs)
                self._project_queue_stats(conn, events)
        except IntegrityError as exc:
            raise ValueError(f"append rejected, nothing stored: {exc.orig}") from exc
        return seqs[-1]

    def _project_interactions(self, conn: Connection, events: Sequence[Event], seqs: list[int]) -> None:
        created: dict[str, dict[str, Any]] = {}
        changed: dict[str, list[RowChange]] = {}
        for e, seq in zip(events, seqs, strict=True):
            change = row_change(e)
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
                row["created_seq"] = seq
                created[cid] = row
            elif cid in created:
                apply_change(created[cid], change)
            else:
                changed.setdefault(cid, []).append(change)
        if created:
            conn.execute(t.interactions.insert(), list(created.values()))
        for cid, changes in changed.items():
            conn.execute(update(t.interactions).where(t.interactions.c.contact_id == cid)
                         .values(_compose(changes)))

    def _project_customers(self, conn: Connection, events: Sequence[Event]) -> None:
        params = [{"b_contact": e.contact_id, "b_agent": e.agent_id, "b_at": e.at}
                  for e in events if isinstance(e, ev.ContactConnected)]
        if not params:
            return
        customer_of = (select(t.interactions.c.customer_id)
                       .where(t.interactions.c.contact_id == bindparam("b_contact")).scalar_subquery())
        stmt = (update(t.customers).where(t.customers.c.id == customer_of)
                .values(last_agent_id=bindparam("b_agent"), last_contact_at=bindparam("b_at")))
        conn.execute(stmt, params)

    def _project_agents(self, conn: Connection, events: Sequence[Event], seqs: list[int]) -> None:
        closes: dict[str, float] = {}  # agent -> time its stored open interval ends
        intervals: list[dict[str, Any]] = []
        open_in_batch: dict[str, dict[str, Any]] = {}
        presence: dict[str, dict[str, Any]] = {}
        for e, seq in zip(events, seqs, strict=True):
            if isinstance(e, ev.AgentStateChanged):
                current = open_in_batch.pop(e.agent_id, None)
                if current is not None:
                    current["end_at"] = e.at
                elif e.agent_id not in closes:
                    closes[e.agent_id] = e.at
                if e.state != "offline":
                    row = {"agent_id": e.agent_id, "state": e.state, "reason": e.reason,
                           "start_at": e.at, "end_at": None}
                    intervals.append(row)
                    open_in_batch[e.agent_id] = row
            elif isinstance(e, ev.AgentLoggedIn):
                presence[e.agent_id] = {"agent_id": e.agent_id, "logged_in": True, "login_seq": seq}
            elif isinstance(e, ev.AgentLoggedOut):
                presence[e.agent_id] = {"agent_id": e.agent_id, "logged_in": False, "login_seq": None}
        if closes:
            asi = t.agent_state_intervals
            stmt = (update(asi).where(asi.c.agent_id == bindparam("b_agent"), asi.c.end_at.is_(None))
                    .values(end_at=bindparam("b_at")))
            conn.execute(stmt, [{"b_agent": a, "b_at": at} for a, at in closes.items()])
        if intervals:
            conn.execute(t.agent_state_intervals.insert(), intervals)
        if presence:
            ins = self._upsert(t.agent_presence)
            stmt = ins.on_conflict_do_update(
                index_elements=[t.agent_presence.c.agent_id],
                set_={"logged_in": ins.excluded.logged_in, "login_seq": ins.excluded.login_seq})
            conn.execute(stmt, list(presence.values()))

    def _project_queue_stats(self, conn: Connection, events: Sequence[Event]) -> None:
        batch: dict[CounterKey, QueueCounters] = {}
        for e in events:
            for key, delta in deltas(e, self._thresholds):
                batch.setdefault(key, QueueCounters()).add(delta)
        if not batch:
            return
        qis = t.queue_interval_stats
        rows = [{"interval_start": start, "queue_id": queue_id, "channel": channel, **counters.as_dict()}
                for (start, queue_id, channel), counters in batch.items()]
        ins = self._upsert(qis)
        set_: dict[str, Any] = {name: qis.c[name] + ins.excluded[name]
                                for name in COUNTER_NAMES if name != _MAX_COUNTER}
        set_[_MAX_COUNTER] = case((ins.excluded[_MAX_COUNTER] > qis.c[_MAX_COUNTER], ins.excluded[_MAX_COUNTER]),
                                  else_=qis.c[_MAX_COUNTER])
        stmt = ins.on_conflict_do_update(
            index_elements=[qis.c.interval_start, qis.c.queue_id, qis.c.channel], set_=set_)
        conn.execute(stmt, rows)

    # ------------------------------------------------------------------ event log

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(t.events.c.seq), 0))).scalar_one())

    def read(self, after_seq: int = 0, limit: int | None = None) -> list[StoredEvent]:
        q = select(t.events.c.seq, t.events.c.type, t.events.c.payload).where(t.events.c.seq > after_seq)
        q = q.order_by(t.events.c.seq)
        if limit is not None:
            q = q.limit(limit)
        return self._stored(q)

    def contact_events(self, contact_id: str) -> list[StoredEvent]:
        q = (select(t.events.c.seq, t.events.c.type, t.events.c.payload)
             .where(t.events.c.contact_id == contact_id).order_by(t.events.c.seq))
        return self._stored(q)

    def replay_window(self) -> list[Event]:
        first_open = (select(func.min(t.interactions.c.created_seq))
                      .where(t.interactions.c.state != CLOSED_STATE).scalar_subquery())
        first_login = (select(func.min(t.agent_presence.c.login_seq))
                       .where(t.agent_presence.c.logged_in.is_(True)).scalar_subquery())
        with self.engine.connect() as conn:
            a, b = conn.execute(select(first_open, first_login)).one()
            starts = [int(s) for s in (a, b) if s is not None]
            if not starts:
                return []
            q = (select(t.events.c.type, t.events.c.payload).where(t.events.c.seq >= min(starts))
                 .order_by(t.events.c.seq))
            return [event_from_dict(r.type, r.payload) for r in conn.execute(q)]

    def _stored(self, q: Any) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            return [StoredEvent(int(r.seq), event_from_dict(r.type, r.payload)) for r in conn.execute(q)]

    # ------------------------------------------------------------------ report readers

    def queue_counters(self, start: float, end: float) -> dict[CounterKey, QueueCounters]:
        qis = t.queue_interval_stats
        q = select(qis).where(qis.c.interval_start >= start, qis.c.interval_start < end)
        out: dict[CounterKey, QueueCounters] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q).mappings():
                values: dict[str, Any] = {n: (int(r[n]) if n in t.INT_COUNTERS else float(r[n])) for n in COUNTER_NAMES}
                out[(float(r["interval_start"]), r["queue_id"], r["channel"])] = QueueCounters(**values)
        return out

    def state_intervals(self, start: float, end: float) -> list[StateInterval]:
        asi = t.agent_state_intervals
        q = (select(asi).where(asi.c.start_at < end, (asi.c.end_at.is_(None)) | (asi.c.end_at > start))
             .order_by(asi.c.start_at, asi.c.id))
        with self.engine.connect() as conn:
            return [StateInterval(r.agent_id, r.state, r.reason, r.start_at, r.end_at) for r in conn.execute(q)]

    def interactions(self, start: float | None = None, end: float | None = None, queue_id: str | None = None,
                     agent_id: str | None = None, customer_id: str | None = None, state: str | None = None,
                     limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Interaction rows created in [start, end), filtered, newest first."""
        it = t.interactions
        q = select(*(it.c[c] for c in COLUMNS))
        if start is not None:
            q = q.where(it.c.created_at >= start)
        if end is not None:
            q = q.where(it.c.created_at < end)
        for col, value in (("queue_id", queue_id), ("agent_id", agent_id), ("customer_id", customer_id),
                           ("state", state)):
            if value is not None:
                q = q.where(it.c[col] == value)
        q = q.order_by(it.c.created_at.desc(), it.c.created_seq.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [public_row(dict(r)) for r in conn.execute(q).mappings()]

    def interaction(self, contact_id: str) -> dict[str, Any] | None:
        it = t.interactions
        q = select(*(it.c[c] for c in COLUMNS)).where(it.c.contact_id == contact_id)
        with self.engine.connect() as conn:
            r = conn.execute(q).mappings().first()
        return public_row(dict(r)) if r is not None else None

    def handled_by_agent(self, start: float, end: float) -> dict[str, int]:
        """ContactConnected events per agent with ``at`` in [start, end)."""
        e = t.events
        q = (select(e.c.agent_id, func.count()).where(e.c.type == "ContactConnected", e.c.at >= start,
                                                      e.c.at < end).group_by(e.c.agent_id))
        with self.engine.connect() as conn:
            return {r[0]: int(r[1]) for r in conn.execute(q)}


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

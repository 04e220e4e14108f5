"""SQL event store: the append-only event log and its projections (the registry's), written in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from blendcc.adapters.storage import dialer_tables as dt
from blendcc.adapters.storage import interval_projection, message_index
from blendcc.adapters.storage import state_seconds as seconds_table
from blendcc.adapters.storage import tables as t
from blendcc.adapters.storage.common import CLOSED_STATE, identity_key, public_row, resolve_thresholds
from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.projectors import PROJECTORS, ProjectorRegistry, SqlTx
from blendcc.analytics.agent_stats import AgentTime, StateInterval
from blendcc.analytics.interactions import COLUMNS
from blendcc.analytics.interval_counters import AgentInterval, AgentKey, WrapCounts, WrapKey
from blendcc.analytics.queue_stats import COUNTER_NAMES, CounterKey, QueueCounters, Thresholds
from blendcc.domain.customer import NewCustomer
from blendcc.domain.errors import FencedOut
from blendcc.domain.events import Event, event_from_dict, subject_ids
from blendcc.ports import StoredEvent

#: Key of the PostgreSQL transaction-level advisory lock that serialises appends, so sequence
#: numbers become visible in commit order (a reader tailing ``read(after_seq)`` never skips one).
APPEND_LOCK_KEY = 0x626C656E6463  # "blendc"


def _upsert_factory(engine: Engine) -> Callable[[Any], Any]:
    name = engine.dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise ValueError(f"SqlStore supports SQLite and PostgreSQL, not {name!r}")


#: PostgreSQL: a batch of events in ONE constant statement (columns as arrays): psycopg prepares it once,
#: where a multi-row INSERT's text changes with the batch size and is parsed again on every group commit.
#: Seqs are drawn in the rows' order (a function scan emits them in order); the append lock is held.
_PG_INSERT_EVENTS = text("""
INSERT INTO events (seq, type, at, contact_id, agent_id, queue_id, payload)
SELECT nextval(pg_get_serial_sequence('events', 'seq')), u.type, u.at, u.contact_id, u.agent_id, u.queue_id,
       CAST(u.payload AS json)
FROM unnest(CAST(:types AS text[]), CAST(:ats AS float8[]), CAST(:contacts AS text[]), CAST(:agents AS text[]),
            CAST(:queues AS text[]), CAST(:payloads AS text[])) AS u(type, at, contact_id, agent_id, queue_id, payload)
RETURNING seq
""")


def _pg_insert_events(conn: Any, rows: list[dict[str, Any]]) -> list[int]:
    params = {"types": [r["type"] for r in rows], "ats": [r["at"] for r in rows],
              "contacts": [r["contact_id"] for r in rows], "agents": [r["agent_id"] for r in rows],
              "queues": [r["queue_id"] for r in rows], "payloads": [json.dumps(r["payload"]) for r in rows]}
    seqs = sorted(int(s) for s in conn.execute(_PG_INSERT_EVENTS, params).scalars())
    if len(seqs) != len(rows):
        raise RuntimeError(f"inserted {len(seqs)} events of {len(rows)}")
    return seqs


#: FOR SHARE: a lease acquisition (an UPDATE of the row) waits for appends checking it, and an append waits for
#: an acquisition in progress and then sees its new token: an append is either before the new leader's
#: rebuild (which reads it) or refused
_LEASE_TOKEN = text("SELECT token FROM leases WHERE name = :name FOR SHARE")


def _check_fence(conn: Any, lease: str, token: int) -> None:
    current = conn.execute(_LEASE_TOKEN, {"name": lease}).scalar()
    if current is None or int(current) != token or token == 0:
        raise FencedOut(f"this node no longer holds the {lease} lease (its token {token}, the lease's "
                        f"{current}): the append was refused, nothing stored")


class SqlStore:
    """EventStore on SQLAlchemy Core (SQLite or PostgreSQL) plus the report readers."""

    def __init__(self, engine: Engine, thresholds: Thresholds | None = None,
                 projectors: ProjectorRegistry = PROJECTORS) -> None:
        self.engine = engine
        self.projectors = projectors
        self._writer = writer(engine)
        self._upsert = _upsert_factory(engine)
        self._pg = engine.dialect.name == "postgresql"
        self._thresholds = resolve_thresholds(thresholds)
        #: (lease name, token): every append checks, in its transaction, that the lease row still carries
        #: this token (several nodes, ADR 0053); None: no lease (one node)
        self._fence: tuple[str, int] | None = None

    def fence(self, lease: str, token: int) -> None:
        """Refuse every later append (``FencedOut``) unless lease ``lease`` still carries ``token``; token 0
        (never issued) refuses every append: a standby node."""
        if not self._pg:
            raise ValueError("fencing tokens need PostgreSQL (several nodes share one database)")
        self._fence = (lease, token)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """Use ``thresholds(queue_id, channel) -> (sl_s, short_abandon_s)`` for later appends."""
        self._thresholds = thresholds

    # ------------------------------------------------------------------ writing

    def append(self, events: Sequence[Event]) -> list[int]:
        return self.append_with_customers(events, ())

    def append_with_customers(self, events: Sequence[Event], customers: Sequence[NewCustomer]) -> list[int]:
        """``append``, with the rows of ``customers`` first seen with these events written in the same
        transaction (ADR 0060). Idempotent per customer and identity: a customer id already stored, or an
        identity another customer already holds (a racing first contact), is left as it is."""
        if not events:
            return []
        rows = []
        for e in events:
            contact_id, agent_id, queue_id = subject_ids(e)
            rows.append({"type": e.type, "at": e.at, "contact_id": contact_id, "agent_id": agent_id,
                         "queue_id": queue_id, "payload": e.to_dict()})
        try:
            with self._writer.begin() as conn:
                if self._pg:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
                if self._fence is not None:
                    _check_fence(conn, *self._fence)
                if customers:  # before the events: their projections update these rows (last contact)
                    self._insert_customers(conn, customers)
                if self._pg:
                    seqs = _pg_insert_events(conn, rows)
                else:
                    stmt = t.events.insert().returning(t.events.c.seq, sort_by_parameter_order=True)
                    seqs = [int(s) for s in conn.execute(stmt, rows).scalars().all()]
                batch = [StoredEvent(seq, e) for seq, e in zip(seqs, events, strict=True)]
                self.projectors.apply_sql(SqlTx(conn, self._upsert, self._thresholds), batch)
        except IntegrityError as exc:
            raise ValueError(f"append rejected, nothing stored: {exc.orig}") from exc
        return seqs

    def _insert_customers(self, conn: Any, customers: Sequence[NewCustomer]) -> None:
        rows: dict[str, dict[str, Any]] = {
            c.customer_id: {"id": c.customer_id, "name": c.name, "tier": c.tier, "fields": {}, "created_at": c.at,
                            "last_agent_id": None, "last_contact_at": None} for c in customers}
        conn.execute(self._upsert(t.customers).values(list(rows.values()))
                     .on_conflict_do_nothing(index_elements=["id"]))
        keys = {identity_key(k, v): c.customer_id for c in customers for k, v in c.identities}
        if keys:
            conn.execute(self._upsert(t.customer_identities).values(
                [{"kind": k, "value": v, "customer_id": cid} for (k, v), cid in keys.items()])
                .on_conflict_do_nothing(index_elements=["kind", "value"]))

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

    def events_of_type(self, types: Iterable[str], start: float | None = None,
                       end: float | None = None, agent_id: str | None = None) -> list[StoredEvent]:
        e = t.events
        q = select(e.c.seq, e.c.type, e.c.payload).where(e.c.type.in_(list(types)))
        if agent_id is not None:  # the events table's indexed agent column (events.subject_ids)
            q = q.where(e.c.agent_id == agent_id)
        if start is not None:
            q = q.where(e.c.at >= start)
        if end is not None:
            q = q.where(e.c.at < end)
        return self._stored(q.order_by(e.c.seq))

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

    def message_by_provider_id(self, direction: str, channel: str, instance: str,
                               provider_id: str) -> tuple[str, str] | None:
        with self.engine.connect() as conn:
            return message_index.sql_find(conn, direction, channel, instance, provider_id)

    def _stored(self, q: Any) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            return [StoredEvent(int(r.seq), event_from_dict(r.type, r.payload)) for r in conn.execute(q)]

    # ------------------------------------------------------------------ report readers

    def queue_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[CounterKey, QueueCounters]:
        if starts:
            with self.engine.connect() as conn:
                return interval_projection.queue_counters(conn, start, end, starts, ends)
        qis = t.queue_interval_stats
        q = select(qis).where(qis.c.interval_start >= start, qis.c.interval_start < end)
        out: dict[CounterKey, QueueCounters] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q).mappings():
                values: dict[str, Any] = {n: (int(r[n]) if n in t.INT_COUNTERS else float(r[n])) for n in COUNTER_NAMES}
                out[(float(r["interval_start"]), r["queue_id"], r["channel"])] = QueueCounters(**values)
        return out

    def queue_offered(self, start: float, end: float) -> dict[CounterKey, int]:
        qis = t.queue_interval_stats
        q = select(qis.c.interval_start, qis.c.queue_id, qis.c.channel, qis.c.offered).where(
            qis.c.interval_start >= start, qis.c.interval_start < end, qis.c.offered > 0)
        with self.engine.connect() as conn:
            return {(float(r[0]), r[1], r[2]): int(r[3]) for r in conn.execute(q)}

    def agent_counters(self, start: float, end: float, starts: Sequence[float] = (),
                       ends: Sequence[float] = ()) -> dict[AgentKey, AgentInterval]:
        with self.engine.connect() as conn:
            return interval_projection.agent_counters(conn, start, end, starts, ends)

    def state_seconds(self, starts: Sequence[float], ends: Sequence[float],
                      until: float) -> dict[tuple[float, str], AgentTime]:
        with self.engine.connect() as conn:
            if seconds_table.on_edges(starts, ends):
                return seconds_table.summed(conn, starts, ends, until)
            return interval_projection.state_seconds(conn, starts, ends, until)

    def wrapup_counters(self, start: float, end: float, starts: Sequence[float] = (),
                        ends: Sequence[float] = ()) -> dict[WrapKey, WrapCounts]:
        with self.engine.connect() as conn:
            return interval_projection.wrapup_counters(conn, start, end, starts, ends)

    def state_intervals(self, start: float, end: float) -> list[StateInterval]:
        asi = t.agent_state_intervals
        q = (select(asi).where(asi.c.start_at < end, (asi.c.end_at.is_(None)) | (asi.c.end_at > start))
             .order_by(asi.c.start_at, asi.c.id))
        with self.engine.connect() as conn:
            return [StateInterval(r.agent_id, r.state, r.reason, r.start_at, r.end_at) for r in conn.execute(q)]

    def open_state_intervals(self) -> list[StateInterval]:
        asi = t.agent_state_intervals
        q = select(asi).where(asi.c.end_at.is_(None)).order_by(asi.c.start_at, asi.c.id)
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

    def known_contacts(self, contact_ids: Iterable[str]) -> set[str]:
        """The ids among ``contact_ids`` that have an interactions row (were ever created): one query."""
        ids = list(contact_ids)
        found: set[str] = set()
        it = t.interactions
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = select(it.c.contact_id).where(it.c.contact_id.in_(ids[i:i + 500]))
                found.update(conn.execute(q).scalars())
        return found

    def interaction(self, contact_id: str) -> dict[str, Any] | None:
        it = t.interactions
        q = select(*(it.c[c] for c in COLUMNS)).where(it.c.contact_id == contact_id)
        with self.engine.connect() as conn:
            r = conn.execute(q).mappings().first()
        return public_row(dict(r)) if r is not None else None

    def campaign_states(self) -> dict[str, tuple[str, str | None, float]]:
        """campaign id -> (state, reason, since), the ``campaign_states`` projection."""
        cs = dt.campaign_states
        with self.engine.connect() as conn:
            return {r.campaign_id: (r.state, r.reason, float(r.at)) for r in conn.execute(select(cs))}

    def handled_by_agent(self, start: float, end: float) -> dict[str, int]:
        """ContactConnected events per agent with ``at`` in [start, end)."""
        e = t.events
        q = (select(e.c.agent_id, func.count()).where(e.c.type == "ContactConnected", e.c.at >= start,
                                                      e.c.at < end).group_by(e.c.agent_id))
        with self.engine.connect() as conn:
            return {r[0]: int(r[1]) for r in conn.execute(q)}


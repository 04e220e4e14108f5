"""The report's interval counters (``agent_interval_stats``, ``wrapup_interval_stats``): projectors, readers that
sum them per report period in SQL, and the replay of the log that fills them (migration 0019, rebuilds)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import case, delete, func, literal_column, select
from sqlalchemy.engine import Connection

from blendcc.adapters.storage import tables as t
from blendcc.analytics.agent_stats import AgentTime
from blendcc.analytics.interval_counters import (
    FOLDED,
    MAX_SQL_PERIODS,
    AgentInterval,
    AgentKey,
    WrapCounts,
    WrapKey,
    fold_agents,
    fold_wrapups,
)
from blendcc.analytics.queue_stats import COUNTER_NAMES, CounterKey, QueueCounters
from blendcc.domain.events import Event, event_from_dict
from blendcc.ports import StoredEvent

_AGENT = [f.name for f in fields(AgentInterval)]
_WRAP = [f.name for f in fields(WrapCounts)]
_TYPES = frozenset(FOLDED)
_MAX_WAIT = "max_wait_handled_s"


def _upsert(conn: Connection, upsert: Callable[[Any], Any], table: Any, dims: Sequence[str], names: list[str],
            rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    ins = upsert(table)
    stmt = ins.on_conflict_do_update(index_elements=[table.c[d] for d in dims],
                                     set_={n: table.c[n] + ins.excluded[n] for n in names})
    conn.execute(stmt, rows)


def write(conn: Connection, upsert: Callable[[Any], Any], events: Sequence[Event]) -> None:
    """Add the counters of ``events`` (legs and wrap-ups) to both tables."""
    agents = [{"interval_start": b, "agent_id": a, "channel": ch, **c.as_dict()}
              for (b, a, ch), c in fold_agents(events).items()]
    _upsert(conn, upsert, t.agent_interval_stats, ("interval_start", "agent_id", "channel"), _AGENT, agents)
    wraps = [{"interval_start": b, "queue_id": q, "channel": ch, "wrapups": c.wrapups, "resolved": c.resolved}
             for (b, q, ch), c in fold_wrapups(events).items()]
    _upsert(conn, upsert, t.wrapup_interval_stats, ("interval_start", "queue_id", "channel"), _WRAP, wraps)


class IntervalCounters:
    """Agent legs and wrap-ups per 15-minute interval (``analytics.interval_counters``)."""

    name = "interval_counters"
    event_types = _TYPES

    def apply_sql(self, tx: Any, batch: Sequence[StoredEvent]) -> None:
        write(tx.conn, tx.upsert, [s.event for s in batch])

    def prepare_memory(self, tables: Any, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        events = [s.event for s in batch]
        agents, wraps = fold_agents(events), fold_wrapups(events)

        def apply() -> None:
            mine = tables.extra.setdefault(self.name, ({}, {}))
            for k, c in agents.items():
                mine[0].setdefault(k, AgentInterval()).merge(c)
            for k2, w in wraps.items():
                mine[1].setdefault(k2, WrapCounts()).merge(w)

        return apply


def backfill(conn: Connection, chunk: int = 20000) -> None:
    """Empty both tables and fold the whole log into them (the migration's fill; a rebuild)."""
    from sqlalchemy.dialects import postgresql, sqlite

    upsert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(delete(t.agent_interval_stats))
    conn.execute(delete(t.wrapup_interval_stats))
    ev = t.events
    last = 0
    names = [c.__name__ for c in FOLDED]
    while True:
        rows = conn.execute(select(ev.c.seq, ev.c.type, ev.c.payload).where(ev.c.type.in_(names), ev.c.seq > last)
                            .order_by(ev.c.seq).limit(chunk)).all()
        if not rows:
            return
        write(conn, upsert, [event_from_dict(r.type, r.payload) for r in rows])
        last = int(rows[-1].seq)


def _period(col: Any, starts: Sequence[float], ends: Sequence[float]) -> Any:
    # constants written into the statement, so GROUP BY repeats the very expression the SELECT has
    return case(*((col < literal_column(repr(float(e))), literal_column(repr(float(b))))
                  for b, e in zip(starts, ends, strict=True)))


def read(conn: Connection, table: Any, dim: str, names: list[str], start: float, end: float,
         starts: Sequence[float], ends: Sequence[float]) -> list[tuple[float, str, str, dict[str, Any]]]:
    """Rows of ``table`` in [start, end): summed per (period, dim, channel) in SQL when the periods are given
    and few, else one per interval."""
    c = table.c
    where = (c.interval_start >= start, c.interval_start < end)
    if starts and len(starts) <= MAX_SQL_PERIODS:
        period = _period(c.interval_start, starts, ends).label("p")
        q = (select(period, c[dim], c.channel, *(func.sum(c[n]).label(n) for n in names)).where(*where)
             .group_by(period, c[dim], c.channel))
    else:
        q = select(c.interval_start.label("p"), c[dim], c.channel, *(c[n] for n in names)).where(*where)
    return [(float(r["p"]), r[dim], r["channel"], {n: r[n] for n in names}) for r in conn.execute(q).mappings()]


def queue_counters(conn: Connection, start: float, end: float, starts: Sequence[float],
                   ends: Sequence[float]) -> dict[CounterKey, QueueCounters]:
    """The stored queue counters merged per period (``QueueCounters.merge``: sums, the longest wait's maximum),
    in SQL for up to ``MAX_SQL_PERIODS`` periods, else per interval merged here."""
    c = t.queue_interval_stats.c
    where = (c.interval_start >= start, c.interval_start < end)
    sql = len(starts) <= MAX_SQL_PERIODS
    period = _period(c.interval_start, starts, ends).label("p") if sql else c.interval_start.label("p")
    agg = [(func.max if n == _MAX_WAIT else func.sum)(c[n]).label(n) if sql else c[n] for n in COUNTER_NAMES]
    q = select(period, c.queue_id, c.channel, *agg).where(*where)
    if sql:
        q = q.group_by(period, c.queue_id, c.channel)
    out: dict[CounterKey, QueueCounters] = {}
    for r in conn.execute(q):
        values: dict[str, Any] = {n: (int(v) if n in t.INT_COUNTERS else float(v))
                                  for n, v in zip(COUNTER_NAMES, r[3:], strict=True)}
        k = (float(r[0]) if sql else starts[bisect_right(starts, r[0]) - 1], r[1], r[2])
        if sql:
            out[k] = QueueCounters(**values)
        else:
            out.setdefault(k, QueueCounters()).add(values)
    return out


def agent_counters(conn: Connection, start: float, end: float, starts: Sequence[float] = (),
                   ends: Sequence[float] = ()) -> dict[AgentKey, AgentInterval]:
    def one(vals: dict[str, Any]) -> AgentInterval:
        return AgentInterval(int(vals["handled"]), int(vals["completed"]), float(vals["talk_s"]),
                             float(vals["hold_s"]), float(vals["acw_s"]), int(vals["wrapups"]), int(vals["resolved"]))

    return {(b, a, ch): one(vals)
            for b, a, ch, vals in read(conn, t.agent_interval_stats, "agent_id", _AGENT, start, end, starts, ends)}


def wrapup_counters(conn: Connection, start: float, end: float, starts: Sequence[float] = (),
                    ends: Sequence[float] = ()) -> dict[WrapKey, WrapCounts]:
    return {(b, q, ch): WrapCounts(int(v["wrapups"]), int(v["resolved"]))
            for b, q, ch, v in read(conn, t.wrapup_interval_stats, "queue_id", _WRAP, start, end, starts, ends)}


def state_seconds(conn: Connection, starts: Sequence[float], ends: Sequence[float],
                  until: float) -> dict[tuple[float, str], AgentTime]:
    """Each agent's state seconds per period, the stored state intervals clipped to it and summed in SQL (one
    query per period; open intervals run to ``until``), as ``AgentTime.add`` would sum them."""
    asi = t.agent_state_intervals
    out: dict[tuple[float, str], AgentTime] = {}
    if not starts:
        return out
    end = func.coalesce(asi.c.end_at, until)
    # the longest interval overlapping the window bounds each period's scan of the start_at index from below
    longest = conn.execute(select(func.max(end - asi.c.start_at)).where(
        asi.c.start_at < max(ends), asi.c.end_at.is_(None) | (asi.c.end_at > min(starts)))).scalar()
    if longest is None:
        return out
    for b, e in zip(starts, ends, strict=True):
        lo = case((asi.c.start_at > b, asi.c.start_at), else_=literal_column(repr(float(b))))
        hi = case((end < e, end), else_=literal_column(repr(float(e))))
        clip = hi - lo
        q = (select(asi.c.agent_id, asi.c.state, asi.c.reason, func.sum(clip).label("s"))
             .where(asi.c.start_at < e, asi.c.start_at >= b - float(longest) - 1.0,
                    asi.c.end_at.is_(None) | (asi.c.end_at > b), clip > 0)
             .group_by(asi.c.agent_id, asi.c.state, asi.c.reason))
        for r in conn.execute(q):
            acc = out.get(k := (b, r.agent_id))
            if acc is None:
                acc = out[k] = AgentTime()
            acc.add(r.state, r.reason, float(r.s))
    return out

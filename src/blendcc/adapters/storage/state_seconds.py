"""Agent state seconds per 15-minute interval (``agent_state_seconds``): written as state intervals close, summed
per report period in SQL with the open intervals clipped to "now" (ADR 0056; migration 0023 fills it)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import case, delete, func, literal_column, select
from sqlalchemy.engine import Connection

from blendcc.adapters.storage import tables as t
from blendcc.analytics.agent_stats import AgentTime, StateInterval
from blendcc.analytics.interval_counters import MAX_SQL_PERIODS, STATE_COLUMNS, fold_state_seconds
from blendcc.analytics.queue_stats import BASE_INTERVAL_S

_IN_CHUNK = 500  # agents per IN (...) list
_COLS = [f"{state}_s" for state in STATE_COLUMNS]


def closing(conn: Connection, closes: dict[str, float]) -> list[StateInterval]:
    """The stored open intervals that ``closes`` (agent -> time) ends, as the closed intervals they become."""
    asi = t.agent_state_intervals
    agents = list(closes)
    out: list[StateInterval] = []
    for i in range(0, len(agents), _IN_CHUNK):
        q = select(asi.c.agent_id, asi.c.state, asi.c.reason, asi.c.start_at).where(
            asi.c.end_at.is_(None), asi.c.agent_id.in_(agents[i:i + _IN_CHUNK]))
        out += [StateInterval(r.agent_id, r.state, r.reason, float(r.start_at), closes[r.agent_id])
                for r in conn.execute(q)]
    return out


def write(conn: Connection, upsert: Callable[[Any], Any], closed: Sequence[StateInterval]) -> None:
    """Add the seconds of the ``closed`` intervals to their 15-minute intervals."""
    rows = [{"interval_start": b, "agent_id": a, "reason": r, **dict(zip(_COLS, secs, strict=True))}
            for (b, a, r), secs in fold_state_seconds(closed).items()]
    if not rows:
        return
    tbl = t.agent_state_seconds
    ins = upsert(tbl)
    conn.execute(ins.on_conflict_do_update(
        index_elements=[tbl.c.interval_start, tbl.c.agent_id, tbl.c.reason],
        set_={n: tbl.c[n] + ins.excluded[n] for n in _COLS}), rows)


def backfill(conn: Connection, chunk: int = 20000) -> None:
    """Empty the table and add every closed stored state interval (the migration's fill; a rebuild)."""
    from sqlalchemy.dialects import postgresql, sqlite

    upsert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(delete(t.agent_state_seconds))
    asi = t.agent_state_intervals
    last = None
    while True:
        q = select(asi).where(asi.c.end_at.is_not(None)).order_by(asi.c.id).limit(chunk)
        rows = conn.execute(q if last is None else q.where(asi.c.id > last)).all()
        if not rows:
            return
        write(conn, upsert, [StateInterval(r.agent_id, r.state, r.reason, float(r.start_at), float(r.end_at))
                             for r in rows])
        last = rows[-1].id


def on_edges(starts: Sequence[float], ends: Sequence[float]) -> bool:
    """Whether the periods are contiguous, in order and on 15-minute edges (what the stored rows can sum)."""
    edges = [*starts, *ends[-1:]]
    return bool(starts) and all(b % BASE_INTERVAL_S == 0 for b in edges) \
        and all(e == n for e, n in zip(ends, starts[1:], strict=False)) \
        and all(b < e for b, e in zip(starts, ends, strict=True))


def summed(conn: Connection, starts: Sequence[float], ends: Sequence[float],
           until: float) -> dict[tuple[float, str], AgentTime]:
    """Each agent's state seconds per period (``on_edges`` periods): the stored seconds of the closed intervals
    summed per period in SQL, plus the open intervals clipped to the periods up to ``until``."""
    tbl = t.agent_state_seconds
    c = tbl.c
    where = (c.interval_start >= starts[0], c.interval_start < ends[-1])
    sums = [c[n] for n in _COLS]
    if len(starts) <= MAX_SQL_PERIODS:
        period: Any = case(*((c.interval_start < literal_column(repr(float(e))), literal_column(repr(float(b))))
                             for b, e in zip(starts, ends, strict=True))).label("p")
        q = (select(period, c.agent_id, c.reason, *(func.sum(x) for x in sums)).where(*where)
             .group_by(period, c.agent_id, c.reason))
        rows: Any = conn.execute(q)
    else:
        rows = ((starts[bisect_right(starts, r[0]) - 1], *r[1:])
                for r in conn.execute(select(c.interval_start, c.agent_id, c.reason, *sums).where(*where)))
    out: dict[tuple[float, str], AgentTime] = {}
    for b, agent, reason, *secs in rows:
        acc = out.get(k := (float(b), agent))
        if acc is None:
            acc = out[k] = AgentTime()
        for state, v in zip(STATE_COLUMNS, secs, strict=True):
            if v:
                acc.add(state, reason, float(v))
    asi = t.agent_state_intervals
    open_ = select(asi.c.agent_id, asi.c.state, asi.c.reason, asi.c.start_at).where(
        asi.c.end_at.is_(None), asi.c.start_at < ends[-1])
    for r in conn.execute(open_):
        s, stop = max(float(r.start_at), starts[0]), min(until, ends[-1])
        i = max(0, bisect_right(starts, s) - 1)
        while s < stop and i < len(starts):
            piece = min(stop, ends[i]) - s
            if piece > 0:
                acc = out.get(k := (starts[i], r.agent_id))
                if acc is None:
                    acc = out[k] = AgentTime()
                acc.add(r.state, r.reason, piece)
            s = max(s, ends[i])
            i += 1
    return out

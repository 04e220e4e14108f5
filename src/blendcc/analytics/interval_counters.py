"""Additive report counters per 15-minute interval (agent legs, wrap-up outcomes, state seconds), folded once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from blendcc.analytics.agent_day import DAY_TYPES, AgentDay
from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.queue_stats import BASE_INTERVAL_S
from blendcc.domain.events import ContactConnected, Event, WrapUpCompleted

#: the disposition code an agent gives a contact resolved on first contact (KPIS.md, disposition variant)
RESOLVED = "resolved"
#: the event types the interval counters fold (an agent's legs and wrap-ups)
FOLDED = DAY_TYPES
#: up to this many periods a report sums the stored counters per period in SQL (more: per interval)
MAX_SQL_PERIODS = 64
AgentKey = tuple[float, str, str]  # (interval start of the event, agent, channel)
WrapKey = tuple[float, str, str]  # (interval start of the contact's queueing, queue, channel)
StateKey = tuple[float, str, str]  # (interval start, agent, aux reason or "")
#: the observable states whose seconds are kept per interval (``AgentState`` but offline, never an interval)
STATE_COLUMNS = ("available", "reserved", "busy", "wrap_up", "aux")
_COLUMN = {s: i for i, s in enumerate(STATE_COLUMNS)}


def is_resolved(e: WrapUpCompleted) -> bool:
    return e.disposition == RESOLVED


def _start(t: float) -> float:
    return float(int(t // BASE_INTERVAL_S) * BASE_INTERVAL_S)


@dataclass(slots=True)
class AgentInterval:
    """One agent's legs on one channel in one interval: ``AgentDay``'s counters and the wrap-ups (all, and
    those with the disposition "resolved"), each counted at its event's time."""

    handled: int = 0
    completed: int = 0
    talk_s: float = 0.0
    hold_s: float = 0.0
    acw_s: float = 0.0
    wrapups: int = 0
    resolved: int = 0

    def merge(self, o: AgentInterval) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(o, f.name))

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def day(self, channel: str) -> AgentDay:
        """The counters as ``AgentDay`` (whose ``figures`` and the report's KPI functions derive the ratios)."""
        return AgentDay({channel: self.handled} if self.handled else {},
                        {channel: self.completed} if self.completed else {}, self.talk_s, self.hold_s, self.acw_s)


@dataclass(slots=True)
class WrapCounts:
    """Wrap-ups (all, and those with the disposition "resolved") of contacts queued in one interval."""

    wrapups: int = 0
    resolved: int = 0

    def merge(self, o: WrapCounts) -> None:
        self.wrapups += o.wrapups
        self.resolved += o.resolved


def fold_agents(events: Iterable[Event]) -> dict[AgentKey, AgentInterval]:
    """Per (interval, agent, channel): ``AgentDay.apply_all`` over that agent's legs and wrap-ups in it."""
    groups: dict[AgentKey, list[Event]] = {}
    for e in events:
        if isinstance(e, (ContactConnected, WrapUpCompleted)):
            groups.setdefault((_start(e.at), e.agent_id, e.channel), []).append(e)
    out: dict[AgentKey, AgentInterval] = {}
    for (b, agent, channel), evs in groups.items():
        d = AgentDay().apply_all(agent, evs)
        wraps = [e for e in evs if isinstance(e, WrapUpCompleted)]
        out[(b, agent, channel)] = AgentInterval(d.handled.get(channel, 0), d.completed.get(channel, 0),
                                                 d.talk_s, d.hold_s, d.acw_s, len(wraps),
                                                 sum(is_resolved(e) for e in wraps))
    return out


def fold_wrapups(events: Iterable[Event]) -> dict[WrapKey, WrapCounts]:
    """Per (interval of the contact's queueing, queue, channel): its wrap-ups and the resolved ones."""
    out: dict[WrapKey, WrapCounts] = {}
    for e in events:
        if isinstance(e, WrapUpCompleted):
            c = out.get(k := (_start(e.queued_at), e.queue_id, e.channel))
            if c is None:
                c = out[k] = WrapCounts()
            c.wrapups += 1
            c.resolved += is_resolved(e)
    return out


def quarter_pieces(start: float, end: float) -> Iterator[tuple[float, float]]:
    """[start, end) cut at the 15-minute edges: (interval start, seconds in it) for each interval it touches."""
    b = _start(start)
    s = start
    while s < end:
        stop = min(end, b + BASE_INTERVAL_S)
        if stop > s:
            yield b, stop - s
        s = stop
        b += BASE_INTERVAL_S


def fold_state_seconds(intervals: Iterable[StateInterval]) -> dict[StateKey, list[float]]:
    """Closed state intervals' seconds per (15-minute interval, agent, aux reason or ""), one figure per state of
    ``STATE_COLUMNS``: the reason's row holds its aux seconds, the "" row the other states' and aux without a
    reason (as ``AgentTime.add`` reads it: "unspecified"). An open interval has no end yet (it is added when it
    closes; a report clips it to its "now"); states outside ``STATE_COLUMNS`` (offline) are not kept."""
    out: dict[StateKey, list[float]] = {}
    for iv in intervals:
        col = _COLUMN.get(iv.state)
        if iv.end is None or col is None:
            continue
        reason = (iv.reason or "") if iv.state == "aux" else ""
        for b, secs in quarter_pieces(iv.start, iv.end):
            row = out.get(k := (b, iv.agent_id, reason))
            if row is None:
                row = out[k] = [0.0] * len(STATE_COLUMNS)
            row[col] += secs
    return out

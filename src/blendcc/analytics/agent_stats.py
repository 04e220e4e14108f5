"""Agent time split (available, reserved, handling, aux) from state intervals, and agent KPIs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

HANDLING_STATES = ("busy", "wrap_up")


@dataclass(frozen=True, slots=True)
class StateInterval:
    agent_id: str
    state: str
    reason: str | None
    start: float
    end: float | None  # None: still in this state


@dataclass(slots=True)
class AgentTime:
    """Seconds per observable state (aux split by reason) and contacts handled, over a window."""

    seconds: dict[str, float] = field(default_factory=dict)
    aux_by_reason: dict[str, float] = field(default_factory=dict)
    handled: int = 0

    def add(self, state: str, reason: str | None, secs: float) -> None:
        if secs <= 0 or state == "offline":
            return
        self.seconds[state] = self.seconds.get(state, 0.0) + secs
        if state == "aux":
            key = reason or "unspecified"
            self.aux_by_reason[key] = self.aux_by_reason.get(key, 0.0) + secs


def time_split(intervals: Iterable[StateInterval], start: float, end: float) -> dict[str, AgentTime]:
    """Clip each interval to [start, end) and sum seconds per agent and state (open ones run to end)."""
    out: dict[str, AgentTime] = {}
    for iv in intervals:
        s = max(iv.start, start)
        e = min(iv.end if iv.end is not None else end, end)
        if e <= s:
            continue
        acc = out.get(iv.agent_id)
        if acc is None:
            acc = out[iv.agent_id] = AgentTime()
        acc.add(iv.state, iv.reason, e - s)
    return out


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def agent_kpis(t: AgentTime) -> dict[str, Any]:
    """Occupancy, utilization, availability and contacts per hour as defined in KPIS.md."""
    sec = t.seconds
    handling = sum(sec.get(s, 0.0) for s in HANDLING_STATES)
    available = sec.get("available", 0.0)
    reserved = sec.get("reserved", 0.0)
    aux = sec.get("aux", 0.0)
    logged_in = handling + available + reserved + aux
    return {
        "logged_in_s": logged_in,
        "available_s": available,
        "reserved_s": reserved,
        "handling_s": handling,
        "aux_s": aux,
        "aux_by_reason": dict(t.aux_by_reason),
        "handled": t.handled,
        "occupancy": _ratio(handling, handling + available + reserved),
        "utilization": _ratio(handling, logged_in),
        "availability": _ratio(available, logged_in),
        "contacts_per_hour": _ratio(t.handled, logged_in / 3600.0),
    }


#: an agent's open interval: (state, reason, since)
OpenState = tuple[str, "str | None", float]


class AgentStateFold:
    """The one fold from agent state changes to state intervals (stores, live stats, simulator).

    ``open`` holds each agent's current interval as (state, reason, since). A change closes it at the
    change's time and opens the next; "offline" opens none (time logged out is not an interval).
    """

    __slots__ = ("open",)

    def __init__(self, open_states: dict[str, OpenState] | None = None) -> None:
        self.open: dict[str, OpenState] = open_states if open_states is not None else {}

    def change(self, agent_id: str, state: str, reason: str | None, at: float) -> OpenState | None:
        """Apply one change; return the interval it closes (it ends at ``at``), None if the agent had none
        open here (logged out, or opened before this fold started: a store closes its stored one)."""
        if state == "offline":
            return self.open.pop(agent_id, None)
        prev = self.open.get(agent_id)
        self.open[agent_id] = (state, reason, at)
        return prev


@dataclass(slots=True)
class IntervalBatch:
    """What a batch of state changes does to stored intervals: close the open interval stored before the
    batch (agent -> end), then add ``rows`` (the last one of an agent still open: end None)."""

    closes: dict[str, float] = field(default_factory=dict)
    rows: list[StateInterval] = field(default_factory=list)


def interval_batch(changes: Iterable[tuple[str, str, str | None, float]]) -> IntervalBatch:
    """Fold (agent, state, reason, at) changes, in log order, into an IntervalBatch with AgentStateFold."""
    fold = AgentStateFold()
    out = IntervalBatch()
    rows: dict[str, int] = {}  # agent -> index in out.rows of its open row
    for agent_id, state, reason, at in changes:
        closed = fold.change(agent_id, state, reason, at)
        idx = rows.pop(agent_id, None)
        if closed is not None and idx is not None:  # opened in this batch: its row ends here
            iv = out.rows[idx]
            out.rows[idx] = StateInterval(iv.agent_id, iv.state, iv.reason, iv.start, at)
        elif agent_id not in out.closes:  # the first change of this agent ends the stored open interval
            out.closes[agent_id] = at
        if state != "offline":
            rows[agent_id] = len(out.rows)
            out.rows.append(StateInterval(agent_id, state, reason, at, None))
    return out

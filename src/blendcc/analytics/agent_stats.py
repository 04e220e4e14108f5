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

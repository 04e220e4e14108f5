"""IVR figures per interval, flow and dialled number: calls that left a flow to a queue, abandoned it or were contained.

One definition, used by the report and the live statistics. A call counts in the interval in which it
*left the IVR*: reached a queue (``ContactCreated`` of a voice contact whose attributes carry ``ivr_flow``),
or ended in it (``IvrCallEnded``). Calls that ended in the IVR are never offered to a queue, so queue KPIs
(offered, abandoned, service level) do not see them; calls that reached a queue are counted there as usual.

- IVR calls = to queue + IVR abandoned + IVR contained
- IVR abandon rate = IVR abandoned / IVR calls
- IVR containment = IVR contained / IVR calls (the flow finished the call: no agent needed)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.ivr_events import IVR_ABANDONED, IVR_CONTAINED, IvrCallEnded

IvrKey = tuple[float, str, str]  # (interval start, flow id, dialled number)
#: the event types the IVR figures are folded from
IVR_FOLDED_TYPES: tuple[type[ev.Event], ...] = (ev.ContactCreated, IvrCallEnded)


@dataclass(slots=True)
class IvrCounters:
    to_queue: int = 0
    abandoned: int = 0
    contained: int = 0
    ivr_s_abandoned: float = 0.0
    ivr_s_contained: float = 0.0

    def add(self, delta: dict[str, float]) -> None:
        for name, value in delta.items():
            setattr(self, name, getattr(self, name) + value)

    def merge(self, other: IvrCounters) -> None:
        self.add(other.as_dict())

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def ivr_delta(e: ev.Event) -> tuple[str, str, float, dict[str, float]] | None:
    """(flow id, dialled number, time the call left the IVR, counter changes) for one event, or None."""
    if isinstance(e, IvrCallEnded):
        if e.reason == IVR_ABANDONED:
            delta = {"abandoned": 1, "ivr_s_abandoned": e.ivr_s}
        elif e.reason == IVR_CONTAINED:
            delta = {"contained": 1, "ivr_s_contained": e.ivr_s}
        else:
            return None
        return e.flow_id or "", e.dialled or "", e.at, delta
    if isinstance(e, ev.ContactCreated) and e.channel == "voice" and e.direction == "inbound":
        flow = e.attributes.get("ivr_flow")
        if isinstance(flow, str) and flow:
            dialled = e.attributes.get("dialled_number")
            return flow, dialled if isinstance(dialled, str) else "", e.at, {"to_queue": 1}
    return None


def fold(events: Iterable[ev.Event], bucket: Callable[[float], float],
         into: dict[IvrKey, IvrCounters] | None = None) -> dict[IvrKey, IvrCounters]:
    """Add every event's IVR counters into ``into``, keyed by ``bucket(time it left the IVR)``."""
    table = into if into is not None else {}
    for e in events:
        d = ivr_delta(e)
        if d is None:
            continue
        flow, dialled, at, delta = d
        key = (bucket(at), flow, dialled)
        c = table.get(key)
        if c is None:
            c = table[key] = IvrCounters()
        c.add(delta)
    return table


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def ivr_kpis(c: IvrCounters) -> dict[str, Any]:
    """The IVR figures of ``c``; a rate with no calls is None, not 0."""
    calls = c.to_queue + c.abandoned + c.contained
    return {
        "ivr_calls": calls,
        "to_queue": c.to_queue,
        "ivr_abandoned": c.abandoned,
        "ivr_contained": c.contained,
        "ivr_abandon_rate": _ratio(c.abandoned, calls),
        "ivr_containment": _ratio(c.contained, calls),
        "avg_ivr_abandon_s": _ratio(c.ivr_s_abandoned, c.abandoned),
        "avg_ivr_contained_s": _ratio(c.ivr_s_contained, c.contained),
    }

"""Per-interval queue counters folded from events, and the queue KPIs computed from them.

One definition per metric (KPIS.md): live stats, historical reports and the simulator all add the
same ``deltas`` into ``QueueCounters`` and read rates through ``queue_kpis``. A contact belongs to
the interval in which it entered the queue (``queued_at``), so later events carry ``queued_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from blendcc.domain import events as ev

#: Base interval of stored counters (seconds). Reports sum them into 30, 60 min, day or week.
BASE_INTERVAL_S = 900

#: (queue_id, channel) -> (service-level threshold T, short-abandon threshold), seconds.
Thresholds = Callable[[str, str], tuple[float, float]]

CounterKey = tuple[float, str, str]  # (interval start, queue_id, channel)
#: a counter value: ``int | float``, not ``float`` (compiled, a ``float`` annotation turns ints into floats)
Num = int | float


@dataclass(slots=True)
class QueueCounters:
    offered: int = 0
    handled: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    overflowed_out: int = 0
    transferred: int = 0
    handled_done: int = 0
    wait_handled_s: float = 0.0
    wait_abandoned_s: float = 0.0
    max_wait_handled_s: float = 0.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    acw_s: float = 0.0

    def add(self, delta: dict[str, Num]) -> None:
        for name, value in delta.items():
            if name == "max_wait_handled_s":
                if value > self.max_wait_handled_s:  # noqa: PLR1730 -- max() without the call (hot path)
                    self.max_wait_handled_s = value
            else:
                setattr(self, name, getattr(self, name) + value)

    def merge(self, other: QueueCounters) -> None:
        self.add(other.as_dict())

    def as_dict(self) -> dict[str, Num]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COUNTER_NAMES = tuple(f.name for f in fields(QueueCounters))


def interval_start(at: float, interval_s: int = BASE_INTERVAL_S) -> float:
    return float(int(at // interval_s) * interval_s)


def deltas(event: ev.Event, thresholds: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    """The counter changes one event causes, keyed by the interval its queue visit started in."""
    fn = _DELTAS.get(type(event))
    if fn is None:
        fn = _delta_fn(type(event))
    return fn(event, thresholds)


_Delta = Callable[[Any, Thresholds], list[tuple[CounterKey, dict[str, Num]]]]


def _queued(event: ev.ContactQueued, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return [((interval_start(event.at), event.queue_id, event.channel), {"offered": 1})]


def _connected(event: ev.ContactConnected, thresholds: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    sl_t, _ = thresholds(event.queue_id, event.channel)
    delta: dict[str, Num] = {"handled": 1, "wait_handled_s": event.wait_s,
                               "max_wait_handled_s": event.wait_s}
    if event.wait_s <= sl_t:
        delta["answered_in_sl"] = 1
    return [((interval_start(event.queued_at), event.queue_id, event.channel), delta)]


def _abandoned(event: ev.ContactAbandoned, thresholds: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    if event.queue_id is None or event.queued_at is None:
        return []  # left before entering a queue (in IVR/bot): not offered
    _, short = thresholds(event.queue_id, event.channel)
    key = (interval_start(event.queued_at), event.queue_id, event.channel)
    if event.wait_s < short:
        return [(key, {"short_abandoned": 1})]
    return [(key, {"abandoned": 1, "wait_abandoned_s": event.wait_s})]


def _timed_out(event: ev.ContactTimedOut, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return [((interval_start(event.queued_at), event.queue_id, event.channel), {"timed_out": 1})]


def _overflowed(event: ev.ContactOverflowed, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return [((interval_start(event.queued_at), event.from_queue_id, event.channel), {"overflowed_out": 1})]


def _transferred(event: ev.ContactTransferred, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return [((interval_start(event.queued_at), event.from_queue_id, event.channel), {"transferred": 1})]


def _wrapped(event: ev.WrapUpCompleted, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return [((interval_start(event.queued_at), event.queue_id, event.channel),
             {"handled_done": 1, "talk_s": event.talk_s, "hold_s": event.hold_s, "acw_s": event.acw_s})]


def _no_delta(_event: ev.Event, _th: Thresholds) -> list[tuple[CounterKey, dict[str, Num]]]:
    return []


#: event class -> its deltas (one dict lookup per event instead of a chain of isinstance checks)
_DELTAS: dict[type, _Delta] = {
    ev.ContactQueued: _queued,
    ev.ContactConnected: _connected,
    ev.ContactAbandoned: _abandoned,
    ev.ContactTimedOut: _timed_out,
    ev.ContactOverflowed: _overflowed,
    ev.ContactTransferred: _transferred,
    ev.WrapUpCompleted: _wrapped,
}
#: the event classes that change queue counters (the queue-counter projection subscribes to these)
COUNTED_TYPES: frozenset[type[ev.Event]] = frozenset(_DELTAS)


def delta_function(cls: type[ev.Event]) -> _Delta:
    """What ``deltas`` does for events of class ``cls``, resolved once: for folds that already
    dispatch on the event type (``delta_function(type(e))(e, thresholds) == deltas(e, thresholds)``)."""
    fn = _DELTAS.get(cls)
    return fn if fn is not None else _delta_fn(cls)


def _delta_fn(cls: type) -> _Delta:
    """The deltas of an event class not listed (a subclass counts as its listed base; others: none)."""
    for base, fn in list(_DELTAS.items()):
        if issubclass(cls, base):
            _DELTAS[cls] = fn
            return fn
    _DELTAS[cls] = _no_delta
    return _no_delta


# The same deltas added straight into a counters table, without the intermediate lists and dicts: for
# folds that run once per event (the simulator's collector). ``add(table, thresholds, e)`` leaves
# ``table`` exactly as ``fold([e], thresholds, table)`` does (tests/analytics checks it event for event).

Counters = dict[CounterKey, QueueCounters]
CounterAdd = Callable[[Counters, Thresholds, Any], None]


def _at(table: Counters, key: CounterKey) -> QueueCounters:
    c = table.get(key)
    if c is None:
        c = table[key] = QueueCounters()
    return c


def _add_queued(table: Counters, _th: Thresholds, e: ev.ContactQueued) -> None:
    _at(table, (float(int(e.at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.queue_id, e.channel)).offered += 1


def _add_connected(table: Counters, thresholds: Thresholds, e: ev.ContactConnected) -> None:
    sl_t, _ = thresholds(e.queue_id, e.channel)
    c = _at(table, (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.queue_id, e.channel))
    wait = e.wait_s
    c.handled += 1
    c.wait_handled_s += wait
    if wait > c.max_wait_handled_s:  # noqa: PLR1730 -- as QueueCounters.add does
        c.max_wait_handled_s = wait
    if wait <= sl_t:
        c.answered_in_sl += 1


def _add_abandoned(table: Counters, thresholds: Thresholds, e: ev.ContactAbandoned) -> None:
    if e.queue_id is None or e.queued_at is None:
        return
    _, short = thresholds(e.queue_id, e.channel)
    c = _at(table, (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.queue_id, e.channel))
    if e.wait_s < short:
        c.short_abandoned += 1
    else:
        c.abandoned += 1
        c.wait_abandoned_s += e.wait_s


def _add_timed_out(table: Counters, _th: Thresholds, e: ev.ContactTimedOut) -> None:
    _at(table, (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.queue_id, e.channel)).timed_out += 1


def _add_overflowed(table: Counters, _th: Thresholds, e: ev.ContactOverflowed) -> None:
    key = (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.from_queue_id, e.channel)
    _at(table, key).overflowed_out += 1


def _add_transferred(table: Counters, _th: Thresholds, e: ev.ContactTransferred) -> None:
    key = (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.from_queue_id, e.channel)
    _at(table, key).transferred += 1


def _add_wrapped(table: Counters, _th: Thresholds, e: ev.WrapUpCompleted) -> None:
    c = _at(table, (float(int(e.queued_at // BASE_INTERVAL_S) * BASE_INTERVAL_S), e.queue_id, e.channel))
    c.handled_done += 1
    c.talk_s += e.talk_s
    c.hold_s += e.hold_s
    c.acw_s += e.acw_s


_ADDERS: dict[_Delta, CounterAdd] = {
    _queued: _add_queued,
    _connected: _add_connected,
    _abandoned: _add_abandoned,
    _timed_out: _add_timed_out,
    _overflowed: _add_overflowed,
    _transferred: _add_transferred,
    _wrapped: _add_wrapped,
}


def counter_function(cls: type[ev.Event]) -> CounterAdd:
    """``delta_function(cls)`` as an ``add(table, thresholds, event)`` that adds the deltas of one event of
    class ``cls`` into ``table`` directly (the same counters as ``fold``)."""
    deltas_of = delta_function(cls)
    add = _ADDERS.get(deltas_of)
    if add is not None:
        return add

    def add_deltas(table: Counters, thresholds: Thresholds, e: ev.Event) -> None:
        for key, delta in deltas_of(e, thresholds):
            _at(table, key).add(delta)

    return add_deltas


def fold(events: Iterable[ev.Event], thresholds: Thresholds,
         into: dict[CounterKey, QueueCounters] | None = None) -> dict[CounterKey, QueueCounters]:
    table = into if into is not None else {}
    for e in events:
        for key, delta in deltas(e, thresholds):
            counters = table.get(key)
            if counters is None:
                counters = table[key] = QueueCounters()
            counters.add(delta)
    return table


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def queue_kpis(c: QueueCounters) -> dict[str, Any]:
    """Queue KPIs of KPIS.md from counters; a rate with an empty denominator is None, not 0.

    AHT and the average talk/hold/ACW divide by contacts whose handling is complete
    (``handled_done``), so contacts still in conversation do not drag them down; once every handled
    contact is complete this is exactly sum / Handled.
    """
    base = c.offered - c.short_abandoned
    handle = c.talk_s + c.hold_s + c.acw_s
    return {
        "offered": c.offered,
        "handled": c.handled,
        "abandoned": c.abandoned,
        "short_abandoned": c.short_abandoned,
        "timed_out": c.timed_out,
        "overflowed_out": c.overflowed_out,
        "transferred": c.transferred,
        "abandon_rate": _ratio(c.abandoned, base),
        "service_level": _ratio(c.answered_in_sl, base),
        "asa_s": _ratio(c.wait_handled_s, c.handled),
        "avg_abandon_wait_s": _ratio(c.wait_abandoned_s, c.abandoned),
        "max_wait_handled_s": c.max_wait_handled_s,
        "aht_s": _ratio(handle, c.handled_done),
        "avg_talk_s": _ratio(c.talk_s, c.handled_done),
        "avg_hold_s": _ratio(c.hold_s, c.handled_done),
        "avg_acw_s": _ratio(c.acw_s, c.handled_done),
        "transfer_rate": _ratio(c.transferred, c.handled),
    }


def rollup(table: dict[CounterKey, QueueCounters], interval_s: int, queue_id: str | None = None,
           channel: str | None = None) -> dict[tuple[float, str, str], QueueCounters]:
    """Sum base-interval counters into ``interval_s`` buckets (a multiple of the base interval),
    optionally filtered by queue and channel; the filtered-out dimension is reported as '*'."""
    out: dict[tuple[float, str, str], QueueCounters] = {}
    for (start, q, ch), counters in table.items():
        if queue_id is not None and q != queue_id:
            continue
        if channel is not None and ch != channel:
            continue
        key = (interval_start(start, interval_s), q, ch)
        acc = out.get(key)
        if acc is None:
            acc = out[key] = QueueCounters()
        acc.merge(counters)
    return out

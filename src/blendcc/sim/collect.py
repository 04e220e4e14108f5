"""One replication's KPIs folded from its events with the live system's projections.

Queue KPIs: ``analytics.queue_stats.deltas`` into ``QueueCounters`` (15-minute base intervals, rolled
up to the report interval) and ``queue_kpis``. Agent KPIs: observable agent states
(``AgentStateChanged``) split into ``AgentTime`` per report interval and ``agent_kpis``, as live
stats do. One extra figure the live reports do not carry: ``p_wait``, the share of queue visits not
answered on arrival (answered after a wait, abandoned or timed out) -- Erlang's P(wait).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from blendcc.analytics.agent_stats import AgentStateFold, AgentTime, agent_kpis
from blendcc.analytics.queue_stats import (
    BASE_INTERVAL_S,
    CounterKey,
    QueueCounters,
    Thresholds,
    counter_function,
    interval_start,
    queue_kpis,
)
from blendcc.domain import events as ev
from blendcc.mypyc_hints import mypyc_attr

ALL_QUEUES = "*"
AGENTS = "@agents"
#: (interval start or None for the whole run, scope: queue id, ALL_QUEUES or AGENTS) -> KPI name -> value
Rows = dict[tuple[float | None, str], dict[str, Any]]

@mypyc_attr(allow_interpreted_subclasses=True)  # subclassed by Python classes (ADR 0061)
class Collector:
    """Folds events as the simulation emits them; ``rows(end)`` gives the KPI table."""

    def __init__(self, thresholds: Thresholds, report_interval_s: int) -> None:
        self.thresholds = thresholds
        self.interval_s = report_interval_s
        self.counters: dict[CounterKey, QueueCounters] = {}
        self.waited: dict[CounterKey, int] = {}
        self.agent_time: dict[float, AgentTime] = {}  # report interval start -> all agents together
        self.agent_total: dict[str, AgentTime] = {}
        self._fold = AgentStateFold()
        self._open = self._fold.open
        self.events = 0
        self._count_connected = self._counter(ev.ContactConnected)
        self._count_left = {cls: self._counter(cls) for cls in (ev.ContactAbandoned, ev.ContactTimedOut)}
        self._dispatch: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.ContactQueued: self._counter(ev.ContactQueued),
            ev.ContactOverflowed: self._counter(ev.ContactOverflowed),
            ev.ContactTransferred: self._counter(ev.ContactTransferred),
            ev.WrapUpCompleted: self._counter(ev.WrapUpCompleted), ev.ContactConnected: self._connected,
            ev.ContactAbandoned: self._left, ev.ContactTimedOut: self._left, ev.AgentStateChanged: self._state,
        }

    def fold(self, events: Sequence[ev.Event]) -> None:
        self.events += len(events)
        dispatch = self._dispatch
        for e in events:
            fn = dispatch.get(type(e))
            if fn is not None:
                fn(e)

    def _counter(self, cls: type[ev.Event]) -> Callable[[Any], None]:
        """Adds the queue deltas (``queue_stats.deltas``) of one event class into the counters
        (``queue_stats.counter_function``: the same counters, without building the deltas)."""
        return partial(counter_function(cls), self.counters, self.thresholds)

    def _connected(self, e: ev.ContactConnected) -> None:
        self._count_connected(e)
        if e.wait_s > 0.0:
            self._waited(e.queued_at, e.queue_id, e.channel)
        self._slot(interval_start(e.at, self.interval_s)).handled += 1
        self._agent(e.agent_id).handled += 1

    def _left(self, e: ev.ContactAbandoned | ev.ContactTimedOut) -> None:
        self._count_left[type(e)](e)
        if e.queue_id is not None and e.queued_at is not None:
            self._waited(e.queued_at, e.queue_id, e.channel)

    def _state(self, e: ev.AgentStateChanged) -> None:
        # self._fold.change(...), inlined (AgentStateFold: "offline" closes the open interval, opens none)
        aid = e.agent_id
        at = e.at
        state = e.state
        if state == "offline":
            prev = self._open.pop(aid, None)
        else:
            prev = self._open.get(aid)
            self._open[aid] = (state, e.reason, at)
        if prev is not None:
            self._add_time(aid, prev[0], prev[1], prev[2], at)

    def _waited(self, queued_at: float, queue_id: str, channel: str) -> None:
        key = (interval_start(queued_at, BASE_INTERVAL_S), queue_id, channel)
        self.waited[key] = self.waited.get(key, 0) + 1

    def _slot(self, start: float) -> AgentTime:
        t = self.agent_time.get(start)
        if t is None:
            t = self.agent_time[start] = AgentTime()
        return t

    def _agent(self, agent_id: str) -> AgentTime:
        t = self.agent_total.get(agent_id)
        if t is None:
            t = self.agent_total[agent_id] = AgentTime()
        return t

    def _add_time(self, agent_id: str, state: str, reason: str | None, since: float, until: float) -> None:
        if until <= since or state == "offline":
            return
        secs = until - since
        total = self.agent_total.get(agent_id)  # self._agent(agent_id), inlined (once per state change)
        if total is None:
            total = self.agent_total[agent_id] = AgentTime()
        step = self.interval_s
        start = float(int(since // step) * step)  # interval_start(since, step)
        if until <= start + step:  # the usual case: within one report interval
            slot = self.agent_time.get(start)
            if slot is None:
                slot = self.agent_time[start] = AgentTime()
            if state == "aux":
                total.add(state, reason, secs)
                slot.add(state, reason, secs)
                return
            # AgentTime.add, inlined for the states without a reason (secs > 0, not offline)
            seconds = total.seconds
            seconds[state] = seconds.get(state, 0.0) + secs
            seconds = slot.seconds
            seconds[state] = seconds.get(state, 0.0) + secs
            return
        total.add(state, reason, secs)
        s = since
        while s < until:
            start = interval_start(s, step)
            e = min(until, start + step)
            self._slot(start).add(state, reason, e - s)
            s = e

    def close(self, end: float) -> None:
        """Account every agent's current state up to ``end`` (the end of the run)."""
        open_ = self._fold.open
        for aid, (state, reason, since) in open_.items():
            self._add_time(aid, state, reason, since, end)
            open_[aid] = (state, reason, end)

    def rows(self) -> Rows:
        """KPIs per report interval and queue, for all queues together, and for the whole run;
        centre-wide agent KPIs per interval and for the whole run."""
        step = self.interval_s
        per: dict[tuple[float | None, str], QueueCounters] = {}
        waited: dict[tuple[float | None, str], int] = {}

        def acc(key: tuple[float | None, str], c: QueueCounters, w: int) -> None:
            total = per.get(key)
            if total is None:
                total = per[key] = QueueCounters()
            total.merge(c)
            waited[key] = waited.get(key, 0) + w

        for ckey, c in self.counters.items():
            start, q, _ch = ckey
            w = self.waited.get(ckey, 0)
            bucket: float | None = interval_start(start, step)
            keys: tuple[tuple[float | None, str], ...] = ((bucket, q), (bucket, ALL_QUEUES), (None, q),
                                                          (None, ALL_QUEUES))
            for key in keys:
                acc(key, c, w)
        out: Rows = {}
        for key, c in per.items():
            kpis = queue_kpis(c)
            kpis["p_wait"] = waited[key] / c.offered if c.offered else None
            out[key] = kpis
        total = AgentTime()
        for start, t in self.agent_time.items():
            out[(start, AGENTS)] = agent_kpis(t)
            total.handled += t.handled
            for state, secs in t.seconds.items():
                total.seconds[state] = total.seconds.get(state, 0.0) + secs
            for reason, secs in t.aux_by_reason.items():
                total.aux_by_reason[reason] = total.aux_by_reason.get(reason, 0.0) + secs
        if self.agent_time:
            out[(None, AGENTS)] = agent_kpis(total)
        return out

    def agents(self) -> dict[str, dict[str, Any]]:
        """Per-agent KPIs over the whole run."""
        return {aid: agent_kpis(t) for aid, t in sorted(self.agent_total.items())}

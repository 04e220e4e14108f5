"""Live statistics for today, kept incrementally from events with the same KPI definitions as reports."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from blendcc.analytics import fold_state
from blendcc.analytics.agent_stats import AgentStateFold, AgentTime, StateInterval, agent_kpis
from blendcc.analytics.digital_stats import FOLDED_TYPES, DigitalFold, OpenTime, digital_kpis
from blendcc.analytics.ivr_stats import IVR_FOLDED_TYPES, IvrCounters, ivr_delta, ivr_kpis
from blendcc.analytics.queue_stats import CounterKey, QueueCounters, Thresholds, deltas, queue_kpis
from blendcc.analytics.today import day_start
from blendcc.domain import events as ev
from blendcc.ports import StoredEvent

#: What the live digital fold is warmed up from after a restart: these event types since this long before
#: today (threads begun earlier count from the first message seen; reports fold the full reopen window).
DIGITAL_TYPES = [t.__name__ for t in FOLDED_TYPES]
#: What today's IVR figures are warmed up from after a restart (today's events of these types).
IVR_TYPES = [t.__name__ for t in IVR_FOLDED_TYPES]
WARM_UP_S = 2 * 86400.0
#: The format of ``LiveStats.capture`` (a snapshot part, ADR 0059): data of another one is not restored.
STATE_VERSION = 1
__all__ = ["DIGITAL_TYPES", "IVR_TYPES", "WARM_UP_S", "LiveStats", "day_start"]


class LiveStats:
    """Today's queue counters and agent time, folded from events after they are stored: a commit
    subscriber of the Runtime (``committed``), not part of the store's append. ``seq`` is the last
    sequence number folded in; a batch it has already seen is skipped, so it can be fed again (or from a
    bus that delivers at least once)."""

    def __init__(self, thresholds: Thresholds, tz: str = "UTC", open_time: OpenTime | None = None):
        self.thresholds = thresholds
        self.tz = tz
        self._lock = threading.Lock()
        self.day = 0.0
        self.counters: dict[CounterKey, QueueCounters] = {}
        self.agent_time: dict[str, AgentTime] = {}
        self._fold = AgentStateFold()
        self._open = self._fold.open  # agent -> (state, reason, since)
        self.seq = 0
        self.open_time = open_time  # the queues' business hours (digital KPIs' business-hours variants)
        self.digital = DigitalFold(rollup=True, open_time=open_time)  # today's digital KPIs (as the reports)
        self.ivr: dict[tuple[str, str], IvrCounters] = {}  # today's IVR figures per (flow, dialled number)

    def load(self, now: float, counters: dict[CounterKey, QueueCounters],
             intervals: Iterable[StateInterval], handled: dict[str, int]) -> None:
        """Start from what the store already holds for today (after a restart)."""
        with self._lock:
            self.day = day_start(now, self.tz)
            self.counters = {k: v for k, v in counters.items() if k[0] >= self.day}
            self.agent_time = {}
            self._open.clear()
            for iv in intervals:
                start = max(iv.start, self.day)
                if iv.end is None:
                    self._open[iv.agent_id] = (iv.state, iv.reason, start)
                elif iv.end > start:
                    self._time(iv.agent_id).add(iv.state, iv.reason, iv.end - start)
            for agent_id, n in handled.items():
                self._time(agent_id).handled = n
            self.digital.keep_from(self.day)  # until ``load_digital`` warms it up from the log

    def load_digital(self, events: Iterable[ev.Event]) -> None:
        """Warm the digital fold up from the log (after ``load``): the fold's event types since a while
        before today (``WARM_UP_S``), so today's threads keep their first message; only today counts."""
        with self._lock:
            self.digital = DigitalFold(rollup=True, open_time=self.open_time)
            self.digital.keep_from(self.day)
            self.digital.apply_all(events)

    def load_ivr(self, events: Iterable[ev.Event]) -> None:
        """Warm today's IVR figures up from the log (after ``load``); events before today are skipped."""
        with self._lock:
            self.ivr = {}
            for e in events:
                self._fold_ivr(e)

    def _fold_ivr(self, e: ev.Event) -> None:
        d = ivr_delta(e)
        if d is None or d[2] < self.day:
            return
        c = self.ivr.get((d[0], d[1]))
        if c is None:
            c = self.ivr[(d[0], d[1])] = IvrCounters()
        c.add(d[3])

    def _time(self, agent_id: str) -> AgentTime:
        t = self.agent_time.get(agent_id)
        if t is None:
            t = self.agent_time[agent_id] = AgentTime()
        return t

    def _roll(self, at: float) -> None:
        start = day_start(at, self.tz)
        if start <= self.day:
            return
        for agent_id, (state, reason, since) in list(self._open.items()):
            self._time(agent_id).add(state, reason, start - since)
            self._open[agent_id] = (state, reason, start)
        self.day = start
        self.counters = {k: v for k, v in self.counters.items() if k[0] >= start}
        d = self.digital
        d.accrue_all(start)
        d.keep_from(start)
        d.prune(start - d.reopen_s)
        self.agent_time = {}
        self.ivr = {}

    def committed(self, batch: Sequence[StoredEvent]) -> None:
        """Fold a stored batch in (events at or below ``seq`` were folded already and are skipped)."""
        with self._lock:
            fresh = [s.event for s in batch if s.seq > self.seq]
            if fresh:
                self.seq = batch[-1].seq
                self._apply(fresh)

    def apply(self, events: Iterable[ev.Event]) -> None:
        """Fold events that carry no sequence number (tests and tools)."""
        with self._lock:
            self._apply(events)

    def _apply(self, events: Iterable[ev.Event]) -> None:
        for e in events:
            if self.day == 0.0:
                self.day = day_start(e.at, self.tz)
                self.digital.keep_from(self.day)
            elif e.at >= self.day + 82800:  # 23 h: cheap pre-check, DST-safe roll inside
                self._roll(e.at)
            for key, delta in deltas(e, self.thresholds):
                if key[0] < self.day - 3600:
                    continue
                c = self.counters.get(key)
                if c is None:
                    c = self.counters[key] = QueueCounters()
                c.add(delta)
            if isinstance(e, ev.AgentStateChanged):
                prev = self._fold.change(e.agent_id, e.state, e.reason, e.at)
                if prev is not None:
                    self._time(e.agent_id).add(prev[0], prev[1], e.at - max(prev[2], self.day))
            elif isinstance(e, ev.ContactConnected):
                self._time(e.agent_id).handled += 1
            elif isinstance(e, IVR_FOLDED_TYPES):
                self._fold_ivr(e)
            self.digital.apply(e)

    def tick(self, now: float) -> None:
        with self._lock:
            self._roll(now)

    # ------------------------------------------------------------------ snapshot part (ADR 0059)

    def capture(self) -> dict[str, Any]:
        """Every fold's state as plain data (a copy), taken with a snapshot of the live state under the writer
        lock; ``restore`` of it plus the events after it gives what folding the whole log gives."""
        with self._lock:
            return {"version": STATE_VERSION, "names": fold_state.names(), "day": self.day,
                    "counters": fold_state.queue_counters_state(self.counters),
                    "agent_time": fold_state.agent_time_state(self.agent_time),
                    "open": [[a, state, reason, since] for a, (state, reason, since) in self._open.items()],
                    "digital": fold_state.digital_state(self.digital), "ivr": fold_state.ivr_state(self.ivr)}

    def restore(self, data: Any, seq: int) -> None:
        """Start from ``capture`` data covering the events up to ``seq`` (instead of ``load`` and the warm-ups from
        the log); ValueError (nothing changed) if the data is of another format or damaged."""
        try:
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                raise ValueError(f"format {data.get('version') if isinstance(data, dict) else None!r}, "
                                 f"expected {STATE_VERSION}")
            fold_state.check_names(data)
            day = float(data["day"])
            counters = fold_state.restore_queue_counters(data["counters"])
            agent_time = fold_state.restore_agent_time(data["agent_time"])
            open_states = {str(a): (str(state), None if reason is None else str(reason), float(since))
                           for a, state, reason, since in data["open"]}
            digital = DigitalFold(rollup=True, open_time=self.open_time)
            fold_state.restore_digital(digital, data["digital"])
            ivr = fold_state.restore_ivr(data["ivr"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"cannot restore today's statistics: {exc}") from exc
        with self._lock:
            self.day, self.counters, self.agent_time, self.digital, self.ivr = day, counters, agent_time, digital, ivr
            self._open.clear()
            self._open.update(open_states)
            self.seq = seq

    # ------------------------------------------------------------------ reads

    def counters_today(self) -> list[tuple[CounterKey, QueueCounters]]:
        """Today's base-interval counters per (interval, queue, channel), copied out under the lock."""
        with self._lock:
            out = []
            for k, c in self.counters.items():
                if k[0] >= self.day:
                    copy = QueueCounters()
                    copy.merge(c)
                    out.append((k, copy))
            return out

    def queues_today(self) -> dict[str, dict[str, Any]]:
        """Today's KPIs per queue, in one pass over the counters."""
        acc: dict[str, QueueCounters] = {}
        with self._lock:
            for (start, q, _), c in self.counters.items():
                if start >= self.day:
                    total = acc.get(q)
                    if total is None:
                        total = acc[q] = QueueCounters()
                    total.merge(c)
        return {q: queue_kpis(c) for q, c in acc.items()}

    def digital_today(self, now: float) -> dict[str, Any]:
        """Today's digital KPIs per queue, per channel and in total (open handling counted up to ``now``)."""
        with self._lock:
            self._roll(now)
            d = self.digital
            d.accrue_all(now)
            return {"day_start": self.day,
                    "queues": {q: digital_kpis(c) for q, c in sorted(d.by_queue.items()) if q},
                    "channels": {ch: digital_kpis(c) for ch, c in sorted(d.by_channel.items()) if ch},
                    "total": digital_kpis(d.total)}

    def ivr_today(self, now: float) -> dict[str, Any]:
        """Today's IVR figures (``analytics.ivr_stats``) per flow and dialled number, and in total."""
        with self._lock:
            self._roll(now)
            total = IvrCounters()
            rows = []
            for (flow, dialled), c in sorted(self.ivr.items()):
                total.merge(c)
                rows.append({"flow_id": flow, "dialled": dialled, **ivr_kpis(c)})
            return {"day_start": self.day, "flows": rows, "total": ivr_kpis(total)}

    def agent_today(self, agent_id: str, now: float) -> dict[str, Any]:
        with self._lock:
            base = self.agent_time.get(agent_id, AgentTime())
            t = AgentTime(dict(base.seconds), dict(base.aux_by_reason), base.handled)
            cur = self._open.get(agent_id)
            if cur is not None:
                t.add(cur[0], cur[1], now - max(cur[2], self.day))
        return agent_kpis(t)

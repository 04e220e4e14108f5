"""History replay: recorded calls -> actual queue KPIs, a replay scenario, and simulated-vs-actual per day.

Actual and simulated KPIs are computed the same way: queue events are folded by
``analytics.queue_stats`` into counters and read through ``queue_kpis`` (one definition per metric).
For the recorded calls the events are rebuilt from each offered call (queued at its queue entry,
connected or abandoned when its wait ended, wrap-up complete when its service ended); for the
simulation they are the events the real routing engine emitted.

The record time scale is local wall-clock seconds since 1970 (no time zone); the replay scenario
starts at the first day's midnight on that scale, so simulated events land on the same days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from blendcc.adapters.importers.bank1999 import CallRecord, Outcome
from blendcc.analytics import queue_stats as qs
from blendcc.domain import events as ev
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig

QUEUE_ID = "bank"
CHANNEL = Channel.VOICE.value
DAY_S = 86_400
KPI_KEYS = ("offered", "handled", "abandoned", "short_abandoned", "abandon_rate", "asa_s", "service_level",
            "aht_s", "avg_abandon_wait_s")


def default_queue() -> QueueConfig:
    """The replayed queue: blendcc's defaults (SL threshold of voice, 5 s short abandons), no wrap-up
    (the log records no after-call work) and no ring-no-answer (service starts when the wait ends)."""
    return QueueConfig(id=QUEUE_ID, name="Anonymous Bank 1999", wrap_up_s=0.0, offer_timeout_s=3600.0)


def thresholds_for(queue: QueueConfig) -> qs.Thresholds:
    sl = queue.sl_threshold(Channel.VOICE)
    short = queue.short_abandon_s
    return lambda _q, _ch: (sl, short)


def actual_events(records: Iterable[CallRecord], queue_id: str = QUEUE_ID) -> list[ev.Event]:
    """The queue events of the recorded offered calls, in time order."""
    out: list[ev.Event] = []
    for r in records:
        if not r.offered or r.queued_at is None:
            continue
        cid = r.contact_id
        q = r.queued_at
        left = q + r.wait_s
        out.append(ev.ContactQueued(at=q, contact_id=cid, queue_id=queue_id, channel=CHANNEL, step_index=0,
                                    priority=r.priority))
        if r.outcome is Outcome.ABANDONED:
            out.append(ev.ContactAbandoned(at=left, contact_id=cid, queue_id=queue_id, channel=CHANNEL,
                                           queued_at=q, wait_s=r.wait_s))
            continue
        agent = r.server or "unknown"
        out.append(ev.ContactConnected(at=left, contact_id=cid, agent_id=agent, queue_id=queue_id,
                                       channel=CHANNEL, queued_at=q, wait_s=r.wait_s))
        out.append(ev.WrapUpCompleted(at=left + r.service_s, contact_id=cid, agent_id=agent, queue_id=queue_id,
                                      channel=CHANNEL, queued_at=q, disposition=None, notes=None,
                                      talk_s=r.service_s, hold_s=0.0, acw_s=0.0))
    out.sort(key=lambda e: e.at)
    return out


def day_of(at: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(at // DAY_S))


def daily_counters(events: Iterable[ev.Event], thresholds: qs.Thresholds) -> dict[date, qs.QueueCounters]:
    """Queue counters per day (the day the call entered the queue), summed over queues and channels."""
    table = qs.fold(events, thresholds)
    out: dict[date, qs.QueueCounters] = {}
    for (start, _q, _ch), counters in qs.rollup(table, DAY_S).items():
        acc = out.setdefault(day_of(start), qs.QueueCounters())
        acc.merge(counters)
    return dict(sorted(out.items()))


def total(counters: Iterable[qs.QueueCounters]) -> qs.QueueCounters:
    acc = qs.QueueCounters()
    for c in counters:
        acc.merge(c)
    return acc


def kpis(counters: qs.QueueCounters) -> dict[str, Any]:
    k = qs.queue_kpis(counters)
    return {key: k[key] for key in KPI_KEYS}


@dataclass(frozen=True)
class DayComparison:
    """Actual and simulated KPIs of one day (``simulated`` is the mean over replications; ``spread``
    the half-width of its 95% confidence interval per KPI, None with one replication)."""

    day: date | None  # None: the month total
    actual: dict[str, Any]
    simulated: dict[str, Any]
    spread: dict[str, float | None]


def select_days(records: Sequence[CallRecord], days: Iterable[date] | None) -> list[CallRecord]:
    if days is None:
        return list(records)
    wanted = set(days)
    return [r for r in records if r.day in wanted]

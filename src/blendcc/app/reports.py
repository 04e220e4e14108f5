"""Historical reports: queue KPIs per interval and agent KPIs over a window, from the projections."""

from __future__ import annotations

from typing import Any

from blendcc.analytics.agent_stats import AgentTime, agent_kpis, time_split
from blendcc.analytics.queue_stats import BASE_INTERVAL_S, QueueCounters, queue_kpis, rollup
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import ReportReader

INTERVALS = {"15": 900, "30": 1800, "60": 3600, "day": 86400, "week": 604800}


class ReportService:
    def __init__(self, reader: ReportReader):
        self.reader = reader

    def queues(self, start: float, end: float, interval: str = "60", queue_id: str | None = None,
               channel: str | None = None, by_channel: bool = False) -> dict[str, Any]:
        """Queue KPIs per interval (intervals are UTC-aligned), filtered by queue and channel."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > 400 * 86400:
            raise ValidationFailed("a report covers at most 400 days")
        size = INTERVALS.get(interval)
        if size is None:
            raise ValidationFailed(f"interval must be one of {', '.join(INTERVALS)}")
        table = self.reader.queue_counters(start, end)
        rolled = rollup(table, size if size >= BASE_INTERVAL_S else BASE_INTERVAL_S, queue_id, channel)
        merged: dict[tuple[float, str, str], QueueCounters] = {}
        for (t, q, ch), c in rolled.items():
            key = (t, q, ch if by_channel else "*")
            acc = merged.setdefault(key, QueueCounters())
            acc.merge(c)
        total = QueueCounters()
        for c in merged.values():
            total.merge(c)
        rows = [{"interval_start": t, "queue_id": q, "channel": ch, **queue_kpis(c)}
                for (t, q, ch), c in sorted(merged.items())]
        return {"start": start, "end": end, "interval": interval, "filters": {"queue_id": queue_id,
                "channel": channel}, "rows": rows, "total": queue_kpis(total)}

    def agents(self, start: float, end: float, agent_id: str | None = None) -> dict[str, Any]:
        """Agent time split and KPIs (occupancy, utilization, availability, contacts/hour) over a window."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        split = time_split(self.reader.state_intervals(start, end), start, end)
        handled = self.reader.handled_by_agent(start, end)
        ids = sorted(set(split) | set(handled))
        rows = []
        for aid in ids:
            if agent_id is not None and aid != agent_id:
                continue
            t = split.get(aid) or AgentTime()
            t.handled = handled.get(aid, 0)
            rows.append({"agent_id": aid, **agent_kpis(t)})
        return {"start": start, "end": end, "filters": {"agent_id": agent_id}, "rows": rows}

"""Historical reports: queue KPIs per interval and agent KPIs over a window, from the projections."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from blendcc.analytics.agent_stats import AgentTime, agent_kpis, time_split
from blendcc.analytics.digital_stats import (
    DEFAULT_REOPEN_DAYS,
    FOLDED_TYPES,
    DigitalCounters,
    DigitalFold,
    OpenTime,
    digital_kpis,
    group,
)
from blendcc.analytics.ivr_stats import IVR_FOLDED_TYPES, IvrCounters, ivr_kpis
from blendcc.analytics.ivr_stats import fold as ivr_fold
from blendcc.analytics.queue_stats import QueueCounters, interval_start, queue_kpis
from blendcc.domain.errors import ValidationFailed
from blendcc.ports import Store

INTERVALS = {"15": 900, "30": 1800, "60": 3600, "day": 86400, "week": 604800}
#: The digital report's row dimensions.
GROUP_BY = {"queue": ("queue_id",), "channel": ("channel",), "queue_channel": ("queue_id", "channel"),
            "agent": ("agent_id",)}


def bucket_start(t: float, interval: str, tz: ZoneInfo) -> float:
    """Start of the report bucket holding ``t``: clock-aligned minutes, or local days / ISO weeks."""
    size = INTERVALS[interval]
    local = datetime.fromtimestamp(t, tz)
    if size < 86400:  # aligned to the local clock (matters for zones such as +05:30 or +05:45)
        offset = local.utcoffset()
        shift = offset.total_seconds() if offset is not None else 0.0
        return interval_start(t + shift, size) - shift
    day = local.date()
    if interval == "week":
        day -= timedelta(days=day.weekday())  # weeks start on Monday (ISO)
    return datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


class ReportService:
    def __init__(self, reader: Store, tz: str = "UTC", open_time: OpenTime | None = None):
        self.reader = reader
        self.tz = ZoneInfo(tz)
        self.open_time = open_time  # the queues' business hours (digital KPIs' business-hours variants)

    def _window(self, start: float, end: float, interval: str) -> None:
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > 400 * 86400:
            raise ValidationFailed("a report covers at most 400 days")
        if interval not in INTERVALS:
            raise ValidationFailed(f"interval must be one of {', '.join(INTERVALS)}")

    def digital(self, start: float, end: float, interval: str = "60", group_by: str = "queue",
                queue_id: str | None = None, channel: str | None = None, agent_id: str | None = None,
                reopen_days: float = DEFAULT_REOPEN_DAYS) -> dict[str, Any]:
        """Digital conversation KPIs (KPIS.md) per interval and per queue, channel or agent: the event log
        from ``reopen_days`` before ``start`` (so threads begun earlier keep their first message and a
        reopen finds its resolution) folded by ``DigitalFold``; measures that complete in the window count."""
        self._window(start, end, interval)
        if group_by not in GROUP_BY:
            raise ValidationFailed(f"group_by must be one of {', '.join(GROUP_BY)}")
        fold = DigitalFold(reopen_days, open_time=self.open_time)
        names = [t.__name__ for t in FOLDED_TYPES]
        fold.apply_all(s.event for s in self.reader.events_of_type(names, start - reopen_days * 86400, end))
        rows_by = group(fold.counters, GROUP_BY[group_by], start, end,
                        lambda t: bucket_start(t, interval, self.tz),
                        queue_id=queue_id, channel=channel, agent_id=agent_id)
        total = DigitalCounters()
        for c in rows_by.values():
            total.merge(c)
        rows = [{"interval_start": t, "queue_id": q, "channel": ch, "agent_id": a, **digital_kpis(c)}
                for (t, q, ch, a), c in sorted(rows_by.items())]
        return {"start": start, "end": end, "interval": interval, "group_by": group_by, "reopen_days": reopen_days,
                "filters": {"queue_id": queue_id, "channel": channel, "agent_id": agent_id},
                "rows": rows, "total": digital_kpis(total)}

    def ivr(self, start: float, end: float, interval: str = "60", flow_id: str | None = None,
            dialled: str | None = None, by_dialled: bool = True) -> dict[str, Any]:
        """IVR figures (``analytics.ivr_stats``) per interval, flow and dialled number, from the log: calls
        count in the interval in which they left the IVR (to a queue, abandoned or contained)."""
        self._window(start, end, interval)
        names = [t.__name__ for t in IVR_FOLDED_TYPES]
        table = ivr_fold((s.event for s in self.reader.events_of_type(names, start, end)),
                         lambda t: bucket_start(t, interval, self.tz))
        merged: dict[tuple[float, str, str], IvrCounters] = {}
        for (t, flow, number), c in table.items():
            if (flow_id is not None and flow != flow_id) or (dialled is not None and number != dialled):
                continue
            key = (t, flow, number if by_dialled else "*")
            merged.setdefault(key, IvrCounters()).merge(c)
        total = IvrCounters()
        for c in merged.values():
            total.merge(c)
        rows = [{"interval_start": t, "flow_id": f, "dialled": d, **ivr_kpis(c)}
                for (t, f, d), c in sorted(merged.items())]
        return {"start": start, "end": end, "interval": interval,
                "filters": {"flow_id": flow_id, "dialled": dialled}, "rows": rows, "total": ivr_kpis(total)}

    def queues(self, start: float, end: float, interval: str = "60", queue_id: str | None = None,
               channel: str | None = None, by_channel: bool = False) -> dict[str, Any]:
        """Queue KPIs per interval, filtered by queue and channel, on the centre's local clock (days
        from midnight, weeks from Monday). ``total`` sums the rows, i.e. queue visits: a contact that
        overflows or is transferred is offered in each queue it visits."""
        if end <= start:
            raise ValidationFailed("end must be after start")
        if end - start > 400 * 86400:
            raise ValidationFailed("a report covers at most 400 days")
        if interval not in INTERVALS:
            raise ValidationFailed(f"interval must be one of {', '.join(INTERVALS)}")
        table = self.reader.queue_counters(start, end)
        merged: dict[tuple[float, str, str], QueueCounters] = {}
        for (t, q, ch), c in table.items():
            if (queue_id is not None and q != queue_id) or (channel is not None and ch != channel):
                continue
            key = (bucket_start(t, interval, self.tz), q, ch if by_channel else "*")
            acc = merged.get(key)
            if acc is None:
                acc = merged[key] = QueueCounters()
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

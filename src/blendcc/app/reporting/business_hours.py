"""The queues' business hours for the digital KPIs' business-hours variants, read from the live catalog."""

from __future__ import annotations

from collections.abc import Callable

from blendcc.analytics.business_time import open_seconds
from blendcc.analytics.digital_stats import OpenTime
from blendcc.routing.catalog import Catalog


def queue_open_time(catalog: Callable[[], Catalog]) -> OpenTime:
    """``(queue_id, start, end) -> open seconds`` by the queue's calendar now (a queue without a calendar,
    or an unknown queue, is always open)."""
    def open_time(queue_id: str, start: float, end: float) -> float:
        cat = catalog()
        q = cat.queues.get(queue_id)
        cal = cat.calendars.get(q.calendar_id) if q is not None and q.calendar_id else None
        if cal is None:
            return max(0.0, end - start)
        return open_seconds(cal, start, end)
    return open_time

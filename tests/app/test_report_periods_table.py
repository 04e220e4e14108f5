"""A report's periods found by search among the computed ones equal the time-zone computation, across DST."""

from __future__ import annotations

import random

import pytest

from blendcc.app.reporting.report_query import Periods, ReportQuery

ZONES = ("UTC", "Europe/London", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Havana")


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("grain", ["day", "week", "month", "interval"])
def test_bucket_by_search_equals_the_zone_computation(tz: str, grain: str) -> None:
    span = ("2026-03-20", "2026-04-12") if grain == "interval" else ("2025-09-01", "2026-04-30")
    p = Periods(ReportQuery.model_validate({"grain": grain, "interval_minutes": 30, "by": "queue",
                                            "from": span[0], "to": span[1]}), tz)
    rng = random.Random(tz + grain)
    edges, ends = p.table()
    times = [rng.uniform(p.start - 86400, p.end + 86400) for _ in range(3000)]
    times += [x + d for x in edges + ends for d in (-1.0, -1e-6, 0.0, 1e-6, 1.0)]  # around every boundary
    for t in times:
        assert p.bucket(t) == p._bucket(t), (tz, grain, t)
    assert ends[:-1] == edges[1:]  # the periods tile the window

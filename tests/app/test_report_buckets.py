"""Report buckets follow the centre's local clock: hours at :00 local, days at midnight, weeks on Monday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from blendcc.app.reporting.reports import bucket_start

KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30
LONDON = ZoneInfo("Europe/London")


def at(tz: ZoneInfo, *parts: int) -> float:
    return datetime(*parts, tzinfo=tz).timestamp()  # type: ignore[misc]


def test_hours_and_half_hours_start_on_the_local_clock() -> None:
    t = at(KOLKATA, 2026, 3, 2, 10, 47)
    assert bucket_start(t, "60", KOLKATA) == at(KOLKATA, 2026, 3, 2, 10, 0)
    assert bucket_start(t, "30", KOLKATA) == at(KOLKATA, 2026, 3, 2, 10, 30)
    assert bucket_start(t, "15", KOLKATA) == at(KOLKATA, 2026, 3, 2, 10, 45)


def test_days_and_iso_weeks_in_local_time_across_dst() -> None:
    t = at(LONDON, 2026, 3, 29, 23, 30)  # Sunday, the day clocks go forward (a 23-hour day)
    assert bucket_start(t, "day", LONDON) == at(LONDON, 2026, 3, 29, 0, 0)
    assert bucket_start(t, "week", LONDON) == at(LONDON, 2026, 3, 23, 0, 0)  # the Monday before
    assert bucket_start(at(LONDON, 2026, 3, 30, 0, 5), "week", LONDON) == at(LONDON, 2026, 3, 30, 0, 0)

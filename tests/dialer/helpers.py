"""Shared builders for the dialer tests: a campaign, records and UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from blendcc.dialer.campaign import CampaignConfig
from blendcc.dialer.records import DialRecord


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=UTC).timestamp()


#: Tuesday 1 December 2026, 15:00 UTC = 10:00 New York, 07:00 Los Angeles, 15:00 London
NOON_NY = utc(2026, 12, 1, 15)


def campaign(**kw: Any) -> CampaignConfig:
    base: dict[str, Any] = {"id": "c1", "queue_id": "sales", "caller_id": "+14155550100"}
    base.update(kw)
    return CampaignConfig.model_validate(base)


def record(i: int = 1, **kw: Any) -> DialRecord:
    base: dict[str, Any] = {"campaign_id": "c1", "record_id": f"r{i}", "phone": f"+1212555{i:04d}",
                            "tz": "America/New_York"}
    base.update(kw)
    return DialRecord(**base)

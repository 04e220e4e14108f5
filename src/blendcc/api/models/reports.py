"""Response models of the historical report (POST /api/reports/run), its drill-down and saved definitions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.models.main import Interaction


class ReportColumn(BaseModel):
    key: str = Field(description="the KPI's name (KPIS.md)")
    kind: str = Field(description="count, ratio (0..1), seconds or number (a mean)")


class ReportRow(BaseModel):
    """One period x one value of the dimension; every KPI of the report's columns (None: no denominator)."""

    model_config = ConfigDict(extra="allow")

    period_start: float = Field(description="epoch seconds: the period's start on the centre's clock")
    period_end: float
    period: str = Field(description="the period in the centre's time zone: 2024-01-15 09:00, 2024-01-15 or 2024-01")
    key: str = Field(description="the dimension's value: queue, channel, agent, team or campaign id")
    name: str


class ReportResult(BaseModel):
    query: dict[str, Any] = Field(description="the query as run (grain, interval_minutes, by, from, to, filters)")
    timezone: str = Field(description="the centre's time zone: periods and dates are in it")
    start: float = Field(description="epoch seconds of local midnight of 'from'")
    end: float = Field(description="epoch seconds of local midnight after 'to'")
    columns: list[ReportColumn]
    rows: list[ReportRow]
    total: dict[str, Any] = Field(description="the KPIs over every row")


class DrillContacts(BaseModel):
    query: dict[str, Any]
    key: str
    kpi: str
    period: str
    period_start: float
    period_end: float
    timezone: str
    contacts: list[Interaction]
    truncated: bool = Field(description="more contacts than listed (at most 500)")


class SavedReport(BaseModel):
    id: str
    name: str
    query: dict[str, Any]
    version: int
    at: float
    by: str | None

"""Historical reports: run one (every KPI per period x dimension), export it, drill down, saved definitions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import ValidationError

from blendcc.api.deps import C, P, audit
from blendcc.api.models import common
from blendcc.api.models import reports as out
from blendcc.app.admin.configuration import pydantic_message
from blendcc.app.reporting.report_definitions import ID_PATTERN, KIND, ReportDefinition, ReportDefinitions
from blendcc.app.reporting.report_drill import Drill
from blendcc.app.reporting.report_export import to_csv, to_xlsx
from blendcc.app.reporting.report_query import ReportQuery
from blendcc.app.reporting.report_runner import ReportRunner
from blendcc.domain.errors import ValidationFailed

router = APIRouter(prefix="/api/reports", tags=["stats"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str | None, Query(max_length=64)]


def runner(c: C) -> ReportRunner:
    return ReportRunner(c.store, c.settings.timezone, c.config, c.campaigns, c.reports.open_time, c.clock.now,
                        c.schedules)


def definitions(c: C) -> ReportDefinitions:
    return ReportDefinitions(c.config.repo, c.clock)


def query_params(grain: Text = None, interval_minutes: Text = None, by: Text = None,
                 from_: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                 to: Annotated[str | None, Query(max_length=10)] = None, queue_id: Text = None,
                 channel: Text = None, agent_id: Text = None, team_id: Text = None,
                 campaign_id: Text = None, fcr_days: Text = None) -> ReportQuery:
    """The report's query from URL parameters (what an export link or a drill-down carries)."""
    raw: dict[str, Any] = {"grain": grain, "by": by, "from": from_, "to": to, "filters": {
        k: v for k, v in (("queue_id", queue_id), ("channel", channel), ("agent_id", agent_id),
                          ("team_id", team_id), ("campaign_id", campaign_id)) if v}}
    if fcr_days:
        raw["fcr_days"] = int(fcr_days) if fcr_days.isdigit() else fcr_days
    if interval_minutes:
        raw["interval_minutes"] = int(interval_minutes) if interval_minutes.isdigit() else interval_minutes
    try:
        return ReportQuery.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as exc:
        raise ValidationFailed(pydantic_message(exc)) from None


Q = Annotated[ReportQuery, Depends(query_params)]


@router.post("/run", response_model=out.ReportResult,
             summary="Run a report: every KPI (KPIS.md) per period x queue, channel, agent, team, campaign or "
                     "disposition")
def run(body: ReportQuery, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    result = runner(c).run(body)
    audit(c, p, "data_exported", "reports/run", query=body.public())
    return result


@router.get("/export", response_class=Response,
            responses=common.media("The report as CSV or XLSX", "text/csv", XLSX),
            summary="The same report as a CSV or XLSX file (query in the URL: grain, by, from, to, filters)")
def export(c: C, p: P, q: Q, format: Literal["csv", "xlsx"] = "csv") -> Response:
    p.require("supervisor")
    report = runner(c).run(q)
    audit(c, p, "data_exported", f"reports/export.{format}", query=q.public())
    name = f"report-{q.by}-{q.grain}-{q.from_}-{q.to}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "xlsx":
        return Response(to_xlsx(report), media_type=XLSX, headers=headers)
    return Response(to_csv(report), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/contacts", response_model=out.DrillContacts,
            summary="Drill down: the contacts behind one figure (the report's query, a row's key and "
                    "period_start, and the KPI)")
def contacts(c: C, p: P, q: Q, key: str = Query(min_length=1, max_length=64),
             period_start: float = Query(allow_inf_nan=False), kpi: str = Query(min_length=1, max_length=64),
             ) -> dict[str, Any]:
    p.require("supervisor")
    result = Drill(runner(c)).contacts(q, key, period_start, kpi)
    audit(c, p, "data_exported", "reports/contacts", key=key, kpi=kpi, period_start=period_start)
    return result


# ---------------------------------------------------------------------- saved definitions

DefId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]


@router.get("/definitions", response_model=list[out.SavedReport], summary="Saved report definitions")
def list_definitions(c: C, p: P) -> list[dict[str, Any]]:
    p.require("supervisor")
    return definitions(c).list()


@router.post("/definitions", response_model=out.SavedReport, status_code=201,
             summary="Save a report definition (a name and a query) under a new id")
def create_definition(body: ReportDefinition, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    saved = definitions(c).put(None, body, p.username)
    audit(c, p, "config_changed", f"{KIND}/{saved['id']}", name=body.name)
    return saved


@router.get("/definitions/{def_id}", response_model=out.SavedReport, summary="One saved report definition")
def get_definition(def_id: DefId, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return definitions(c).get(def_id)


@router.put("/definitions/{def_id}", response_model=out.SavedReport, summary="Replace a saved report definition")
def put_definition(def_id: DefId, body: ReportDefinition, c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    saved = definitions(c).put(def_id, body, p.username)
    audit(c, p, "config_changed", f"{KIND}/{def_id}", name=body.name)
    return saved


@router.delete("/definitions/{def_id}", response_model=common.Deleted, summary="Delete a saved report definition")
def delete_definition(def_id: DefId, c: C, p: P) -> dict[str, str]:
    p.require("supervisor")
    definitions(c).delete(def_id, p.username)
    audit(c, p, "config_deleted", f"{KIND}/{def_id}")
    return {"deleted": def_id}

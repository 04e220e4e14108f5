"""``blendcc report queues|agents``: historical KPIs per interval/day/week/month from a database, no server."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.table import Table

from blendcc.cli.base import app, fail, out, settings_or_exit

report_app = typer.Typer(no_args_is_help=True, help="Historical KPIs (KPIS.md) from the event store, in the "
                                                    "centre's time zone, as a table or CSV; no server needed.")
app.add_typer(report_app, name="report")

#: the columns a table shows unless --all-columns (CSV always has every column of the API's report)
QUEUE_COLUMNS = ("offered", "handled", "abandoned", "short_abandoned", "abandon_rate", "service_level", "asa_s",
                 "avg_abandon_wait_s", "aht_s")
AGENT_COLUMNS = ("handled", "aht_s", "logged_in_s", "available_s", "handling_s", "aux_s", "occupancy",
                 "utilization", "availability", "contacts_per_hour")
GRAINS = ("interval", "day", "week", "month")

From = Annotated[str, typer.Option("--from", help="first local date, YYYY-MM-DD (the centre's time zone)")]
To = Annotated[str | None, typer.Option("--to", help="last local date, included (default: --from)")]
Grain = Annotated[str, typer.Option(help="interval, day, week (from Monday) or month")]
Minutes = Annotated[int, typer.Option("--interval", help="interval length in minutes with --grain interval: "
                                                         "15, 30 or 60")]
Db = Annotated[str | None, typer.Option("--database-url", "--db",
                                        help="SQLAlchemy URL or a SQLite file's path (default: BLENDCC_DATABASE_URL)")]
Tz = Annotated[str | None, typer.Option("--tz", help="the centre's time zone (default: BLENDCC_TIMEZONE)")]
Fmt = Annotated[str, typer.Option("--format", help="table or csv")]
Out = Annotated[Path | None, typer.Option("--out", help="write to this file instead of the terminal")]
AllColumns = Annotated[bool, typer.Option("--all-columns", help="every KPI the report has (table format)")]


def _date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def _query(by: str, grain: str, minutes: int, from_: str, to: str | None, filters: dict[str, str | None]) -> Any:
    from pydantic import ValidationError

    from blendcc.app.admin.configuration import pydantic_message
    from blendcc.app.reporting.report_query import ReportQuery

    if grain not in GRAINS:
        raise fail(f"--grain must be one of {', '.join(GRAINS)}")
    if minutes not in (15, 30, 60):
        raise fail("--interval must be 15, 30 or 60 (minutes)")
    first = _date("--from", from_)
    last = _date("--to", to) if to is not None else first
    try:
        return ReportQuery.model_validate({"grain": grain, "interval_minutes": minutes, "by": by,
                                           "from": first, "to": last,
                                           "filters": {k: v for k, v in filters.items() if v is not None}})
    except ValidationError as exc:
        raise fail(pydantic_message(exc)) from None


def _runner(database_url: str | None, tz: str | None) -> Any:
    from blendcc.bootstrap.reports import open_reports
    from blendcc.domain.errors import ValidationFailed

    settings = settings_or_exit()
    zone = tz or settings.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"--tz: unknown time zone {zone!r}") from None
    try:
        return open_reports(database_url or settings.database_url, zone)
    except ValidationFailed as exc:
        raise fail(str(exc)) from None


def _known(runner: Any, kind: str, wanted: str | None, seen: set[str]) -> None:
    """Refuse a filter naming a queue, agent or team neither configured nor seen in the report's window."""
    if wanted is None:
        return
    known = set(runner.config.docs.get(kind, {})) | seen
    if wanted not in known:
        listed = ", ".join(sorted(known)[:20]) or "none"
        raise fail(f"unknown {kind[:-1]} {wanted!r} (configured or with history in the range: {listed})")


def _run(runner: Any, query: Any) -> dict[str, Any]:
    from blendcc.domain.errors import ValidationFailed

    try:
        return runner.run(query)  # type: ignore[no-any-return]
    except ValidationFailed as exc:
        raise fail(str(exc)) from None


def _cell(kind: str, v: Any) -> str:
    if v is None:
        return "-"
    if kind == "ratio":
        return f"{v * 100:.1f}%"
    if kind == "count":
        return f"{int(v)}"
    return f"{v:.1f}"


def emit(report: dict[str, Any], fmt: str, keys: tuple[str, ...] | None, path: Path | None) -> None:
    """Print or write ``report`` (the API's report result) as a rich table or the API export's CSV."""
    from rich.console import Console

    from blendcc.app.reporting.report_export import to_csv

    if fmt == "csv":
        text = to_csv(report)
    else:
        kinds = {c["key"]: c["kind"] for c in report["columns"]}
        shown = [k for k in (keys or kinds) if k in kinds]
        q = report["query"]
        grain = f"{q['interval_minutes']}-minute intervals" if q["grain"] == "interval" else q["grain"]
        table = Table(title=f"by {q['by']} per {grain}, {q['from']} to {q['to']} ({report['timezone']})")
        for name in ("period", q["by"], *shown):
            table.add_column(name, justify="left" if name in ("period", q["by"]) else "right", no_wrap=True)
        for r in report["rows"]:
            table.add_row(r["period"], str(r["name"]), *(_cell(kinds[k], r.get(k)) for k in shown))
        table.add_row("total", "", *(_cell(kinds[k], report["total"].get(k)) for k in shown), style="bold")
        if path is None:
            Console(width=max(out.width, 60 + 12 * len(shown)), highlight=False).print(table)
            return
        buf = io.StringIO()
        Console(file=buf, width=60 + 12 * len(shown), highlight=False).print(table)
        text = buf.getvalue()
    if path is None:
        out.file.write(text)
        return
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "csv"):
        raise fail("--format must be table or csv")


@report_app.command("queues")
def queues(
    from_: From, to: To = None, grain: Grain = "day", minutes: Minutes = 30,
    queue: Annotated[str | None, typer.Option("--queue", help="only this queue id")] = None,
    channel: Annotated[str | None, typer.Option(help="only this channel (voice, chat, email, ...)")] = None,
    by: Annotated[str, typer.Option(help="rows per queue or per channel")] = "queue",
    database_url: Db = None, tz: Tz = None, fmt: Fmt = "table", path: Out = None, all_columns: AllColumns = False,
) -> None:
    """Queue KPIs (offered, abandonment, service level, ASA, AHT, ...) per period and queue."""
    _check_format(fmt)
    if by not in ("queue", "channel"):
        raise fail("--by must be queue or channel")
    query = _query(by, grain, minutes, from_, to, {"queue_id": queue, "channel": channel})
    _valid(query)
    runner = _runner(database_url, tz)
    if queue is not None:
        p = runner.periods(query)
        _known(runner, "queues", queue, {q for (_t, q, _c) in runner.store.queue_counters(p.start, p.end)})
    emit(_run(runner, query), fmt, None if all_columns else QUEUE_COLUMNS, path)


@report_app.command("agents")
def agents(
    from_: From, to: To = None, grain: Grain = "day", minutes: Minutes = 30,
    agent: Annotated[str | None, typer.Option("--agent", help="only this agent id")] = None,
    team: Annotated[str | None, typer.Option("--team", help="only this team id")] = None,
    by: Annotated[str, typer.Option(help="rows per agent or per team")] = "agent",
    database_url: Db = None, tz: Tz = None, fmt: Fmt = "table", path: Out = None, all_columns: AllColumns = False,
) -> None:
    """Agent KPIs (handled, AHT, logged-in time, occupancy, utilization, ...) per period and agent."""
    _check_format(fmt)
    if by not in ("agent", "team"):
        raise fail("--by must be agent or team")
    query = _query(by, grain, minutes, from_, to, {"agent_id": agent, "team_id": team})
    _valid(query)
    runner = _runner(database_url, tz)
    if agent is not None:
        p = runner.periods(query)
        _known(runner, "agents", agent, {iv.agent_id for iv in runner.store.state_intervals(p.start, p.end)})
    if team is not None:
        _known(runner, "teams", team, set())
    emit(_run(runner, query), fmt, None if all_columns else AGENT_COLUMNS, path)


def _valid(query: Any) -> None:
    from blendcc.domain.errors import ValidationFailed

    try:
        query.check()
    except ValidationFailed as exc:
        raise fail(str(exc)) from None

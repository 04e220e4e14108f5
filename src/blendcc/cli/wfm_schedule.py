"""`blendcc schedule`: per-agent schedules from a staffing plan, shift templates and agents (CP-SAT)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from blendcc.app.admin.configuration import pydantic_message
from blendcc.cli.base import app, err, fail, out
from blendcc.domain.csv_safe import safe_row
from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.published import schedule_days
from blendcc.wfm.schedule import ScheduleResult, plan_coverage, solve
from blendcc.wfm.shifts import Roster, SolveOptions
from blendcc.wfm.timegrid import Grid, grid_from_rows

SCHEDULE_COLUMNS = ("agent_id", "team_id", "date", "template_id", "shift_start", "shift_end", "activity", "start",
                    "end")


def _load_yaml(path: Path, key: str) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise fail(f"{path}: not valid YAML ({exc})") from None
    if isinstance(data, dict) and key in data:
        data = data[key]
    if not isinstance(data, list):
        raise fail(f"{path}: expected a list of {key} (or a mapping with a '{key}' list)")
    return data


def _read_plan(path: Path, column: str) -> list[tuple[str, float]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields = reader.fieldnames or []
            if "interval_start" not in fields or column not in fields:
                raise fail(f"{path}: need columns interval_start and {column} (found: {', '.join(fields) or 'none'})")
            rows = []
            for n, row in enumerate(reader, start=2):
                try:
                    value = float(row[column])
                except (TypeError, ValueError):
                    raise fail(f"{path} line {n}: {column} {row[column]!r} is not a number") from None
                rows.append((row["interval_start"], value))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise fail(f"{path}: not a UTF-8 text file") from None
    return rows


def _write_schedule(path: Path, result: ScheduleResult) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SCHEDULE_COLUMNS)
        for s in result.shifts:
            for seg in s.segments():
                w.writerow(safe_row([s.agent_id, s.team_id or "", s.date.isoformat(), s.template_id,
                                     s.start.isoformat(), s.end.isoformat(), seg.activity, seg.start.isoformat(),
                                     seg.end.isoformat()]))


def _write_coverage(path: Path, result: ScheduleResult, grid: Grid) -> None:
    """At the plan's interval (what ``blendcc staff --scheduled`` joins on)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("interval_start", "required", "scheduled", "under", "over"))
        for r in plan_coverage(result.coverage, grid):
            w.writerow([r.interval_start.isoformat(), f"{r.required:g}", f"{r.scheduled:g}", f"{r.under:g}",
                        f"{r.over:g}"])


def _chart(path: Path, result: ScheduleResult, grid: Grid) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = plan_coverage(result.coverage, grid)
    times: Any = [r.interval_start for r in rows]
    fig, ax = plt.subplots(figsize=(max(8.0, min(30.0, len(rows) / 12)), 4.0))
    ax.step(times, [r.required for r in rows], where="post", label="required", color="#1f77b4")
    ax.step(times, [r.scheduled for r in rows], where="post", label="scheduled (working, mean)", color="#2ca02c")
    ax.set_ylabel("agents")
    ax.set_title(f"Schedule coverage ({grid.plan_min or grid.step_min}-minute intervals): {result.status}, "
                 f"gap {result.gap:.1%}")
    ax.legend(loc="upper right")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


@app.command()
def schedule(
    required: Annotated[Path, typer.Argument(help="staffing plan CSV: interval_start and a required column")],
    templates: Annotated[Path, typer.Option(help="YAML: shift templates (list, or mapping with 'templates')")],
    agents: Annotated[Path, typer.Option(help="YAML: agents with availability and contract hours")],
    out_path: Annotated[Path, typer.Option("--out", help="schedule CSV: one row per shift segment")],
    coverage: Annotated[Path | None, typer.Option(help="coverage CSV: interval_start, required, scheduled")] = None,
    chart: Annotated[Path | None, typer.Option(help="PNG chart of required vs scheduled")] = None,
    documents: Annotated[Path | None, typer.Option(help="JSON of schedule documents for PUT /api/wfm/schedules")]
    = None,
    column: Annotated[str, typer.Option(help="plan column to cover (e.g. 'fte' to cover shrinkage too)")]
    = "required",
    tz: Annotated[str, typer.Option(help="centre time zone (naive times are local to it)")] = "UTC",
    interval: Annotated[int | None, typer.Option(help="grid minutes (default: the plan's, split as the "
                                                         "templates need, e.g. 15 for 15-minute breaks)")] = None,
    time_limit: Annotated[float, typer.Option(help="CP-SAT time limit, seconds")] = 20.0,
    under_weight: Annotated[int, typer.Option(help="cost of one agent-interval short")] = 3,
    over_weight: Annotated[int, typer.Option(help="cost of one agent-interval over")] = 1,
) -> None:
    """Build per-agent schedules (shift, breaks, lunch per day) that minimise weighted under/over-staffing."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown time zone {tz!r}") from None
    rows = _read_plan(required, column)
    try:
        roster = Roster.model_validate({"templates": _load_yaml(templates, "templates"),
                                        "agents": _load_yaml(agents, "agents")})
        opts = SolveOptions(time_limit_s=time_limit, under_weight=under_weight, over_weight=over_weight)
    except ValidationError as exc:
        raise fail(pydantic_message(exc)) from None
    try:
        grid = grid_from_rows(rows, tz=zone, interval_min=interval, align_min=roster.minutes_gcd())
        err.print(f"solving: {len(roster.agents)} agents, {len(grid.days)} days, {grid.slots} intervals "
                  f"of {grid.step_min} min, time limit {time_limit:g} s")
        result = solve(roster, grid, opts)
    except ValidationFailed as exc:
        raise fail(exc.message) from None
    _write_schedule(out_path, result)
    if coverage is not None:
        _write_coverage(coverage, result, grid)
    if documents is not None:
        off = [(a.id, a.team_id, d) for a in roster.agents for d in grid.days]
        docs = [d.model_dump(mode="json") for d in schedule_days(result.shifts, off)]
        documents.write_text(json.dumps({"schedules": docs}, indent=1), encoding="utf-8")
    if chart is not None:
        _chart(chart, result, grid)
    s = result.summary()
    table = Table(title="schedule")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in ("status", "objective", "best_bound", "gap", "wall_time_s", "shifts", "under_agent_hours",
                "over_agent_hours"):
        v = s[key]
        table.add_row(key, f"{v:.4g}" if isinstance(v, float) else str(v))
    out.print(table)
    out.print(f"wrote {out_path}" + (f", {coverage}" if coverage else "") + (f", {chart}" if chart else "")
              + (f", {documents}" if documents else ""))

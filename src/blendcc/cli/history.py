"""History commands: ``blendcc replay bank1999`` (simulated vs actual per day) and ``blendcc import bank1999``."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from blendcc.cli.base import app, err, fail, out
from blendcc.domain.csv_safe import safe_row

replay_app = typer.Typer(no_args_is_help=True, help="Replay recorded history in the simulator.")
app.add_typer(replay_app, name="replay")

PathArg = Annotated[Path | None, typer.Argument(help="a month's call log in the Anonymous Bank 1999 format (any "
                                                     "month; default: ../shared/data/anonymous_bank_1999/january.txt "
                                                     "beside the repository)")]


def _path(path: Path | None) -> Path:
    from blendcc.adapters.importers.bank1999 import default_path

    if path is None:
        found = default_path()
        if found is None:
            raise fail("no call log given and ../shared/data/anonymous_bank_1999/january.txt was not found "
                       "beside the repository; pass the file's path")
        return found
    if not path.is_file():
        raise fail(f"call log {path} does not exist or is not a file")
    return path


def parse_days(text: str | None, available: list[date]) -> list[date] | None:
    """``3,4,10-14`` (days of the log's month) or ISO dates; None: all days."""
    if text is None or not text.strip():
        return None
    if not available:
        raise fail("the log holds no calls")
    year, month = available[0].year, available[0].month
    chosen: set[date] = set()
    for raw in text.split(","):
        part = raw.strip()
        try:
            if len(part) == 10:
                chosen.add(date.fromisoformat(part))
            elif "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                chosen.update(date(year, month, d) for d in range(lo, hi + 1))
            else:
                chosen.add(date(year, month, int(part)))
        except ValueError:
            raise fail(f"--days: {part!r} is not a day number, a range like 3-7 or an ISO date") from None
    missing = sorted(d for d in chosen if d not in set(available))
    if missing:
        raise fail(f"--days: the log has no calls on {', '.join(map(str, missing))}")
    return sorted(chosen)


def _num(x: Any, scale: float) -> str:
    return "-" if x is None else f"{x * scale:.1f}"


def _ci(x: Any, half: Any, scale: float) -> str:
    """Mean and 95% CI half-width, scaled (100 for rates shown in percent)."""
    if x is None:
        return "-"
    return _num(x, scale) if half is None else f"{x * scale:.1f}±{half * scale:.1f}"


def _runs(head_starts: dict[date, float]) -> list[str]:
    """Consecutive days with the same head start as ``01-01..01-10 0 s``."""
    out: list[tuple[date, date, float]] = []
    for day, h in sorted(head_starts.items()):
        if out and out[-1][2] == h:
            out[-1] = (out[-1][0], day, h)
        else:
            out.append((day, day, h))
    return [f"{a:%m-%d}{'' if a == b else f'..{b:%m-%d}'} {h:g} s" for a, b, h in out]


@replay_app.command("bank1999")
def replay_bank1999(
    path: PathArg = None,
    replications: Annotated[int, typer.Option(min=1, max=100, help="simulation runs (different patience draws)")] = 5,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    days: Annotated[str | None, typer.Option(help="only these days: 3,4,10-14 or ISO dates")] = None,
    staffing: Annotated[str, typer.Option(help="presence, distinct or busy (head counts per 30 min), or sessions "
                                               "(named agents on their inferred presence)")] = "presence",
    no_wrap_up: Annotated[bool, typer.Option("--no-wrap-up", help="agents free at once after each call")] = False,
    skills: Annotated[bool, typer.Option("--skills", help="with --staffing sessions: route each call type only to "
                                                        "the agents who served it regularly")] = False,
    no_breaks: Annotated[bool, typer.Option("--no-breaks", help="no breaks learnt from the log: agents are away "
                                                                "between calls only for after-call work")] = False,
    no_day_types: Annotated[bool, typer.Option("--no-day-types", help="one patience curve and session gap for "
                                                                      "every day (not per day type)")] = False,
    interval: Annotated[int, typer.Option("--interval", min=1, max=60, help="staffing interval of presence, "
                                                                            "minutes")] = 5,
    head_start: Annotated[float | None, typer.Option("--head-start", min=0, max=600, help="priority-2 head start "
                                                     "in queue, seconds, on every day (default: learnt per day "
                                                     "from who the log answered first)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help="processes (default: one per core)")] = None,
    csv_out: Annotated[Path | None, typer.Option("--out", help="write the table as CSV here")] = None,
) -> None:
    """Replay a month of the Anonymous Bank 1999 call log (any month in its format); print simulated vs actual
    abandonment, ASA and SL per day."""
    from blendcc.adapters.importers.bank1999 import read_bank1999
    from blendcc.domain.errors import ValidationFailed
    from blendcc.sim.history import REPLAY_STAFFING, ReplayOptions, replay

    if staffing not in REPLAY_STAFFING:
        raise fail(f"--staffing must be one of {', '.join(REPLAY_STAFFING)}")
    if skills and staffing != "sessions":
        raise fail("--skills needs named agents: add --staffing sessions")
    log = _path(path)
    result = read_bank1999(log)
    for problem in result.problems[:10]:
        err.print(f"[yellow]skipped line {problem.line_no}:[/yellow] {problem.reason}")
    if len(result.problems) > 10:
        err.print(f"[yellow]... and {len(result.problems) - 10} more skipped lines[/yellow]")
    if not result.offered():
        raise fail(f"{log}: no call entered the queue (nothing to replay)")
    chosen = parse_days(days, result.days())
    options = ReplayOptions(staffing=staffing, wrap_up=not no_wrap_up, skills=skills, breaks=not no_breaks,
                            by_day_type=not no_day_types, interval_s=interval * 60.0, head_start_s=head_start)
    try:
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("replaying", total=replications)
            report = replay(result.records, days=chosen, replications=replications, seed=seed, options=options,
                            progress=lambda n: bar.update(task, completed=n), workers=workers)
    except ValidationFailed as exc:
        raise fail(str(exc)) from None
    table = Table(title=f"Anonymous Bank 1999 ({log.name}): actual vs simulated per day")
    for name in ("day", "offered", "agent h", "aband% act", "aband% sim", "ASA act", "ASA sim", "SL% act",
                 "SL% sim"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = [*report.days, report.month]
    for row in rows:
        a, s, h = row.actual, row.simulated, row.spread
        agents = (report.agents_per_day.get(row.day) if row.day is not None
                  else sum(report.agents_per_day.get(d.day, 0.0) for d in report.days if d.day is not None))
        table.add_row(row.day.strftime("%a %m-%d") if row.day else "total", str(a["offered"]), _num(agents, 1),
                      _num(a["abandon_rate"], 100), _ci(s["abandon_rate"], h["abandon_rate"], 100),
                      _num(a["asa_s"], 1), _ci(s["asa_s"], h["asa_s"], 1),
                      _num(a["service_level"], 100), _ci(s["service_level"], h["service_level"], 100),
                      end_section=row.day is not None and row is rows[-2])
    wide = Console(width=max(out.width, 110), highlight=False) if out.width < 110 else out
    wide.print(table)
    km = report.patience
    out.print(f"SL threshold T = {report.sl_threshold_s:g} s (blendcc's voice default; the bank's own is unknown); "
              f"short abandons (< {report.short_abandon_s:g} s) are excluded from the rates; "
              f"{replications} replication(s), seed {seed}, staffing {staffing}"
              f"{'' if staffing != 'presence' else f' per {interval} min'}, breaks {'off' if no_breaks else 'on'}, "
              f"patience and session gap {'for the month' if no_day_types else 'per day type'}; "
              "± = 95% CI half-width over replications; agent h = agent-hours present (inferred)", soft_wrap=True)
    out.print(f"patience (Kaplan-Meier over {km.n} offered calls, {km.n_events} abandoned): median "
              f"{_num(km.median(), 1)} s, mean restricted to {km.max_time:g} s: {km.restricted_mean():.1f} s",
              soft_wrap=True)
    if report.head_starts is not None:
        spans = _runs(report.head_starts)
        out.print("priority-2 head start learnt from the log's answer order: " + ", ".join(spans), soft_wrap=True)
    else:
        out.print(f"priority-2 head start: {head_start:g} s on every day")
    if csv_out is not None:
        write_csv(csv_out, rows, report.agents_per_day)
        out.print(f"wrote {csv_out}")


#: CSV columns per figure, each as ``<name>_actual``, ``<name>_sim``, ``<name>_sim_ci95``: (column name, KPI key,
#: recorded in the log). Talk time and handle time are separate: the log records talk (service) time only, so
#: the actual after-call work and handle time are blank, while the simulated handle time includes the
#: after-call work inferred by calibration.
CSV_FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("offered", "offered", True), ("handled", "handled", True), ("abandoned", "abandoned", True),
    ("short_abandoned", "short_abandoned", True), ("abandon_rate", "abandon_rate", True),
    ("asa_s", "asa_s", True), ("service_level", "service_level", True),
    ("talk_s", "avg_talk_s", True), ("acw_s", "avg_acw_s", False), ("handle_s", "aht_s", False))


def write_csv(path: Path, rows: list[Any], agents: dict[date, float]) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(safe_row(["day", "agent_hours",
                                 *(f"{name}_{side}" for name, _k, _r in CSV_FIGURES
                                   for side in ("actual", "sim", "sim_ci95"))]))
            for row in rows:
                cells: list[Any] = [row.day.isoformat() if row.day else "total",
                                    "" if row.day is None else f"{agents.get(row.day, 0.0):.2f}"]
                for _name, key, recorded in CSV_FIGURES:
                    cells += [row.actual.get(key) if recorded else None, row.simulated.get(key), row.spread.get(key)]
                w.writerow(safe_row("" if c is None else c for c in cells))
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


import_app = typer.Typer(no_args_is_help=True, help="Import recorded history into the event store.")
app.add_typer(import_app, name="import")


@import_app.command("bank1999")
def import_bank1999(
    path: PathArg = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    tz: Annotated[str, typer.Option(help="time zone of the log's clock times")] = "Asia/Jerusalem",
    days: Annotated[str | None, typer.Option(help="only these days: 3,4,10-14 or ISO dates")] = None,
) -> None:
    """Write the log's calls into the event store as contact events; days already imported are skipped."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from blendcc.adapters.importers.bank1999 import Outcome, day_events, read_bank1999
    from blendcc.adapters.storage.engine import make_engine
    from blendcc.adapters.storage.migrate import migrate as run_migrations
    from blendcc.adapters.storage.sql_store import SqlStore
    from blendcc.cli.base import settings_or_exit

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"--tz: unknown time zone {tz!r}") from None
    log = _path(path)
    result = read_bank1999(log)
    for problem in result.problems[:10]:
        err.print(f"[yellow]skipped line {problem.line_no}:[/yellow] {problem.reason}")
    chosen = parse_days(days, result.days()) or result.days()
    settings = settings_or_exit(database_url=database_url)
    try:
        run_migrations(settings.database_url)
        store = SqlStore(make_engine(settings.database_url))
    except Exception as exc:
        raise fail(f"cannot open the database: {exc}") from None
    by_day: dict[date, list[Any]] = {}
    for r in result.records:
        if r.outcome is not Outcome.PHANTOM:
            by_day.setdefault(r.day, []).append(r)
    imported = skipped = events = 0
    for day in chosen:
        calls = by_day.get(day, [])
        if not calls:
            continue
        if store.contact_events(calls[0].contact_id):
            skipped += 1
            continue
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        offset = (noon.utcoffset() or timedelta(0)).total_seconds()
        batch = day_events(calls, offset)
        try:
            store.append(batch)
        except ValueError as exc:
            raise fail(f"{day}: {exc}") from None
        imported += 1
        events += len(batch)
    out.print(f"imported {imported} day(s), {events} events from {log} (queue 'bank', voice, times in {tz}); "
              f"{skipped} day(s) already in the store were skipped", soft_wrap=True)

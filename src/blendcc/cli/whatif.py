"""``blendcc whatif``: a surge (volume and handle time up for some days) on a call log or a scenario: per interval
SL, ASA, abandonment and occupancy before and after, and the extra agents needed (Erlang, then simulation)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from blendcc.cli.base import app, err, fail, out
from blendcc.domain.errors import ValidationFailed

if TYPE_CHECKING:
    from blendcc.sim.report import Estimate
    from blendcc.sim.scenario import Scenario
    from blendcc.sim.whatif import Surge

_CHANGE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$")


def parse_change(text: str, option: str) -> float:
    """``40%``, ``+40%``, ``-20%`` or ``40`` (a change in percent) -> the factor (1.4, 1.4, 0.8, 1.4)."""
    m = _CHANGE.match(text)
    if m is None:
        raise fail(f"{option}: {text!r} is not a change in percent such as 40% or -10%")
    factor = 1.0 + float(m.group(1)) / 100.0
    if not 0.0 < factor <= 10.0:
        raise fail(f"{option}: {text} gives a factor of {factor:g}; it must be above -100% and at most +900%")
    return factor


def parse_agents(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        counts = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise fail(f"--agents: {text!r} is not a comma-separated list of whole numbers") from None
    if not counts or any(n < 0 or n > 2000 for n in counts):
        raise fail("--agents: give one or more counts between 0 and 2000")
    return counts


def _history(path: Path, first: str | None, days: int, interval_s: int, seed: int,
             volume: float, aht: float) -> tuple[Callable[[int], Scenario], Surge, str]:
    from blendcc.adapters.importers.bank1999 import read_bank1999
    from blendcc.sim.whatif_history import history_baseline, whole_days

    result = read_bank1999(path)
    if result.problems:
        err.print(f"[yellow]{len(result.problems)} line(s) skipped[/yellow] (first: line "
                  f"{result.problems[0].line_no}: {result.problems[0].reason})")
    available = sorted({r.day for r in result.records if r.offered})
    if not available:
        raise fail(f"{path}: no call entered the queue (nothing to replay)")
    day = _date(first) if first else available[0]
    return history_baseline(result.records, day, days, interval_s, seed), whole_days(days, volume, aht), path.name


def _scenario(path: Path, first: str | None, days: int, interval_s: int, volume: float,
              aht: float) -> tuple[Callable[[int], Scenario], Surge, str]:
    from blendcc.sim.scenario import load_scenario

    sc = load_scenario(path).model_copy(update={"report_interval_s": interval_s})
    return _from_scenario(sc, first, days, volume, aht)


def _from_scenario(sc: Scenario, first: str | None, days: int, volume: float,
                   aht: float) -> tuple[Callable[[int], Scenario], Surge, str]:
    from blendcc.sim.whatif import Surge

    day = _date(first) if first else sc.start.date()
    start = datetime(day.year, day.month, day.day, tzinfo=sc.start.tzinfo or UTC)
    start_s = (start - sc.start).total_seconds()
    if start_s < 0:
        raise fail(f"--from {day} is before the scenario starts ({sc.start.isoformat()})")
    return (lambda _i: sc), Surge(start_s=start_s, end_s=start_s + days * 86_400.0, volume=volume, aht=aht), sc.name


def _forecast(path: Path, first: str | None, days: int, interval_s: int, volume: float, aht: float,
              counts: list[int] | None, patience: float | None) -> tuple[Callable[[int], Scenario], Surge, str]:
    import csv

    from blendcc.sim.whatif_forecast import forecast_scenario

    if counts is None:
        raise fail("a forecast needs --agents: the published agents per interval (or one count for all)")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise fail(f"cannot read forecast {path}: {exc}") from None
    series = {(r.get("queue") or "", r.get("channel") or "") for r in rows}
    if len(series) > 1:
        raise fail(f"{path.name} holds {len(series)} queue/channel series; keep the rows of one")
    sc = forecast_scenario(rows, interval_s, max(counts), patience)
    return _from_scenario(sc, first, days, volume, aht)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"--from: {text!r} is not an ISO date such as 1999-01-04") from None


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


@app.command()
def whatif(
    log: Annotated[Path | None, typer.Argument(help="a call log in the Anonymous Bank 1999 format (default: "
                                                   "../shared/data/anonymous_bank_1999/january.txt beside the "
                                                   "repository); or give --scenario")] = None,
    scenario: Annotated[Path | None, typer.Option(help="a scenario YAML (one queue, one agent group) as the "
                                                       "baseline instead of a call log")] = None,
    forecast: Annotated[Path | None, typer.Option(help="a forecast CSV (what 'blendcc forecast' writes: "
                                                       "interval_start, volume, aht_s; one queue and channel) as the "
                                                       "baseline, with --agents")] = None,
    patience: Annotated[float | None, typer.Option(help="with --forecast: callers' mean patience in seconds "
                                                        "(exponential; default: they never hang up)")] = None,
    surge: Annotated[str, typer.Option(help="volume change, e.g. 40% (or -20%)")] = "40%",
    aht: Annotated[str, typer.Option(help="handle-time change (talk and after-call work), e.g. +10%")] = "0%",
    first: Annotated[str | None, typer.Option("--from", help="first surge day (ISO date; default: the log's "
                                                             "first day or the scenario's start)")] = None,
    days: Annotated[int, typer.Option(min=1, max=31, help="surge days")] = 3,
    sl_target: Annotated[float, typer.Option(help="service-level target, e.g. 0.8")] = 0.8,
    sl_threshold: Annotated[float | None, typer.Option(help="SL threshold T in seconds (default: the queue's, "
                                                            "20 s for voice)")] = None,
    interval: Annotated[int, typer.Option(help="report and staffing interval, minutes (15, 30, 45, 60)")] = 60,
    agents: Annotated[str | None, typer.Option(help="published agents per interval, comma-separated (default: "
                                                    "the log's inferred presence or the scenario's staffing)")] = None,
    replications: Annotated[int, typer.Option(min=1, max=100, help="replications")] = 5,
    seed: Annotated[int, typer.Option(help="seed: same seed, same report")] = 1,
    window: Annotated[int, typer.Option(min=30, max=1440, help="steady-state window per interval of the "
                                                               "agents search, minutes")] = 120,
    out_path: Annotated[Path | None, typer.Option("--out", help="write the report: .html (chart and table) "
                                                                "or .json")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="write the per-interval table as CSV")] = None,
    playbook: Annotated[list[str] | None, typer.Option("--playbook", help="a crisis playbook to run in the surge "
                                                       "(repeatable): a YAML/JSON file or a stored playbook's "
                                                       "id; adds the surge with the playbook's actions")] = None,
    playbook_tick: Annotated[float, typer.Option(min=1, max=300, help="evaluate the playbooks every this many "
                                                 "simulated seconds (live: every second)")] = 1.0,
    database_url: Annotated[str | None, typer.Option("--database-url", help="where stored playbooks are read "
                                                     "(default: BLENDCC_DATABASE_URL)")] = None,
) -> None:
    """Surge what-if: SL, ASA, abandonment and occupancy per interval with and without the surge on the
    published staffing, and the extra agents needed to hold the SL target (Erlang, confirmed by simulation)."""
    from blendcc.sim.whatif_chart import csv_text, html_page
    from blendcc.sim.whatif_report import WhatIfOptions, run_whatif
    from blendcc.sim.whatif_staffing import StaffingOptions

    if out_path is not None and out_path.suffix.lower() not in (".html", ".json"):
        raise fail("--out must end in .html or .json")
    if interval not in (15, 30, 45, 60):
        raise fail("--interval must be 15, 30, 45 or 60 minutes")
    if sum(x is not None for x in (log, scenario, forecast)) > 1:
        raise fail("give one baseline: a call log, --scenario or --forecast")
    volume, handle = parse_change(surge, "--surge"), parse_change(aht, "--aht")
    counts = parse_agents(agents)
    from blendcc.cli.whatif_playbooks import load_playbooks
    from blendcc.sim.whatif_playbook import PlaybookOptions

    books = PlaybookOptions(tuple(load_playbooks(playbook, database_url)), playbook_tick)
    try:
        if forecast is not None:
            baseline, window_surge, name = _forecast(forecast, first, days, interval * 60, volume, handle, counts,
                                                     patience)
        elif scenario is not None:
            baseline, window_surge, name = _scenario(scenario, first, days, interval * 60, volume, handle)
        else:
            from blendcc.cli.history import _path

            baseline, window_surge, name = _history(_path(log), first, days, interval * 60, seed, volume, handle)
        options = WhatIfOptions(sl_target=sl_target, sl_threshold_s=sl_threshold,
                                staffing=StaffingOptions(replications=replications, seed=seed,
                                                         window_s=window * 60.0, warmup_s=window * 15.0),
                                playbooks=books)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("simulating", total=None)
            report = run_whatif(baseline, window_surge, options, counts,
                                progress=lambda stage, done, total: bar.update(task, description=stage,
                                                                               completed=done, total=total))
    except ValidationFailed as exc:
        raise fail(str(exc)) from None
    table = Table(title=f"{name}: volume x{volume:g}, handle time x{handle:g}, SL target {sl_target:.0%} "
                        f"in {report.sl_threshold_s:g} s (means over {replications} replications)")
    for col in ("interval", "agents", "offered", "SL base", "SL surge", "ASA surge", "aband. surge",
                "occ. surge", "Erlang", "simulated", "extra", "SL staffed",
                *(("SL playbook", "aband. playbook", "turned away") if books.playbooks else ())):
        table.add_column(col, justify="right", no_wrap=True)
    for r in report.rows:
        if not r.in_surge or (r.need is None and r.published == 0):
            continue
        n = r.need

        def m(side: dict[str, Estimate], key: str) -> float | None:
            est = side.get(key)
            return None if est is None else est.mean

        offered = m(r.surge, "offered")
        asa = m(r.surge, "asa_s")
        table.add_row(r.start.strftime("%a %m-%d %H:%M"), str(r.published),
                      "-" if offered is None else f"{offered:.0f}", _pct(m(r.baseline, "service_level")),
                      _pct(m(r.surge, "service_level")), "-" if asa is None else f"{asa:.0f}",
                      _pct(m(r.surge, "abandon_rate")), _pct(m(r.surge, "occupancy")),
                      "-" if n is None else str(n.erlang),
                      "-" if n is None else (str(n.simulated) if n.simulated is not None else "> bound"),
                      "-" if r.simulated_extra is None else f"+{r.simulated_extra}",
                      _pct(m(r.staffed, "service_level")),
                      *((_pct(m(r.playbook, "service_level")), _pct(m(r.playbook, "abandon_rate")),
                         f"{m(r.playbook, 'turned_away') or 0:.0f}") if books.playbooks else ()))
    (Console(width=max(out.width, 150), highlight=False) if out.width < 150 else out).print(table)
    total = report.to_dict()["total"]
    sl = [t.get("service_level") for t in (report.baseline_total, report.surge_total, report.staffed_total)]
    out.print(f"whole period: SL {_pct(sl[0].mean if sl[0] else None)} -> {_pct(sl[1].mean if sl[1] else None)} "
              f"with the surge, {_pct(sl[2].mean if sl[2] else None)} with the agents needed (SL staffed)"
              f"; extra agent-hours to hold the target: {total['extra_agent_hours_simulated']:g} simulated, "
              f"{total['extra_agent_hours_erlang']:g} Erlang", soft_wrap=True)
    if books.playbooks:
        d = report.to_dict()
        pt = d["surge_playbook_total"]
        out.print(f"with the playbook's actions ({', '.join(d['playbooks'])}): SL "
                  f"{_pct((pt.get('service_level') or {}).get('mean'))}, abandon rate "
                  f"{_pct((pt.get('abandon_rate') or {}).get('mean'))} (surge without: "
                  f"{_pct((d['total']['surge'].get('abandon_rate') or {}).get('mean'))}), "
                  f"{(pt.get('turned_away') or {}).get('mean', 0):.0f} callers turned away; crises started per "
                  f"replication: {', '.join(str(n) for n in d['crises_started'])}", soft_wrap=True)
    try:
        if out_path is not None:
            if out_path.suffix.lower() == ".html":
                out_path.write_bytes(html_page(report))
            else:
                out_path.write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
            out.print(f"report written to {out_path}")
        if csv_path is not None:
            csv_path.write_text(csv_text(report), encoding="utf-8")
            out.print(f"table written to {csv_path}")
    except OSError as exc:
        raise fail(f"cannot write the report: {exc.strerror or exc}") from None

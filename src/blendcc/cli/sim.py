"""``blendcc simulate SCENARIO.yaml``: run a scenario's replications and print/write the KPI report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from blendcc.cli.base import app, fail, out
from blendcc.domain.errors import ValidationFailed


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric in ("abandon_rate", "service_level", "p_wait", "occupancy", "utilization", "availability"):
        return f"{value * 100:.1f}%"
    if metric in ("offered", "handled"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML (see docs/simulator.md)")],
    replications: Annotated[int, typer.Option(min=1, max=10_000, help="independent replications")] = 10,
    seed: Annotated[int, typer.Option(help="seed: same seed, same report")] = 1,
    workers: Annotated[int | None, typer.Option(min=1, help="processes (default: one per core)")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="write the full report (.csv or .json)")] = None,
) -> None:
    """Simulate a centre: the real routing engine on a virtual clock, KPIs with 95% confidence intervals."""
    from blendcc.sim.collect import AGENTS
    from blendcc.sim.report import AGENT_HEADLINE, HEADLINE
    from blendcc.sim.run import simulate as run_sim
    from blendcc.sim.scenario import load_scenario

    if out_path is not None and out_path.suffix.lower() not in (".csv", ".json"):
        raise fail("--out must end in .csv or .json")
    try:
        sc = load_scenario(scenario)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=out, transient=True) as bar:
            task = bar.add_task(f"simulating {sc.name}", total=replications)
            report = run_sim(sc, replications=replications, seed=seed, workers=workers,
                             progress=lambda done, _total: bar.update(task, completed=done))
    except ValidationFailed as exc:
        raise fail(str(exc)) from None
    table = Table(title=f"{sc.name}: {replications} replication(s), seed {seed}: mean [95% CI] over the run")
    table.add_column("KPI")
    scopes = report.scopes()
    for scope in scopes:
        table.add_column("agents" if scope == AGENTS else ("all queues" if scope == "*" else scope), justify="right")
    for m in (*HEADLINE, *AGENT_HEADLINE):
        cells = []
        for scope in scopes:
            est = report.total(scope).get(m)
            if est is None:
                cells.append("")
            elif est.low is None or est.high is None:
                cells.append(_fmt(m, est.mean))
            else:
                cells.append(f"{_fmt(m, est.mean)} [{_fmt(m, est.low)}, {_fmt(m, est.high)}]")
        if any(cells):
            table.add_row(m, *cells)
    out.print(table)
    runs = report.to_dict(intervals=False)["runs"]
    arrivals = sum(r["arrivals"] for r in runs)
    unfinished = sum(r["open_at_end"] for r in runs)
    out.print(f"{arrivals:,} arrivals simulated; {unfinished:,} still open when the run ended")
    if out_path is not None:
        try:
            if out_path.suffix.lower() == ".csv":
                out_path.write_text(report.to_csv(), encoding="utf-8")
            else:
                out_path.write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {out_path}: {exc.strerror or exc}") from None
        out.print(f"report written to {out_path}")

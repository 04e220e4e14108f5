"""``blendcc staff-sim SCENARIO.yaml``: multi-skill staffing by simulation (agents per group meeting every target)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from blendcc.cli.base import app, fail, out
from blendcc.domain.csv_safe import safe_row
from blendcc.domain.errors import ValidationFailed


def _pairs(values: list[str] | None, what: str, convert: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in values or []:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise fail(f"{what}: give GROUP=VALUE, got {item!r}")
        try:
            result[name] = convert(raw)
        except ValueError:
            raise fail(f"{what}: {raw!r} is not a number") from None
    return result


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _est(e: Any, pct: bool) -> str:
    if e is None:
        return "-"
    fmt = _pct if pct else (lambda v: "-" if v is None else f"{v:.1f}")
    return f"{fmt(e.mean)} [{fmt(e.low)}, {fmt(e.high)}]" if e.low is not None else fmt(e.mean)


@app.command("staff-sim")
def staff_sim(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML (docs/simulator.md); group counts are searched")],
    target_sl: Annotated[float | None, typer.Option(help="service level at each queue's T, at least (0: none)")] = 0.8,
    target_asa: Annotated[float | None, typer.Option(help="ASA at most, seconds")] = None,
    max_abandon: Annotated[float | None, typer.Option(help="abandon rate at most, e.g. 0.05")] = None,
    queue: Annotated[list[str] | None, typer.Option("--queue", help="queues with targets (default: every "
                                                    "queue contacts arrive at)")] = None,
    cost: Annotated[list[str] | None, typer.Option("--cost", help="GROUP=COST per agent (default 1)")] = None,
    min_agents: Annotated[list[str] | None, typer.Option("--min", help="GROUP=N agents at least")] = None,
    max_agents: Annotated[list[str] | None, typer.Option("--max", help="GROUP=N agents at most")] = None,
    replications: Annotated[int, typer.Option(min=1, max=1000, help="replications per candidate")] = 5,
    seed: Annotated[int, typer.Option(help="seed: same seed, same answer")] = 1,
    criterion: Annotated[str, typer.Option(help="ci: the 95% CI bound must meet the target; mean: the mean")] = "ci",
    max_evaluations: Annotated[int, typer.Option(min=1, max=10_000, help="simulated candidates at most")] = 40,
    workers: Annotated[int | None, typer.Option(min=1, help="processes (default: one per core)")] = None,
    warmup: Annotated[float, typer.Option(help="seconds at the start left out of the KPIs (queues filling up); "
                                          "rounded up to the scenario's report interval")] = 0.0,
    per_interval: Annotated[bool, typer.Option("--per-interval", help="one search per interval of the arrival "
                                               "profile (each as a steady state)")] = False,
    window: Annotated[float | None, typer.Option(help="--per-interval: steady-state seconds simulated per "
                                                 "interval (default 14400)")] = None,
    plan: Annotated[Path | None, typer.Option(help="--per-interval: plan CSV for 'blendcc schedule' (interval_start, "
                                             "required, fte, required_<group>, fte_<group>)")] = None,
    shrinkage: Annotated[float, typer.Option(help="--plan: share of paid time off the phones, for the FTE")] = 0.0,
    out_path: Annotated[Path | None, typer.Option("--out", help="write the whole result as JSON")] = None,
) -> None:
    """Staffing by simulation for multi-skill routing: agents per group meeting every queue's target at least cost."""
    from blendcc.sim.scenario import load_scenario
    from blendcc.sim.staffing import SearchOptions, search_staffing
    from blendcc.sim.staffing_erlang import QueueTarget, queue_loads

    if criterion not in ("ci", "mean"):
        raise fail("--criterion must be ci or mean")
    if plan is not None and not per_interval:
        raise fail("--plan needs --per-interval (a plan has one row per interval)")
    if not 0.0 <= shrinkage < 1.0:
        raise fail(f"--shrinkage must be in [0, 1), e.g. 0.3 for 30 %; got {shrinkage}")
    costs = _pairs(cost, "--cost", float)
    lows = _pairs(min_agents, "--min", int)
    highs = _pairs(max_agents, "--max", int)
    bounds = {g: (lows.get(g, 0), highs.get(g)) for g in sorted(set(lows) | set(highs))}
    target = QueueTarget(sl_target=target_sl or None, asa_target_s=target_asa, max_abandon=max_abandon)
    try:
        sc = load_scenario(scenario)
        names = list(queue) if queue else list(queue_loads(sc))
        options = SearchOptions(replications=replications, seed=seed, criterion=criterion,  # type: ignore[arg-type]
                                max_evaluations=max_evaluations, workers=workers, costs=costs, bounds=bounds,
                                warmup_s=warmup)

        def progress(e: Any) -> None:
            state = "meets" if e.meets else f"misses {e.worst()}"
            counts = ", ".join(f"{g} {n}" for g, n in e.counts.items())
            out.print(f"  #{e.index} {e.step}: {counts} (cost {e.cost:g}) {state}")

        out.print(f"searching {sc.name}: {replications} replication(s) per candidate, seed {seed}")
        if per_interval:
            from blendcc.sim.staffing_intervals import search_intervals

            rows = search_intervals(sc, dict.fromkeys(names, target), options, window_s=window, progress=progress)
            doc: Any = {"scenario": sc.name, "intervals": [r.to_dict() for r in rows]}
        else:
            result = search_staffing(sc, dict.fromkeys(names, target), options, progress=progress)
            doc = result.to_dict()
    except ValidationFailed as exc:
        raise fail(str(exc)) from None
    if per_interval:
        _print_intervals(rows)
        if plan is not None:
            _write_plan(plan, rows, shrinkage)
    else:
        _print(result)
    if out_path is not None:
        try:
            out_path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {out_path}: {exc.strerror or exc}") from None
        out.print(f"result written to {out_path}")


def _print(result: Any) -> None:
    best = result.best
    er = result.erlang
    out.print(f"{len(result.evaluations)} simulated candidates; stopped: {result.stopped}")
    if best is not None:
        table = Table(title=f"Agents per group ({result.options.criterion} criterion)")
        for col in ("group", "Erlang start", "simulated answer", "cost per agent"):
            table.add_column(col, justify="right")
        for g in result.searched:
            table.add_row(g, str(er.start[g]), str(best.counts[g]), f"{result.options.costs.get(g, 1.0):g}")
        for g, n in result.fixed.items():
            table.add_row(f"{g} (fixed)", str(n), str(n), "-")
        out.print(table)
        kpis = Table(title="Per queue: mean [95% CI] at the answer")
        for col in ("queue", "offered", "service level", "ASA s", "abandon rate", "shortfall"):
            kpis.add_column(col, justify="right")
        for q, k in best.kpis.items():
            offered = k.get("offered")
            kpis.add_row(q, "-" if offered is None else f"{offered.mean:,.0f}", _est(k.get("service_level"), True),
                         _est(k.get("asa_s"), False), _est(k.get("abandon_rate"), True), f"{best.shortfall[q]:+.3f}")
        out.print(kpis)
    cmp = Table(title="Total agents: simulation vs Erlang")
    for col in ("model", "agents"):
        cmp.add_column(col, justify="right")
    cmp.add_row("independent Erlang queues (each queue its own agents)", str(er.independent_total))
    cmp.add_row("multi-skill routing, simulated",
                "not found" if best is None else str(best.agents + sum(result.fixed.values())))
    cmp.add_row("fully pooled Erlang (every agent skilled for everything)", str(er.pooled))
    out.print(cmp)
    if best is None:
        out.print("[red]no candidate met every target[/red] (raise --max-evaluations or the group maximums)")
    elif result.locally_minimal:
        out.print("removing any one agent (or any cheaper swap) misses a target in the simulation")


def _print_intervals(rows: list[Any]) -> None:
    groups: list[str] = []
    for r in rows:
        if r.result is not None:
            groups += [g for g in (*r.result.searched, *r.result.fixed) if g not in groups]
    table = Table(title="Agents per group and interval (simulated), against Erlang")
    for col in ("interval", *groups, "agents", "Erlang independent", "Erlang pooled", "runs", "found"):
        table.add_column(col, justify="right")
    for r in rows:
        res = r.result
        when = r.start.strftime("%Y-%m-%d %H:%M")
        if res is None:
            table.add_row(when, *("0" for _ in groups), "0", "0", "0", "0", "no arrivals")
            continue
        best = res.best
        counts = {**res.fixed, **(best.counts if best is not None else {})}
        table.add_row(when, *(str(counts[g]) if best is not None and g in counts else "-" for g in groups),
                      "-" if best is None else str(sum(counts.values())), str(res.erlang.independent_total),
                      str(res.erlang.pooled), str(len(res.evaluations)),
                      "local minimum" if res.locally_minimal else ("budget" if best is not None else "[red]none[/red]"))
    out.print(table)
    out.print("agents include groups held at their staffing count; runs = simulated candidates; found: local "
              "minimum (one agent fewer misses a target), budget (best found when the runs ran out), none")


def _write_plan(path: Path, rows: list[Any], shrinkage: float) -> None:
    """Heads on the phones per interval (total and per group) and the FTE after shrinkage."""
    import csv

    groups: list[str] = []
    for r in rows:
        if r.result is not None:
            groups += [g for g in (*r.result.searched, *r.result.fixed) if g not in groups]
    missing = [r.start.isoformat() for r in rows if r.result is not None and r.result.best is None]
    if missing:
        raise fail(f"no plan written: no candidate met every target in interval(s) {', '.join(missing)}; "
                   "raise --max-evaluations or the group maximums")
    header = ["interval_start", "required", "fte", *(f"{k}_{g}" for g in groups for k in ("required", "fte"))]
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(safe_row(header))
            for r in rows:
                counts = {} if r.result is None else {**r.result.fixed, **r.result.best.counts}
                total = sum(counts.values())
                cells = [r.start.isoformat(), total, f"{total / (1 - shrinkage):.6g}"]
                for g in groups:
                    n = counts.get(g, 0)
                    cells += [n, f"{n / (1 - shrinkage):.6g}"]
                w.writerow(safe_row(cells))
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None
    out.print(f"plan written to {path} (blendcc schedule {path.name} --column required, or fte, or required_<group>)")

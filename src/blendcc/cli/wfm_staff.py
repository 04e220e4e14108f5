"""Staffing commands: 'blendcc staff' (forecast CSV -> staffing plan CSV and chart) and 'blendcc erlang'."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from blendcc.cli.base import app, fail, out
from blendcc.domain.csv_safe import safe_cell
from blendcc.domain.errors import DomainError


def _read_csv(path: Path, what: str) -> Any:
    import pandas as pd

    try:
        return pd.read_csv(path, dtype={"queue": str, "channel": str})
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {what} {path}: {exc}") from None


def render_chart(plan: Any, interval_min: int, path: Path) -> None:
    """PNG: required agents (step), FTE to schedule and, when known, scheduled heads per queue/channel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    groups = list(plan.groupby(["queue", "channel"], sort=False))
    fig, axes = plt.subplots(len(groups), 1, figsize=(12, 3.2 * len(groups)), squeeze=False)
    try:
        for ax, ((queue, channel), g) in zip(axes[:, 0], groups, strict=True):
            # the forecast's own wall clock (the offset dropped), one more point to close the last step
            t = pd.to_datetime(g["interval_start"].str.slice(0, 19), format="ISO8601")
            t = pd.concat([t, t.tail(1) + pd.Timedelta(minutes=interval_min)], ignore_index=True)

            def closed(col: str, frame: Any = g) -> Any:
                values = frame[col].reset_index(drop=True)
                return pd.concat([values, values.tail(1)], ignore_index=True)

            ax.step(t, closed("required"), where="post", lw=1.0, color="#1f77b4", label="required (on the phones)")
            ax.step(t, closed("fte"), where="post", lw=1.0, color="#ff7f0e", label="to schedule (after shrinkage)")
            if "scheduled" in g.columns:
                ax.step(t, closed("scheduled"), where="post", lw=1.2, color="#2ca02c", label="scheduled")
                short = (g["gap"] < 0).to_numpy()
                starts = t.iloc[:-1][short]
                ax.bar(starts, (g["fte"] - g["scheduled"]).to_numpy()[short], bottom=g["scheduled"].to_numpy()[short],
                       width=pd.Timedelta(minutes=interval_min), align="edge", color="#d62728", alpha=0.25,
                       label="understaffed")
            name = " / ".join(x for x in (queue, channel) if x) or "all contacts"
            ax.set_title(f"{name}: agents per {interval_min} min interval (local time)")
            ax.set_ylabel("agents")
            ax.legend(loc="upper left", fontsize=8)
            ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, format="png", dpi=110)
    finally:
        plt.close(fig)


@app.command()
def staff(
    forecast_csv: Annotated[Path, typer.Argument(help="forecast CSV: interval_start, [queue, channel,] volume, aht_s")],
    out_csv: Annotated[Path, typer.Option("--out", help="plan CSV to write")],
    sl: Annotated[float, typer.Option("--sl", help="service-level target, share answered within T (0: none)")] = 0.8,
    threshold: Annotated[float, typer.Option("--threshold", help="service-level threshold T, seconds")] = 20.0,
    patience: Annotated[float | None, typer.Option(help="mean caller patience, seconds (Erlang A)")] = None,
    shrinkage: Annotated[float, typer.Option(help="share of paid time not on contacts, e.g. 0.3")] = 0.0,
    interval: Annotated[int | None, typer.Option(help="interval minutes (default: from the forecast)")] = None,
    asa: Annotated[float | None, typer.Option("--asa", help="ASA target, seconds (at most)")] = None,
    max_abandon: Annotated[float | None, typer.Option(help="abandonment target (at most), needs --patience")] = None,
    max_occupancy: Annotated[float | None, typer.Option(help="occupancy cap, e.g. 0.85")] = None,
    aht: Annotated[float | None, typer.Option("--aht", help="AHT seconds for rows without one")] = None,
    scheduled: Annotated[Path | None, typer.Option(help="schedule coverage CSV: interval_start, scheduled")] = None,
    chart: Annotated[Path | None, typer.Option(help="PNG chart of required vs scheduled")] = None,
) -> None:
    """Staffing plan: required agents per interval (Erlang C, or A with --patience), FTE after shrinkage."""
    from blendcc.wfm.staffing import StaffingTargets, plan_summary, staffing_plan

    if chart is not None and chart.suffix.lower() != ".png":
        raise fail(f"the chart is a PNG: give a file name ending in .png, not {chart.name}")
    targets = StaffingTargets(sl_target=sl or None, sl_threshold_s=threshold, asa_target_s=asa, max_abandon=max_abandon,
                              max_occupancy=max_occupancy, patience_s=patience, shrinkage=shrinkage)
    forecast = _read_csv(forecast_csv, "forecast")
    if aht is None and "aht_s" in forecast.columns and "volume" in forecast.columns:
        import pandas as pd

        busy = pd.to_numeric(forecast["volume"], errors="coerce").fillna(0) > 0
        if (busy & forecast["aht_s"].isna()).any():
            raise fail(f"the forecast has no AHT for {int((busy & forecast['aht_s'].isna()).sum())} intervals with "
                       "contacts (a volume-only forecast): give --aht SECONDS")
    coverage = _read_csv(scheduled, "schedule coverage") if scheduled is not None else None
    try:
        plan, minutes = staffing_plan(forecast, targets, interval_min=interval, scheduled=coverage, default_aht_s=aht)
    except DomainError as exc:
        raise fail(exc.message) from None
    try:
        text = plan.copy()
        for column in text.select_dtypes(include="object").columns:  # queue and channel names from the input
            text[column] = text[column].map(safe_cell)
        text.to_csv(out_csv, index=False, float_format="%.6g")
        if chart is not None:
            render_chart(plan, minutes, chart)
    except OSError as exc:
        raise fail(f"cannot write: {exc}") from None
    model = f"Erlang A (patience {patience:g} s)" if patience is not None else "Erlang C"
    table = Table(title=f"Staffing plan, {model}, {minutes}-minute intervals, shrinkage {shrinkage:.0%}")
    for col in ("queue", "channel", "slots", "volume", "peak", "req h", "FTE h", "sched h", "short"):
        table.add_column(col, justify="right")
    for r in plan_summary(plan, minutes):
        table.add_row(r["queue"] or "-", r["channel"] or "-", str(r["intervals"]), f"{r['volume']:,.0f}",
                      str(r["peak_required"]), f"{r['required_hours']:,.1f}", f"{r['fte_hours']:,.1f}",
                      f"{r['scheduled_hours']:,.1f}" if "scheduled_hours" in r else "-",
                      str(r.get("understaffed_intervals", "-")))
    out.print(table)
    out.print("peak = most agents required in one interval; req h / FTE h / sched h = agent-hours required, to "
              "schedule and scheduled; short = intervals scheduled below the FTE need")
    out.print(f"wrote {len(plan)} intervals to {out_csv}" + (f" and the chart to {chart}" if chart else ""))


@app.command()
def erlang(
    calls: Annotated[float, typer.Option(help="contacts offered in the interval")],
    aht: Annotated[float, typer.Option("--aht", help="average handle time, seconds")],
    interval: Annotated[float, typer.Option(help="interval length, minutes")] = 30.0,
    agents: Annotated[int | None, typer.Option(help="agents on the phones: show their metrics")] = None,
    sl: Annotated[float | None, typer.Option("--sl", help="service-level target -> required agents")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="service-level threshold T, seconds")] = 20.0,
    asa: Annotated[float | None, typer.Option("--asa", help="ASA target, seconds")] = None,
    max_abandon: Annotated[float | None, typer.Option(help="abandonment target, needs --patience")] = None,
    max_occupancy: Annotated[float | None, typer.Option(help="occupancy cap")] = None,
    patience: Annotated[float | None, typer.Option(help="mean patience, seconds (Erlang A)")] = None,
    shrinkage: Annotated[float, typer.Option(help="shrinkage for the FTE figure")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Erlang calculator: metrics for --agents, or the agents needed for --sl/--asa/--max-abandon/--max-occupancy."""
    from blendcc.wfm.staffing import calculate

    try:
        result = calculate(calls=calls, interval_min=interval, aht_s=aht, agents=agents, sl_target=sl,
                           sl_threshold_s=threshold, asa_target_s=asa, max_abandon=max_abandon,
                           max_occupancy=max_occupancy, patience_s=patience, shrinkage=shrinkage)
    except DomainError as exc:
        raise fail(exc.message) from None
    if as_json:
        out.print_json(json.dumps(result))
        return
    out.print(f"{result['model']}: {calls:g} contacts in {interval:g} min, AHT {aht:g} s = "
              f"{result['erlangs']:.3f} Erlangs")
    if result.get("required") is not None:
        out.print(f"required agents: [bold]{result['required']}[/bold], FTE to schedule "
                  f"{result['fte']:.2f} (shrinkage {shrinkage:.0%})")
    table = Table()
    for col in ("agents", "P(wait)", f"SL {threshold:g} s", "ASA s", "P(abandon)", "occupancy"):
        table.add_column(col, justify="right")
    for r in result["table"]:
        asa_s = r["asa_s"]
        table.add_row(str(r["agents"]), f"{r['p_wait']:.4f}", f"{r['service_level']:.2%}",
                      "inf" if asa_s is None or math.isinf(asa_s) else f"{asa_s:.1f}", f"{r['p_abandon']:.2%}",
                      f"{r['occupancy']:.2%}")
    out.print(table)

"""The forecast command's console output: the backtest table per series, the choice, the AHT backtest, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from blendcc.cli.base import err, out
from blendcc.wfm.backtest import COMBINED
from blendcc.wfm.forecast import SeriesForecast


def _buckets(horizon_days: int) -> list[tuple[int, int]]:
    """Horizon columns: day 1, days 2-7, then one column per further week (1-based, inclusive)."""
    result = [(1, 1)]
    lo = 2
    while lo <= horizon_days:
        hi = min(horizon_days, 7 if lo == 2 else lo + 6)
        result.append((lo, hi))
        lo = hi + 1
    return result


def _why(error: str | None) -> str:
    return error or "no scored day had contacts"


def print_backtests(forecasts: Sequence[SeriesForecast]) -> None:
    """Per series: the backtest table (WAPE, MAPE, MAE, WAPE per horizon bucket, weight), the choice."""
    for f in forecasts:
        bt = f.backtest
        if bt is None:
            out.print(f"{f.queue}/{f.channel}: no backtest; model {f.model}" +
                      (f" ({'; '.join(f.notes)})" if f.notes else ""), markup=False)
            continue
        first = f.first_day.strftime("%A")
        table = Table(title=f"backtest {f.queue}/{f.channel}: {len(bt.origins)} origins on {first}s (the target's "
                      f"weekday), {bt.horizon_days}-day horizon (WAPE by horizon day)")
        for name in ("model", "WAPE", "MAPE", "MAE"):
            table.add_column(name, justify="left" if name == "model" else "right")
        buckets = _buckets(bt.horizon_days)
        for lo, hi in buckets:
            table.add_column(f"d{lo}" if lo == hi else f"d{lo}-{hi}", justify="right")
        table.add_column("weight", justify="right")
        notes = []
        for s in bt.scores.values():
            if not s.scored:
                notes.append(f"{s.model}: not scored ({_why(s.error)})")
                continue
            cells = []
            for lo, hi in buckets:
                part = s.per_horizon[lo - 1:hi]
                act = sum(h.actual for h in part)
                abs_err = sum((h.wape or 0.0) * h.actual for h in part)
                cells.append(f"{abs_err / act:.1%}" if act > 0 else "-")
            name = f"[bold]{s.model} *[/bold]" if s.model == bt.chosen else s.model
            table.add_row(name, f"{s.wape:.1%}" if s.wape is not None else "-",
                          f"{s.mape:.1%}" if s.mape is not None else "-", f"{s.mae:.2f}", *cells,
                          f"{s.weight:.2f}" if s.weight else "")
        out.print(table)
        for n in notes:
            out.print(n, markup=False)
        if bt.chosen == COMBINED:
            parts = ", ".join(f"{m} {w:.2f}" for m, w in bt.weights.items())
            out.print(f"* chosen: the combination of the best models weighted by 1/WAPE^2 ({parts})", markup=False)
        else:
            out.print(f"* chosen: {bt.chosen} (lowest WAPE; ties keep the seasonal-naive baseline)", markup=False)
        if f.aht_backtest is not None:
            scores = ", ".join(f"{m} {v:.1%}" if v is not None else f"{m} -" for m, v in f.aht_backtest.scores.items())
            out.print(f"AHT backtest (handle-time WAPE): {scores}; chosen {f.aht_backtest.chosen}", markup=False)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, one task per series: yields ``update(series, done, total)``."""
    if not enabled:
        yield lambda name, done, total: None
        return
    columns = (TextColumn("backtest {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = int(bar.add_task(name, total=total))
            bar.update(tasks[name], completed=done, total=total)  # type: ignore[arg-type]

        yield update

"""Forecast accuracy benchmark: the product's forecast against the 4-week same-weekday baseline, rolling origin.

For each dataset (the 1999 bank's calls per 6 minutes by default, or any interval-count or per-contact
CSV given on the command line) the product forecasts ``--horizon`` days from ``--runs`` origins
``--step`` days apart, ending at the end of the file; each run sees only the history before its
origin and makes its own choice exactly as ``blendcc forecast`` does (backtest on the target's weekday,
combination of the best models, gaps treated as holidays, anomalous days and, with ``--country``, public
holidays excluded). The baseline (``seasonal_naive_4w``: same interval, same weekday, mean of the last 4
weeks, on the raw history) forecasts the identical targets. Every target day is scored, holidays
included. WAPE and MAPE (KPIS.md) per horizon day and in total; the gain is 1 - WAPE / baseline WAPE,
with a bootstrap interval over runs (resampling whole runs).

    python bench/forecast.py [FILE.csv ...] [--tz Asia/Jerusalem] [--country IL] [--interval 30]
                             [--horizon 7] [--runs 26] [--step 7] [--origins 12] [--boot 2000]

Without a file the 1999 data are read from ../shared/data (next to the project) with --tz
Asia/Jerusalem and --country IL. The last line printed is one JSON object: wape, baseline_wape, gain,
gain_ci_low (of the last dataset; every dataset's figures under "datasets").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from blendcc.wfm.backtest import mape
from blendcc.wfm.forecast import forecast_series
from blendcc.wfm.models import seasonal_naive_4w
from blendcc.wfm.series import Series, long_from_frame, to_series

BANK_1999 = Path(__file__).resolve().parents[2] / "shared" / "data" / "anonymous_bank_1999" / "calls_per_6min_1999.csv"
console = Console()


def load(path: Path, tz: str, interval: int) -> Series:
    frame = pd.read_csv(path, sep=None, engine="python") if path.suffix != ".csv" else pd.read_csv(path)
    series = to_series(long_from_frame(frame, tz=tz), interval)
    if len(series) != 1:
        series = [Series("all", "all", series[0].first_day, interval,
                         sum((s.volume for s in series), np.zeros_like(series[0].volume)))]
    return series[0]


def run(series: Series, args: argparse.Namespace) -> dict[str, Any]:
    h = args.horizon
    origins = [series.days - h - k * args.step for k in range(args.runs)][::-1]
    origins = [o for o in origins if o >= args.min_history]
    if not origins:
        raise SystemExit(f"{series.queue}: {series.days} days are too few for a run with {args.min_history} days "
                         "of history")
    err = np.zeros((len(origins), h))  # product's absolute error per run and horizon day
    base_err = np.zeros((len(origins), h))
    act = np.zeros((len(origins), h))
    ape: list[list[float]] = [[] for _ in range(h)]
    base_ape: list[list[float]] = [[] for _ in range(h)]
    chosen: dict[str, int] = {}
    wd0 = series.first_day.weekday()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("runs", total=len(origins))
        for i, o in enumerate(origins):
            f = forecast_series(series.window(0, o), h, n_origins=args.origins, country=args.country,
                                models=args.models.split(",") if args.models else None)
            key = ", ".join(f"{m} {w:.2f}" for m, w in f.weights.items())
            chosen[key] = chosen.get(key, 0) + 1
            base = seasonal_naive_4w(series.volume[:o], wd0, h)
            for k in range(h):
                a = series.volume[o + k]
                err[i, k], base_err[i, k], act[i, k] = np.abs(a - f.volume[k]).sum(), np.abs(a - base[k]).sum(), a.sum()
                for store, fc in ((ape, f.volume[k]), (base_ape, base[k])):
                    m = mape(a, fc)
                    if m is not None:
                        store[k].append(m)
            bar.advance(task)
    return summarise(series, origins, err, base_err, act, ape, base_ape, chosen, args)


def summarise(series: Series, origins: list[int], err: np.ndarray, base_err: np.ndarray, act: np.ndarray,
              ape: list[list[float]], base_ape: list[list[float]], chosen: dict[str, int],
              args: argparse.Namespace) -> dict[str, Any]:
    table = Table(title=f"{series.queue}: {len(origins)} runs from {series.day(origins[0])} to "
                  f"{series.day(origins[-1])}, every {args.step} days, {args.interval}-minute intervals")
    for col in ("horizon day", "contacts", "WAPE", "baseline WAPE", "gain", "MAPE", "baseline MAPE"):
        table.add_column(col, justify="right")
    for k in range(err.shape[1]):
        w, b = err[:, k].sum() / act[:, k].sum(), base_err[:, k].sum() / act[:, k].sum()
        table.add_row(str(k + 1), f"{act[:, k].sum():,.0f}", f"{w:.1%}", f"{b:.1%}", f"{1 - w / b:+.1%}",
                      f"{np.mean(ape[k]):.1%}", f"{np.mean(base_ape[k]):.1%}")
    wape, base_wape = err.sum() / act.sum(), base_err.sum() / act.sum()
    gain = 1 - wape / base_wape
    rng = np.random.default_rng(args.seed)
    idx = rng.integers(0, len(origins), (args.boot, len(origins)))
    boot = 1 - err.sum(axis=1)[idx].sum(axis=1) / base_err.sum(axis=1)[idx].sum(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    all_ape, all_base = [x for xs in ape for x in xs], [x for xs in base_ape for x in xs]
    table.add_row("all", f"{act.sum():,.0f}", f"[bold]{wape:.1%}[/bold]", f"{base_wape:.1%}", f"[bold]{gain:+.1%}"
                  "[/bold]", f"{np.mean(all_ape):.1%}", f"{np.mean(all_base):.1%}")
    console.print(table)
    per_run = 1 - err.sum(axis=1) / base_err.sum(axis=1)
    console.print(f"gain {gain:.1%}, 95% bootstrap interval over runs {lo:.1%} .. {hi:.1%}; the product is better "
                  f"on {int((per_run > 0).sum())} of {len(origins)} runs")
    for key, n in sorted(chosen.items(), key=lambda kv: -kv[1])[:5]:
        console.print(f"  chosen {n}x: {key}", markup=False)
    return {"dataset": series.queue, "runs": len(origins), "horizon_days": args.horizon, "interval_min": args.interval,
            "wape": round(float(wape), 4), "baseline_wape": round(float(base_wape), 4), "gain": round(float(gain), 4),
            "gain_ci_low": round(float(lo), 4), "gain_ci_high": round(float(hi), 4),
            "mape": round(float(np.mean(all_ape)), 4), "baseline_mape": round(float(np.mean(all_base)), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="CSV files (default: the 1999 bank data)")
    parser.add_argument("--tz", default=None, help="zone of naive times (default Asia/Jerusalem for the 1999 "
                        "data, UTC for a file)")
    parser.add_argument("--country", default=None, help="public-holiday calendar (default IL for the 1999 data)")
    parser.add_argument("--interval", type=int, default=30)
    parser.add_argument("--horizon", type=int, default=7, help="days forecast per run")
    parser.add_argument("--runs", type=int, default=26)
    parser.add_argument("--step", type=int, default=7, help="days between runs")
    parser.add_argument("--origins", type=int, default=12, help="backtest origins per run (the product's default)")
    parser.add_argument("--models", default=None, help="candidate models (default: the product's)")
    parser.add_argument("--min-history", type=int, default=70, help="days of history the first run needs")
    parser.add_argument("--boot", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    default = not args.files
    files = args.files or [BANK_1999]
    if default:
        args.tz, args.country = args.tz or "Asia/Jerusalem", args.country or "IL"
    args.tz = args.tz or "UTC"
    results = []
    for path in files:
        if not path.is_file():
            print(f"error: no file {path}", file=sys.stderr)
            return 2
        series = load(path, args.tz, args.interval)
        series.queue = path.stem
        console.print(f"{path.name}: {series.days} days from {series.first_day}, {series.volume.sum():,.0f} contacts; "
                      f"tz {args.tz}, country {args.country or '-'}, horizon {args.horizon} days")
        results.append(run(series, args))
    sys.stdout.flush()
    print(json.dumps({**{k: results[-1][k] for k in ("wape", "baseline_wape", "gain", "gain_ci_low")},
                      "datasets": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

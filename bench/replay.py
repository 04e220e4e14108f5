"""History replay accuracy: simulated versus actual abandonment, ASA and service level, per month and per day.

For every call log given (months of the Anonymous Bank 1999 log, ``january.txt`` format; default: the
January file in ../shared/data beside the repository) the month is replayed by ``sim.history.replay`` (the
real routing engine, staffing, breaks and patience learnt from that month's own log) and compared with the
month's actual KPIs. Printed per month: the monthly errors (abandonment and ASA relative, in percent of the
actual; service level in points), per-day errors, and the bias per weekday (mean of simulated - actual over
that weekday's days, abandonment and SL in points). ``--baseline`` also replays each month without breaks
and with one patience curve and session gap for every day type (the model before issue 19), in the same run;
``--fixed-head-start 90`` the default model with the README's 90 s priority head start on every day instead
of the head start learnt per day from the log's answer order (``sim.queue_order``).

Goals (issue 19): monthly abandonment and ASA within 5 %, service level within 3 points, no weekday biased
by more than 2 points on average.

    python bench/replay.py [LOG ...] [--replications 5] [--seed 1] [--workers N] [--baseline]
                           [--fixed-head-start S]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from blendcc.adapters.importers.bank1999 import default_path, read_bank1999
from blendcc.sim.history import HEAD_START_S, ReplayOptions, ReplayReport, replay

GOALS = {"abandon_pct": 5.0, "asa_pct": 5.0, "sl_pts": 3.0, "weekday_bias_pts": 2.0}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
console = Console(width=140, highlight=False)


def _rel(sim: float | None, act: float | None) -> float | None:
    return None if sim is None or not act else 100.0 * (sim - act) / act


def _pts(sim: float | None, act: float | None) -> float | None:
    return None if sim is None or act is None else 100.0 * (sim - act)


def pooled(rows: list[Any], side: str) -> dict[str, float | None]:
    """Abandonment, ASA and SL of several days pooled from their per-day figures (counts x rates)."""
    def get(r: Any, k: str) -> float:
        return float(getattr(r, side).get(k) or 0.0)

    base = sum(get(r, "offered") - get(r, "short_abandoned") for r in rows)
    handled = sum(get(r, "handled") for r in rows)
    return {"abandon_rate": sum(get(r, "abandon_rate") * (get(r, "offered") - get(r, "short_abandoned"))
                                for r in rows) / base if base else None,
            "service_level": sum(get(r, "service_level") * (get(r, "offered") - get(r, "short_abandoned"))
                                 for r in rows) / base if base else None,
            "asa_s": sum(get(r, "asa_s") * get(r, "handled") for r in rows) / handled if handled else None}


def halves(report: ReplayReport, split_day: int) -> dict[str, dict[str, float | None]]:
    """Errors of the days before ``split_day`` and from it on, each pooled (a stability check)."""
    out = {}
    for label, rows in (("first", [d for d in report.days if d.day and d.day.day < split_day]),
                        ("second", [d for d in report.days if d.day and d.day.day >= split_day])):
        if rows:
            a, s = pooled(rows, "actual"), pooled(rows, "simulated")
            out[label] = {"abandon_err_pct": _rel(s["abandon_rate"], a["abandon_rate"]),
                          "asa_err_pct": _rel(s["asa_s"], a["asa_s"]),
                          "sl_err_pts": _pts(s["service_level"], a["service_level"])}
    return out


def summarise(name: str, report: ReplayReport, split_day: int = 16) -> dict[str, Any]:
    """The month's errors, mean absolute per-day errors, the bias per weekday and each half's errors."""
    a, s = report.month.actual, report.month.simulated
    per_day = []
    for d in report.days:
        if d.day is None:
            continue
        per_day.append({"day": d.day, "abandon_pts": _pts(d.simulated["abandon_rate"], d.actual["abandon_rate"]),
                        "asa_s": (None if d.simulated["asa_s"] is None or d.actual["asa_s"] is None
                                  else d.simulated["asa_s"] - d.actual["asa_s"]),
                        "sl_pts": _pts(d.simulated["service_level"], d.actual["service_level"])})
    bias: dict[str, dict[str, float]] = {}
    for i, wd in enumerate(WEEKDAYS):
        rows = [r for r in per_day if r["day"].weekday() == i]
        if rows:
            bias[wd] = {k: sum(r[k] or 0.0 for r in rows) / len(rows) for k in ("abandon_pts", "sl_pts")}

    def mae(key: str) -> float:
        xs = [abs(r[key]) for r in per_day if r[key] is not None]
        return sum(xs) / len(xs) if xs else 0.0

    sl_high = sum(1 for r in per_day if (r["sl_pts"] or 0.0) > 0)
    return {"month": name, "days": len(per_day), "offered": a["offered"],
            "abandon_actual_pct": 100 * a["abandon_rate"], "abandon_sim_pct": 100 * s["abandon_rate"],
            "asa_actual_s": a["asa_s"], "asa_sim_s": s["asa_s"],
            "sl_actual_pct": 100 * a["service_level"], "sl_sim_pct": 100 * s["service_level"],
            "abandon_err_pct": _rel(s["abandon_rate"], a["abandon_rate"]), "asa_err_pct": _rel(s["asa_s"], a["asa_s"]),
            "sl_err_pts": _pts(s["service_level"], a["service_level"]),
            "day_mae_abandon_pts": mae("abandon_pts"), "day_mae_asa_s": mae("asa_s"), "day_mae_sl_pts": mae("sl_pts"),
            "days_sl_too_high": sl_high, "weekday_bias": bias, "per_day": per_day,
            "halves": halves(report, split_day),
            "head_starts": ({d.isoformat(): h for d, h in report.head_starts.items()}
                            if report.head_starts is not None else report.options.head_start_s)}


def f(x: float | None, fmt: str = "{:+.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def print_month(m: dict[str, Any], label: str) -> None:
    t = Table(title=f"{m['month']} ({label}): per day, simulated - actual")
    for col in ("day", "abandon pts", "ASA s", "SL pts"):
        t.add_column(col, justify="right")
    for r in m["per_day"]:
        t.add_row(r["day"].strftime("%a %m-%d"), f(r["abandon_pts"]), f(r["asa_s"]), f(r["sl_pts"]))
    console.print(t)
    w = Table(title=f"{m['month']} ({label}): bias per weekday (mean of simulated - actual)")
    for col in ("weekday", "abandon pts", "SL pts"):
        w.add_column(col, justify="right")
    for wd, b in m["weekday_bias"].items():
        w.add_row(wd, f(b["abandon_pts"]), f(b["sl_pts"]))
    console.print(w)


def print_summary(months: list[dict[str, Any]]) -> None:
    t = Table(title="monthly: actual / simulated (error)")
    for col in ("month", "model", "offered", "abandon %", "ASA s", "SL %", "day MAE ab/ASA/SL", "SL high days",
                "max weekday bias"):
        t.add_column(col, justify="right")
    for m in months:
        worst = max((abs(v) for b in m["weekday_bias"].values() for v in b.values()), default=0.0)
        t.add_row(m["month"], m["model"], str(m["offered"]),
                  f"{m['abandon_actual_pct']:.1f} / {m['abandon_sim_pct']:.1f} ({f(m['abandon_err_pct'])}%)",
                  f"{m['asa_actual_s']:.1f} / {m['asa_sim_s']:.1f} ({f(m['asa_err_pct'])}%)",
                  f"{m['sl_actual_pct']:.1f} / {m['sl_sim_pct']:.1f} ({f(m['sl_err_pts'])} pts)",
                  f"{m['day_mae_abandon_pts']:.1f} / {m['day_mae_asa_s']:.1f} / {m['day_mae_sl_pts']:.1f}",
                  f"{m['days_sl_too_high']}/{m['days']}", f"{worst:.1f} pts")
    console.print(t)
    h = Table(title="each month's days 1-15 and 16-31 pooled: simulated - actual")
    for col in ("month", "model", "half", "abandon %", "ASA %", "SL pts"):
        h.add_column(col, justify="right")
    for m in months:
        for half, e in m["halves"].items():
            h.add_row(m["month"], m["model"], half, f(e["abandon_err_pct"]), f(e["asa_err_pct"]), f(e["sl_err_pts"]))
    console.print(h)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("logs", nargs="*", type=Path, help="month call logs (default: the shared January file)")
    ap.add_argument("--replications", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--baseline", action="store_true", help="also run the model without breaks and day types")
    ap.add_argument("--fixed-head-start", type=float, default=None, metavar="S",
                    help="also run the default model with this head start on every day (90: before the "
                         "head start was learnt per day)")
    args = ap.parse_args(argv)
    logs = list(args.logs) or [p for p in [default_path()] if p is not None]
    if not logs:
        console.print("no call log given and the shared January file was not found")
        return 2
    models = [("breaks+day types", ReplayOptions())]
    if args.fixed_head_start is not None:
        models.append((f"head start {args.fixed_head_start:g} s", ReplayOptions(head_start_s=args.fixed_head_start)))
    if args.baseline:
        models.append(("baseline", replace(ReplayOptions(), breaks=False, by_day_type=False, interval_s=1800.0,
                                                   head_start_s=HEAD_START_S)))
    months: list[dict[str, Any]] = []
    with Progress(console=Console(stderr=True), transient=True) as bar:
        for log in logs:
            if not log.is_file():
                console.print(f"{log}: not a file")
                return 2
            records = read_bank1999(log).records
            for label, options in models:
                task = bar.add_task(f"{log.name} {label}", total=args.replications)
                report = replay(records, replications=args.replications, seed=args.seed, options=options,
                                workers=args.workers, progress=lambda n, t=task: bar.update(t, completed=n))
                m = summarise(log.stem, report)
                m["model"] = label
                months.append(m)
    for m in months:
        print_month(m, m["model"])
    print_summary(months)
    main_model = [m for m in months if m["model"] == models[0][0]]
    worst_bias = max((abs(v) for m in main_model for b in m["weekday_bias"].values() for v in b.values()),
                     default=0.0)
    result = {
        "months": [m["month"] for m in main_model],
        "replications": args.replications, "seed": args.seed,
        "max_abandon_err_pct": max(abs(m["abandon_err_pct"]) for m in main_model),
        "max_asa_err_pct": max(abs(m["asa_err_pct"]) for m in main_model),
        "max_sl_err_pts": max(abs(m["sl_err_pts"]) for m in main_model),
        "max_weekday_bias_pts": worst_bias,
        "per_month": {m["month"] + ("" if m["model"] == models[0][0] else f" {m['model']}"):
                      {k: round(m[k], 2) for k in ("abandon_err_pct", "asa_err_pct", "sl_err_pts",
                                                   "day_mae_abandon_pts", "day_mae_asa_s", "day_mae_sl_pts")}
                      | {"days_sl_too_high": m["days_sl_too_high"], "days": m["days"],
                         "head_starts_s": m["head_starts"],
                         "weekday_bias_pts": {wd: {k: round(v, 2) for k, v in b.items()}
                                              for wd, b in m["weekday_bias"].items()},
                         "halves": {h: {k: None if v is None else round(v, 2) for k, v in e.items()}
                                    for h, e in m["halves"].items()}}
                      for m in months},
        "goals": GOALS,
    }
    result["goals_met"] = (result["max_abandon_err_pct"] <= GOALS["abandon_pct"]
                           and result["max_asa_err_pct"] <= GOALS["asa_pct"]
                           and result["max_sl_err_pts"] <= GOALS["sl_pts"]
                           and worst_bias <= GOALS["weekday_bias_pts"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

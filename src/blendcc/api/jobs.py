"""The API's long computations as module-level functions of plain arguments, so that
:func:`blendcc.api.compute.run_bounded` can run them in a worker process (preloaded there)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, cast


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def staffing_plan_job(targets: dict[str, Any], rows: list[dict[str, Any]], coverage_rows: list[dict[str, Any]] | None,
                      interval_min: int | None, default_aht_s: float | None) -> dict[str, Any]:
    """POST /api/wfm/staffing: the plan as JSON."""
    import pandas as pd

    from blendcc.wfm.staffing import StaffingTargets, plan_summary, staffing_plan

    st = StaffingTargets(**targets)
    forecast = pd.DataFrame(rows)
    for key in ("queue", "channel"):
        if forecast[key].isna().all():
            forecast = forecast.drop(columns=key)
    coverage = None
    if coverage_rows is not None:
        coverage = pd.DataFrame(coverage_rows)
        for key in ("queue", "channel"):
            if coverage[key].isna().all():
                coverage = coverage.drop(columns=key)
    plan, minutes = staffing_plan(forecast, st, interval_min=interval_min, scheduled=coverage,
                                  default_aht_s=default_aht_s)
    records = [{k: _clean(v) for k, v in r.items()} for r in plan.to_dict(orient="records")]
    for r in records:
        r["required"] = int(r["required"])
    model = "Erlang A" if st.patience_s is not None else "Erlang C"
    return {"model": model, "interval_min": minutes, "shrinkage": st.shrinkage,
            "summary": plan_summary(plan, minutes), "intervals": records}


def staffing_search_job(scenario: Any, targets: dict[str, Any], options: Any, per_interval: bool,
                        window_s: float | None) -> dict[str, Any]:
    """POST /api/wfm/staffing/simulate: the search result as JSON."""
    from blendcc.sim.staffing import search_staffing

    if per_interval:
        from blendcc.sim.staffing_intervals import search_intervals

        rows = search_intervals(scenario, targets, options, window_s=window_s)
        return {"scenario": scenario.name, "intervals": [r.to_dict() for r in rows]}
    return search_staffing(scenario, targets, options).to_dict()


def simulate_job(scenario: Any, replications: int, seed: int, workers: int | None, intervals: bool) -> dict[str, Any]:
    """POST /api/sim/run: the KPI report as JSON."""
    from blendcc.sim.run import simulate

    return simulate(scenario, replications=replications, seed=seed, workers=workers).to_dict(intervals=intervals)


def replay_job(records: list[Any], days: list[date] | None, replications: int, seed: int,
               staffing: str) -> dict[str, Any]:
    """POST /api/sim/replay/bank1999: the replay's comparison per day and in total."""
    from blendcc.sim.history import ReplayOptions, replay

    options = ReplayOptions(staffing=cast(Any, staffing))  # checked against REPLAY_STAFFING by the route
    report = replay(records, days, replications, seed, options, None, None, 1)

    def row(c: Any) -> dict[str, Any]:
        return {"day": c.day.isoformat() if c.day else "total", "actual": c.actual, "simulated": c.simulated,
                "ci95_half_width": c.spread}

    return {"replications": report.replications, "seed": report.seed, "sl_threshold_s": report.sl_threshold_s,
            "short_abandon_s": report.short_abandon_s, "staffing": staffing,
            "days": [row(c) for c in report.days], "total": row(report.month)}


def forecast_job(points: list[dict[str, Any]], kind: str, interval_min: int, tz: str, horizon_days: int,
                 options: dict[str, Any]) -> dict[str, Any]:
    """POST /api/wfm/forecast: the forecast run as JSON."""
    from blendcc.app.planning.forecasting import frame_from_points, run_forecast
    from blendcc.wfm.series import long_from_frame, to_series

    frame = frame_from_points(points)
    series = to_series(long_from_frame(frame, kind, tz), interval_min)
    run: Any = run_forecast(series, horizon_days, tz, **options)
    result: dict[str, Any] = run.as_json()
    return result

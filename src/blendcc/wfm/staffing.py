"""Staffing plans: interval forecast (volume, AHT) -> required agents (Erlang C or A) -> shrinkage -> FTE.

Input is a frame with ``interval_start``, ``volume`` and ``aht_s`` (what ``blendcc forecast`` writes;
``queue`` and ``channel`` are optional and give one plan per queue/channel, other columns are ignored).
Optionally a schedule coverage frame (``interval_start``, optional ``queue``/``channel``, ``scheduled``)
adds the scheduled heads, the gap to the FTE need and the service level those heads would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from blendcc.domain.errors import ValidationFailed
from blendcc.wfm.erlang import interval_metrics, required_agents_intervals, scheduled_fte

KEYS = ("queue", "channel")
#: Offered load (Erlangs) the calculator and plans accept: beyond it the search and the Erlang A chain
#: take too long, and no single queue is that large (the largest centres staff a few thousand agents).
MAX_LOAD_ERLANGS = 1_000_000.0
#: Agents the calculator evaluates at most (each Erlang A evaluation is linear in the agents).
MAX_AGENTS_EVALUATED = 5_000_000
#: Mean patience at most (a week): longer is Erlang C, and the Erlang A chain grows with it.
MAX_PATIENCE_S = 7 * 86_400.0
SCHEDULED_COLUMNS = ("scheduled", "scheduled_agents", "agents", "coverage", "heads")
PLAN_COLUMNS = ("interval_start", "queue", "channel", "volume", "aht_s", "erlangs", "required", "fte",
                "service_level", "p_wait", "asa_s", "p_abandon", "occupancy")


@dataclass(frozen=True)
class StaffingTargets:
    """What each interval must meet, and the shrinkage that turns required agents into scheduled FTE."""

    sl_target: float | None = 0.8
    sl_threshold_s: float = 20.0
    asa_target_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None
    patience_s: float | None = None  # given: Erlang A (abandonment); None: Erlang C
    shrinkage: float = 0.0

    def check(self) -> None:
        if self.patience_s is not None and not (math.isfinite(self.patience_s)
                                                and 0 < self.patience_s <= MAX_PATIENCE_S):
            raise ValidationFailed(f"patience must be a number of seconds > 0 and at most {MAX_PATIENCE_S:,.0f} "
                                   f"(a week; longer is Erlang C), got {self.patience_s}")
        if not 0.0 <= self.shrinkage < 1.0:
            raise ValidationFailed(f"shrinkage must be in [0, 1), e.g. 0.3 for 30 %; got {self.shrinkage}")
        if not (math.isfinite(self.sl_threshold_s) and self.sl_threshold_s >= 0):
            raise ValidationFailed(f"service-level threshold must be >= 0 seconds, got {self.sl_threshold_s}")
        try:  # the Erlang module's own target checks, on a trivial interval
            required_agents_intervals([0.0], [1.0], **self._erlang_kwargs())
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from None

    def _erlang_kwargs(self) -> dict[str, Any]:
        return {"sl_target": self.sl_target, "sl_threshold_s": self.sl_threshold_s,
                "asa_target_s": self.asa_target_s, "max_abandon": self.max_abandon,
                "max_occupancy": self.max_occupancy, "patience_s": self.patience_s}


def _times(values: pd.Series, what: str) -> pd.Series:
    """Interval starts as UTC timestamps (naive ones are taken as they are), for ordering and joins."""
    try:
        return pd.to_datetime(values.astype(str), format="ISO8601", utc=True)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"{what}: interval_start must be ISO 8601 date-times ({exc})") from None


def _numbers(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values: np.ndarray = np.asarray(pd.to_numeric(frame[column], errors="coerce"), dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) & frame[column].notna().to_numpy())
    if bad.size:
        raise ValidationFailed(f"{what}: column {column!r} row {int(bad[0]) + 1} is not a number: "
                               f"{frame[column].iloc[int(bad[0])]!r}")
    return values


def _prepare(forecast: pd.DataFrame, default_aht_s: float | None) -> pd.DataFrame:
    missing = [c for c in ("interval_start", "volume", "aht_s") if c not in forecast.columns]
    if missing:
        raise ValidationFailed(f"forecast: missing column(s) {', '.join(missing)}; need interval_start, volume, "
                               f"aht_s (optional queue, channel); got {', '.join(map(str, forecast.columns))}")
    if forecast.empty:
        raise ValidationFailed("forecast: no intervals")
    frame = pd.DataFrame({"interval_start": forecast["interval_start"].astype(str)})
    for key in KEYS:
        frame[key] = forecast[key].fillna("").astype(str) if key in forecast.columns else ""
    frame["volume"] = _numbers(forecast, "volume", "forecast")
    frame["aht_s"] = _numbers(forecast, "aht_s", "forecast")
    if default_aht_s is not None:
        if not (math.isfinite(default_aht_s) and default_aht_s > 0):
            raise ValidationFailed(f"default AHT must be a number of seconds > 0, got {default_aht_s}")
        frame["aht_s"] = frame["aht_s"].fillna(default_aht_s)
    frame["_t"] = _times(forecast["interval_start"], "forecast")
    if (frame["volume"].isna() | (frame["volume"] < 0)).any():
        row = int(np.flatnonzero((frame["volume"].isna() | (frame["volume"] < 0)).to_numpy())[0])
        raise ValidationFailed(f"forecast: row {row + 1}: volume must be a number >= 0")
    busy = frame["volume"] > 0
    bad_aht = busy & ~(frame["aht_s"] > 0)
    if bad_aht.any():
        row = int(np.flatnonzero(bad_aht.to_numpy())[0])
        raise ValidationFailed(f"forecast: row {row + 1}: aht_s must be > 0 seconds where volume > 0 "
                               "(give a default AHT for rows without one)")
    dup = frame.duplicated(["queue", "channel", "_t"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValidationFailed(f"forecast: row {row + 1}: interval {frame['interval_start'].iloc[row]} appears "
                               "twice for the same queue/channel")
    return frame.sort_values(["queue", "channel", "_t"], kind="stable").reset_index(drop=True)


def infer_interval_min(frame: pd.DataFrame, interval_min: int | None) -> int:
    """The interval length: the smallest gap between consecutive starts of one queue/channel, checked
    against ``interval_min`` when given (a 15-minute forecast planned as 30-minute intervals is refused)."""
    gaps: list[float] = []
    for _, group in frame.groupby(["queue", "channel"], sort=False):
        diffs = group["_t"].diff().dropna().dt.total_seconds().to_numpy() / 60.0
        gaps.extend(diffs[diffs > 0].tolist())
    smallest = min(gaps) if gaps else None
    if interval_min is not None:
        if not 1 <= interval_min <= 1440:
            raise ValidationFailed(f"interval must be 1 to 1440 minutes, got {interval_min}")
        if smallest is not None and smallest < interval_min - 1e-9:
            raise ValidationFailed(f"forecast rows are {smallest:g} minutes apart but the interval is "
                                   f"{interval_min} minutes; pass --interval {smallest:g}")
        return interval_min
    if smallest is None:
        return 30
    if smallest != int(smallest) or smallest > 1440:
        raise ValidationFailed(f"cannot infer the interval from rows {smallest:g} minutes apart; give it")
    return int(smallest)


def _coverage(scheduled: pd.DataFrame, plan: pd.DataFrame) -> np.ndarray:
    column = next((c for c in SCHEDULED_COLUMNS if c in scheduled.columns), None)
    if column is None or "interval_start" not in scheduled.columns:
        raise ValidationFailed(f"schedule coverage: need interval_start and one of {', '.join(SCHEDULED_COLUMNS)}; "
                               f"got {', '.join(map(str, scheduled.columns))}")
    cov = pd.DataFrame({"_t": _times(scheduled["interval_start"], "schedule coverage"),
                        "scheduled": _numbers(scheduled, column, "schedule coverage")})
    if (cov["scheduled"] < 0).any() or cov["scheduled"].isna().any():
        raise ValidationFailed("schedule coverage: scheduled agents must be numbers >= 0")
    keys = ["_t"]
    for key in KEYS:
        if key in scheduled.columns:
            cov[key] = scheduled[key].fillna("").astype(str)
            keys.append(key)
        elif plan[key].nunique() > 1:
            raise ValidationFailed(f"schedule coverage has no {key} column but the forecast has several {key}s")
    cov = cov.groupby(keys, as_index=False)["scheduled"].sum()
    merged = plan[keys].merge(cov, on=keys, how="left")
    heads: np.ndarray = merged["scheduled"].fillna(0.0).to_numpy(dtype=float)
    return heads


def staffing_plan(forecast: pd.DataFrame, targets: StaffingTargets, *, interval_min: int | None = None,
                  scheduled: pd.DataFrame | None = None,
                  default_aht_s: float | None = None) -> tuple[pd.DataFrame, int]:
    """The plan (one row per queue/channel/interval, columns ``PLAN_COLUMNS`` and, with a coverage,
    ``scheduled``, ``gap`` = scheduled - FTE, ``scheduled_service_level``) and the interval length used.

    ``required`` is the smallest whole number of agents on the phones meeting every target; ``fte`` is
    ``required / (1 - shrinkage)``, the heads to schedule. The scheduled service level uses the heads left
    after shrinkage, ``floor(scheduled * (1 - shrinkage))``. ``default_aht_s`` fills rows without an AHT.
    """
    targets.check()
    frame = _prepare(forecast, default_aht_s)
    minutes = infer_interval_min(frame, interval_min)
    rate = frame["volume"].to_numpy() / (minutes * 60.0)
    aht = np.where(rate > 0, frame["aht_s"].fillna(1.0).to_numpy(), 1.0)
    too_big = np.flatnonzero(rate * aht > MAX_LOAD_ERLANGS)
    if too_big.size:
        row = int(too_big[0])
        raise ValidationFailed(f"forecast: row {row + 1}: offered load {rate[row] * aht[row]:.4g} Erlangs is above "
                               f"the {MAX_LOAD_ERLANGS:,.0f} supported (volume x AHT / interval)")
    try:
        required = required_agents_intervals(rate, aht, **targets._erlang_kwargs())
    except (ValueError, ArithmeticError) as exc:
        raise ValidationFailed(str(exc)) from None
    m = interval_metrics(required, rate, aht, targets.sl_threshold_s, patience_s=targets.patience_s)
    plan = frame[["interval_start", "queue", "channel", "volume"]].copy()
    plan["aht_s"] = frame["aht_s"]
    plan["erlangs"] = rate * aht
    plan["required"] = required
    plan["fte"] = scheduled_fte(required, targets.shrinkage)
    for name in ("service_level", "p_wait", "asa_s", "p_abandon", "occupancy"):
        plan[name] = getattr(m, name)
    if scheduled is not None:
        plan["_t"] = frame["_t"]
        heads = _coverage(scheduled, plan)
        plan = plan.drop(columns="_t")
        plan["scheduled"] = heads
        plan["gap"] = heads - plan["fte"].to_numpy()
        productive = np.floor(heads * (1.0 - targets.shrinkage) + 1e-9).astype(int)
        achieved = interval_metrics(productive, rate, aht, targets.sl_threshold_s, patience_s=targets.patience_s)
        plan["scheduled_service_level"] = achieved.service_level
    return plan, minutes


def plan_summary(plan: pd.DataFrame, interval_min: int) -> list[dict[str, Any]]:
    """Per queue/channel totals: volume, peak and agent-hours required, FTE hours, and (with a coverage)
    scheduled hours and the number of intervals scheduled below the FTE need."""
    out = []
    hours = interval_min / 60.0
    for (queue, channel), g in plan.groupby(["queue", "channel"], sort=False):
        row: dict[str, Any] = {
            "queue": queue, "channel": channel, "intervals": len(g), "volume": float(g["volume"].sum()),
            "peak_required": int(g["required"].max()), "required_hours": float(g["required"].sum() * hours),
            "fte_hours": float(g["fte"].sum() * hours),
        }
        if "scheduled" in g.columns:
            row["scheduled_hours"] = float(g["scheduled"].sum() * hours)
            row["understaffed_intervals"] = int((g["gap"] < -1e-9).sum())
        out.append(row)
    return out


def _json_number(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def calculate(*, calls: float, interval_min: float, aht_s: float, agents: int | None = None,
              sl_target: float | None = None, sl_threshold_s: float = 20.0, asa_target_s: float | None = None,
              max_abandon: float | None = None, max_occupancy: float | None = None, patience_s: float | None = None,
              shrinkage: float = 0.0) -> dict[str, Any]:
    """The Erlang calculator behind ``blendcc erlang`` and ``POST /api/wfm/erlang``: the load, the required
    agents for the targets given (if any), the metrics for ``agents`` (or the required number) and a table
    of metrics for a few agent counts around it. Infinite figures (unstable queue) come out as None."""
    from blendcc.wfm.erlang import erlang_a, erlang_c_metrics, required_agents

    if not (math.isfinite(calls) and calls >= 0):
        raise ValidationFailed(f"calls must be a number >= 0, got {calls}")
    if not (math.isfinite(interval_min) and interval_min > 0):
        raise ValidationFailed(f"interval must be > 0 minutes, got {interval_min}")
    if agents is not None and not 0 <= agents <= MAX_AGENTS_EVALUATED:
        raise ValidationFailed(f"agents must be 0 to {MAX_AGENTS_EVALUATED:,}, got {agents}")
    if not (math.isfinite(aht_s) and aht_s > 0):
        raise ValidationFailed(f"AHT must be a number of seconds > 0, got {aht_s}")
    if not 0.0 <= shrinkage < 1.0:
        raise ValidationFailed(f"shrinkage must be in [0, 1), e.g. 0.3 for 30 %; got {shrinkage}")
    has_target = any(t is not None for t in (sl_target, asa_target_s, max_abandon, max_occupancy))
    if agents is None and not has_target:
        raise ValidationFailed("give the agents to evaluate or a target (service level, ASA, abandonment, occupancy)")
    if patience_s is not None and not (math.isfinite(patience_s) and 0 < patience_s <= MAX_PATIENCE_S):
        raise ValidationFailed(f"patience must be a number of seconds > 0 and at most {MAX_PATIENCE_S:,.0f} "
                               f"(a week; longer is Erlang C), got {patience_s}")
    if patience_s is not None and agents == 0:
        raise ValidationFailed("agents must be >= 1 with a patience (Erlang A)")
    rate = calls / (interval_min * 60.0)
    if rate * aht_s > MAX_LOAD_ERLANGS:
        raise ValidationFailed(f"offered load {rate * aht_s:.4g} Erlangs (calls x AHT / interval) is above the "
                               f"{MAX_LOAD_ERLANGS:,.0f} supported")
    try:
        required = (required_agents(rate, aht_s, sl_target=sl_target, sl_threshold_s=sl_threshold_s,
                                    asa_target_s=asa_target_s, max_abandon=max_abandon, max_occupancy=max_occupancy,
                                    patience_s=patience_s) if has_target else None)

        def metrics(n: int) -> dict[str, Any]:
            m = (erlang_a(n, rate, aht_s, patience_s, sl_threshold_s) if patience_s is not None
                 else erlang_c_metrics(n, rate, aht_s, sl_threshold_s))
            return {"agents": n, **{k: _json_number(getattr(m, k)) for k in m.__dataclass_fields__}}

        focus = agents if agents is not None else required
        assert focus is not None
        low = max(1 if patience_s is not None else 0, focus - 2)
        table = [metrics(n) for n in range(low, focus + 4)]
        fte = None if required is None else float(scheduled_fte(required, shrinkage))
    except (ValueError, ArithmeticError) as exc:
        raise ValidationFailed(str(exc) or "a number is out of the range the Erlang formulas support") from None
    return {"model": "Erlang A" if patience_s is not None else "Erlang C", "erlangs": rate * aht_s,
            "arrival_rate_per_s": rate, "required": required, "fte": fte, "shrinkage": shrinkage,
            "metrics": metrics(focus), "table": table}

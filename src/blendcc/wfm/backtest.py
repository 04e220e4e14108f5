"""Rolling-origin backtests of the candidate models: WAPE and MAPE per horizon day, model selection.

For each origin (the last one ends at the end of the history, earlier ones step back ``step_days``)
every candidate is fitted on the days before the origin and forecasts ``horizon_days``; errors are
pooled over origins per horizon day. WAPE = sum|actual - forecast| / sum actual, MAPE = mean of
|actual - forecast| / actual over intervals with actual > 0 (KPIS.md). Days flagged as special are
not scored. The model with the lowest overall WAPE wins; ties go to the earlier model in the
registry, so the seasonal-naive baseline keeps the job unless a model is strictly better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from blendcc.wfm.models import BASELINE, MODELS, NotEnoughHistory, predict

#: the earliest origin leaves at least 4 weeks of history (what the baseline averages over)
MIN_ORIGIN_DAYS = 28


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    total = float(np.sum(actual))
    return float(np.sum(np.abs(actual - forecast))) / total if total > 0 else None


def mape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    pos = actual > 0
    return float(np.mean(np.abs(actual[pos] - forecast[pos]) / actual[pos])) if pos.any() else None


@dataclass
class HorizonScore:
    day: int  # 1 = the first day after the origin
    wape: float | None
    mape: float | None
    actual: float  # contacts scored on that horizon day, over all origins


@dataclass
class ModelScore:
    model: str
    wape: float | None = None
    mape: float | None = None
    per_horizon: list[HorizonScore] = field(default_factory=list)
    error: str | None = None  # why the model was not scored


@dataclass
class Backtest:
    horizon_days: int
    origins: list[int]  # day indexes into the history: fit on [0, origin), score [origin, origin + h)
    scores: dict[str, ModelScore]
    chosen: str

    def table(self) -> list[dict[str, object]]:
        """One row per model: overall WAPE/MAPE and WAPE per horizon day (for printing and JSON)."""
        return [{"model": s.model, "wape": s.wape, "mape": s.mape, "chosen": s.model == self.chosen,
                 "error": s.error, "per_horizon": [h.__dict__ for h in s.per_horizon]}
                for s in self.scores.values()]


def origins_for(days: int, horizon_days: int, n_origins: int, step_days: int) -> list[int]:
    last = days - horizon_days
    return sorted(o for o in (last - k * step_days for k in range(n_origins)) if o >= MIN_ORIGIN_DAYS)


def backtest(volume: np.ndarray, first_weekday: int, horizon_days: int, *, special: np.ndarray | None = None,
             models: Sequence[str] | None = None, n_origins: int = 4, step_days: int = 7) -> Backtest:
    """Score ``models`` (default: every registered model) on ``volume`` (days x slots, special days
    already imputed); ``special`` (bool per day) marks days left out of the scores."""
    names = list(models) if models is not None else list(MODELS)
    if BASELINE not in names:
        names.insert(0, BASELINE)
    names.sort(key=list(MODELS).index)
    days = volume.shape[0]
    origins = origins_for(days, horizon_days, n_origins, step_days)
    if not origins:
        raise NotEnoughHistory(f"a {horizon_days}-day backtest needs {MIN_ORIGIN_DAYS + horizon_days} days "
                               f"of history, got {days}")
    scored = np.ones(days, dtype=bool) if special is None else ~special.astype(bool)
    scores: dict[str, ModelScore] = {}
    for name in names:
        score = scores[name] = ModelScore(name)
        if MODELS[name].min_days > origins[0]:
            score.error = f"needs {MODELS[name].min_days} days of history before the first origin"
            continue
        abs_err = np.zeros(horizon_days)
        act_sum = np.zeros(horizon_days)
        ape: list[list[float]] = [[] for _ in range(horizon_days)]
        try:
            for o in origins:
                fc = predict(name, volume[:o], first_weekday, horizon_days)
                for k in range(horizon_days):
                    if not scored[o + k]:
                        continue
                    a, f = volume[o + k], fc[k]
                    abs_err[k] += float(np.abs(a - f).sum())
                    act_sum[k] += float(a.sum())
                    pos = a > 0
                    ape[k].extend((np.abs(a[pos] - f[pos]) / a[pos]).tolist())
        except (NotEnoughHistory, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            score.error = f"{type(exc).__name__}: {exc}"
            continue
        for k in range(horizon_days):
            score.per_horizon.append(HorizonScore(
                k + 1, abs_err[k] / act_sum[k] if act_sum[k] > 0 else None,
                float(np.mean(ape[k])) if ape[k] else None, float(act_sum[k])))
        total = float(act_sum.sum())
        score.wape = float(abs_err.sum()) / total if total > 0 else None
        all_ape = [x for xs in ape for x in xs]
        score.mape = float(np.mean(all_ape)) if all_ape else None
    ranked = [s for s in scores.values() if s.wape is not None]
    chosen = min(ranked, key=lambda s: s.wape or 0.0).model if ranked else BASELINE
    return Backtest(horizon_days, origins, scores, chosen)

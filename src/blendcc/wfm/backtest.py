"""Rolling-origin backtests on the target's weekday: WAPE and MAPE per horizon day, the combined choice.

The forecast starts the day after the history; every origin starts on that same weekday, a whole number
of weeks earlier, with its whole horizon inside the history (a Monday target is scored on past Mondays at
the same horizon day). Every candidate is fitted on the days before each origin and forecasts
``horizon_days``; errors are pooled over origins per horizon day. WAPE = sum|actual - forecast| / sum
actual, MAPE = mean of |actual - forecast| / actual over intervals with actual > 0 (KPIS.md); MAE beside
them so a closed weekday (no contacts) is still scored. Days flagged as special are not scored.

The choice (:data:`COMBINED`) is the inverse-squared-WAPE weighted mean of the best models (up to
``TOP_MODELS`` within ``WITHIN`` of the best WAPE); it is scored on the same origins as the single models
and shown beside them. Ties of single models go to the earlier model in the registry (the baseline).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from blendcc.wfm.models import BASELINE, DEFAULT_MODELS, MODELS, NotEnoughHistory, predict

#: the earliest origin leaves at least 4 weeks of history (what the baseline averages over)
MIN_ORIGIN_DAYS = 28
COMBINED = "combined"
#: at most this many models are combined, each with a WAPE at most (1 + WITHIN) x the best one
TOP_MODELS = 3
WITHIN = 0.25
#: a progress callback: (steps done, steps in all)
Progress = Callable[[int, int], None]


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
    mae: float | None = None  # mean absolute error per scored interval


@dataclass
class ModelScore:
    model: str
    wape: float | None = None
    mape: float | None = None
    per_horizon: list[HorizonScore] = field(default_factory=list)
    error: str | None = None  # why the model was not scored
    mae: float | None = None
    weight: float = 0.0  # its share in the combined forecast

    @property
    def scored(self) -> bool:
        return self.mae is not None


@dataclass
class Backtest:
    horizon_days: int
    origins: list[int]  # day indexes into the history: fit on [0, origin), score [origin, origin + h)
    scores: dict[str, ModelScore]
    chosen: str
    weights: dict[str, float] = field(default_factory=dict)  # model -> weight of the combined forecast
    #: standardised errors (actual - forecast) / sqrt(forecast + 1) of the chosen forecast, scored open intervals
    residuals: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def table(self) -> list[dict[str, object]]:
        """One row per model: overall WAPE/MAPE and WAPE per horizon day (for printing and JSON)."""
        return [{"model": s.model, "wape": s.wape, "mape": s.mape, "mae": s.mae, "chosen": s.model == self.chosen,
                 "weight": s.weight, "error": s.error, "per_horizon": [h.__dict__ for h in s.per_horizon]}
                for s in self.scores.values()]


def origins_for(days: int, horizon_days: int, n_origins: int, step_days: int = 7) -> list[int]:
    """Origins on the weekday of day ``days`` (the target's first day), whole weeks back, each horizon
    inside the history and at least :data:`MIN_ORIGIN_DAYS` of history before it."""
    step = max(7, -(-step_days // 7) * 7)
    last = days - -(-horizon_days // 7) * 7
    return sorted(o for o in (last - k * step for k in range(n_origins)) if o >= MIN_ORIGIN_DAYS)


def combine(forecasts: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    out = np.zeros_like(next(iter(forecasts.values())), dtype=float)
    for m, w in weights.items():
        out += forecasts[m] * w
    return out


def combination_weights(scores: dict[str, ModelScore]) -> dict[str, float]:
    """Inverse squared WAPE weights of the best scored models (the baseline alone if nothing else scored)."""
    ranked = sorted((s for s in scores.values() if s.wape is not None and s.model != COMBINED),
                    key=lambda s: (s.wape or 0.0, list(MODELS).index(s.model)))
    if not ranked:
        return {}
    best = ranked[0].wape or 0.0
    top = [s for s in ranked[:TOP_MODELS] if (s.wape or 0.0) <= best * (1 + WITHIN)]
    if best <= 1e-12:
        return {top[0].model: 1.0}
    inv = {s.model: 1.0 / max(s.wape or 0.0, 1e-12) ** 2 for s in top}
    total = sum(inv.values())
    return {m: v / total for m, v in inv.items()}


class _Pool:
    """Errors of one forecast pooled per horizon day over origins."""

    def __init__(self, horizon_days: int):
        self.abs_err = np.zeros(horizon_days)
        self.act = np.zeros(horizon_days)
        self.n = np.zeros(horizon_days)
        self.ape: list[list[float]] = [[] for _ in range(horizon_days)]

    def add(self, k: int, a: np.ndarray, f: np.ndarray) -> None:
        self.abs_err[k] += float(np.abs(a - f).sum())
        self.act[k] += float(a.sum())
        self.n[k] += a.size
        pos = a > 0
        self.ape[k].extend((np.abs(a[pos] - f[pos]) / a[pos]).tolist())

    def fill(self, score: ModelScore) -> None:
        h = len(self.act)
        score.per_horizon = [HorizonScore(
            k + 1, self.abs_err[k] / self.act[k] if self.act[k] > 0 else None,
            float(np.mean(self.ape[k])) if self.ape[k] else None, float(self.act[k]),
            self.abs_err[k] / self.n[k] if self.n[k] > 0 else None) for k in range(h)]
        total, n = float(self.act.sum()), float(self.n.sum())
        score.wape = float(self.abs_err.sum()) / total if total > 0 else None
        score.mae = float(self.abs_err.sum()) / n if n > 0 else None
        all_ape = [x for xs in self.ape for x in xs]
        score.mape = float(np.mean(all_ape)) if all_ape else None


def backtest(volume: np.ndarray, first_weekday: int, horizon_days: int, *, special: np.ndarray | None = None,
             models: Sequence[str] | None = None, n_origins: int = 12, step_days: int = 7,
             progress: Progress | None = None, combined: bool = True, first_day: date | None = None) -> Backtest:
    """Score ``models`` (default: :data:`DEFAULT_MODELS`) on ``volume`` (days x slots, special days
    already imputed); ``special`` (bool per day) marks days left out of the scores. With ``combined`` the
    choice is the weighted combination of the best models, else the single model with the lowest WAPE.
    ``first_day`` (the history's first date) lets dated models (day of month) be scored."""
    names = list(models) if models is not None else list(DEFAULT_MODELS)
    if BASELINE not in names:
        names.insert(0, BASELINE)
    names.sort(key=list(MODELS).index)
    days = volume.shape[0]
    origins = origins_for(days, horizon_days, n_origins, step_days)
    if not origins:
        raise NotEnoughHistory(f"a {horizon_days}-day backtest on the target's weekday needs "
                               f"{MIN_ORIGIN_DAYS + -(-horizon_days // 7) * 7} days of history, got {days}")
    scored = np.ones(days, dtype=bool) if special is None else ~special.astype(bool)
    scores: dict[str, ModelScore] = {}
    fcs: dict[str, dict[int, np.ndarray]] = {}
    steps, done = len(names) * len(origins), 0
    for name in names:
        score = scores[name] = ModelScore(name)
        if MODELS[name].min_days > origins[0]:
            score.error = f"needs {MODELS[name].min_days} days of history before the first origin"
            done += len(origins)
            if progress:
                progress(done, steps)
            continue
        pool, per_origin = _Pool(horizon_days), {}
        try:
            for o in origins:
                per_origin[o] = fc = predict(name, volume[:o], first_weekday, horizon_days, first_day)
                for k in range(horizon_days):
                    if scored[o + k]:
                        pool.add(k, volume[o + k], fc[k])
                done += 1
                if progress:
                    progress(done, steps)
        except (NotEnoughHistory, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            score.error = f"{type(exc).__name__}: {exc}"
            done = (names.index(name) + 1) * len(origins)
            continue
        pool.fill(score)
        if not any(scored[o + k] for o in origins for k in range(horizon_days)):
            score.error, score.mae = "every scored day is a special day", None
        fcs[name] = per_origin
    return _choose(volume, scored, origins, horizon_days, scores, fcs, combined)


def _choose(volume: np.ndarray, scored: np.ndarray, origins: list[int], horizon_days: int,
            scores: dict[str, ModelScore], fcs: dict[str, dict[int, np.ndarray]], combined: bool) -> Backtest:
    ranked = [s for s in scores.values() if s.scored]
    # lowest WAPE (MAE when the scored days had no contacts); ties keep the registry order
    best = min(ranked, key=lambda s: (s.wape if s.wape is not None else 0.0, s.mae or 0.0,
                                      list(MODELS).index(s.model))).model if ranked else BASELINE
    weights = combination_weights(scores) if combined else {}
    if len(weights) < 2:
        weights = {best: 1.0}
    chosen = best if len(weights) == 1 else COMBINED
    per_origin = {o: combine({m: fcs[m][o] for m in weights}, weights) for o in origins} if best in fcs else {}
    if chosen == COMBINED:
        pool = _Pool(horizon_days)
        score = scores[COMBINED] = ModelScore(COMBINED, weight=1.0)
        for o, fc in per_origin.items():
            for k in range(horizon_days):
                if scored[o + k]:
                    pool.add(k, volume[o + k], fc[k])
        pool.fill(score)
    for m, w in weights.items():
        scores[m].weight = w
    # intervals with contacts forecast or seen (closed hours would pile up exact zeros and narrow the band)
    z = [((a - f) / np.sqrt(f + 1.0))[(f >= 0.5) | (a > 0)] for o, fc in per_origin.items()
         for k in range(horizon_days) if scored[o + k] for a, f in [(volume[o + k], fc[k])]]
    residuals = np.concatenate(z) if z else np.zeros(0)
    return Backtest(horizon_days, origins, scores, chosen, weights, residuals)


def interval_bounds(forecast: np.ndarray, residuals: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Prediction interval per interval at ``level`` (0.8 = 80 %): the backtest's standardised errors'
    quantiles scaled by sqrt(forecast + 1), clipped at 0. Without residuals, a Poisson normal approximation."""
    if not 0 < level < 1:
        raise ValueError("the interval level is between 0 and 1 (e.g. 0.8)")
    if residuals.size >= 20:
        lo_q, hi_q = np.quantile(residuals, [(1 - level) / 2, (1 + level) / 2])
    else:
        from scipy.stats import norm

        hi_q = float(norm.ppf((1 + level) / 2))
        lo_q = -hi_q
    scale = np.sqrt(forecast + 1.0)
    return np.clip(forecast + lo_q * scale, 0.0, None), np.clip(forecast + hi_q * scale, 0.0, None)

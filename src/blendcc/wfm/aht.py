"""AHT per interval: volume-weighted profiles as candidates, backtested on the volume backtest's origins.

Each candidate maps the summed handle seconds and the contacts they are over (``days x slots``) to an AHT
per interval of the horizon: the same weekday and interval over the last 4 or 8 weeks, or the same
interval on any day of the last 4 weeks; each falls back to the interval on any day, then to the overall
AHT. The error of an AHT forecast is the handle-time WAPE: sum |actual handle - forecast AHT x actual
contacts| / sum actual handle, over the scored days; the lowest wins, ties keep the first candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

AhtFn = Callable[[np.ndarray, np.ndarray, int, int], "np.ndarray | None"]


def _profile(weeks: int, by_weekday: bool) -> AhtFn:
    def fn(handle: np.ndarray, weight: np.ndarray, first_weekday: int, horizon_days: int) -> np.ndarray | None:
        days, slots = handle.shape
        if weight.sum() <= 0:
            return None
        wd = (np.arange(days) + first_weekday) % 7
        recent_v, recent_h = weight[-28:], handle[-28:]
        overall = handle.sum() / weight.sum() if recent_v.sum() <= 0 else recent_h.sum() / recent_v.sum()
        slot_v, slot_h = weight[-7 * weeks:].sum(axis=0), handle[-7 * weeks:].sum(axis=0)
        by_slot = np.where(slot_v > 0, slot_h / np.maximum(slot_v, 1e-12), overall)
        out = np.empty((horizon_days, slots))
        for k in range(horizon_days):
            if not by_weekday:
                out[k] = by_slot
                continue
            same = np.flatnonzero(wd == (first_weekday + days + k) % 7)[-weeks:]
            v, h = weight[same].sum(axis=0), handle[same].sum(axis=0)
            out[k] = np.where(v > 0, h / np.maximum(v, 1e-12), by_slot)
        return out
    return fn


AHT_MODELS: dict[str, AhtFn] = {
    "aht_weekday_4w": _profile(4, True),
    "aht_weekday_8w": _profile(8, True),
    "aht_interval_4w": _profile(4, False),
}
AHT_DEFAULT = "aht_weekday_4w"


@dataclass
class AhtBacktest:
    chosen: str
    scores: dict[str, float | None] = field(default_factory=dict)  # model -> handle-time WAPE
    origins: int = 0


def drop_days(handle: np.ndarray, weight: np.ndarray, skip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Special days carry no AHT information (their handle and contacts set to zero, weekdays kept)."""
    h, w = handle.copy(), weight.copy()
    h[skip], w[skip] = 0.0, 0.0
    return h, w


def forecast_aht(handle: np.ndarray, weight: np.ndarray, first_weekday: int, horizon_days: int,
                 skip: np.ndarray, model: str = AHT_DEFAULT) -> np.ndarray | None:
    """AHT per interval of the ``horizon_days`` after the history, special days (``skip``) left out."""
    h, w = drop_days(handle, weight, skip)
    return AHT_MODELS[model](h, w, first_weekday, horizon_days)


def backtest_aht(handle: np.ndarray, weight: np.ndarray, first_weekday: int, horizon_days: int,
                 origins: Sequence[int], skip: np.ndarray) -> AhtBacktest:
    """Score every AHT candidate on ``origins`` (fit before, score the horizon after, special days out)."""
    h, w = drop_days(handle, weight, skip)
    scores: dict[str, float | None] = {}
    for name, fn in AHT_MODELS.items():
        err = act = 0.0
        for o in origins:
            fc = fn(h[:o], w[:o], first_weekday, horizon_days)
            if fc is None:
                continue
            ah, aw = h[o:o + horizon_days], w[o:o + horizon_days]
            err += float(np.abs(ah - fc[:len(ah)] * aw).sum())
            act += float(ah.sum())
        scores[name] = err / act if act > 0 else None
    ranked = [(v, list(AHT_MODELS).index(k), k) for k, v in scores.items() if v is not None]
    return AhtBacktest(min(ranked)[2] if ranked else AHT_DEFAULT, scores, len(origins))

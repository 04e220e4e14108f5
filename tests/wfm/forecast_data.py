"""Synthetic contact histories for the forecasting tests: a known intraday shape, weekday levels, trend, noise."""

from __future__ import annotations

from datetime import date

import numpy as np

from blendcc.wfm.series import Series

SLOTS = 48  # 30-minute intervals
#: Monday .. Sunday level
WEEKDAY_LEVEL = np.array([1.0, 1.0, 0.95, 0.95, 0.8, 0.3, 0.15])
#: 2024-01-01 is a Monday
MONDAY = date(2024, 1, 1)


def shape(slots: int = SLOTS) -> np.ndarray:
    """Share of a day's contacts per interval: a bump between 08:00 and 18:00 peaking at 11:00."""
    hours = (np.arange(slots) + 0.5) * 24 / slots
    bump = np.exp(-0.5 * ((hours - 11.0) / 3.0) ** 2) * ((hours > 7) & (hours < 19))
    return bump / bump.sum()


def volumes(days: int, daily: float = 1000.0, growth_per_day: float = 0.0, noise_seed: int | None = None,
            slots: int = SLOTS) -> np.ndarray:
    """days x slots expected (or, with a seed, Poisson) volumes starting on a Monday."""
    wd = np.arange(days) % 7
    level = daily * WEEKDAY_LEVEL[wd] * (1.0 + growth_per_day) ** np.arange(days)
    mean = level[:, None] * shape(slots)[None, :]
    if noise_seed is None:
        return mean
    return np.random.default_rng(noise_seed).poisson(mean).astype(float)


def series(days: int, aht: float | None = 200.0, **kw: object) -> Series:
    v = volumes(days, **kw)  # type: ignore[arg-type]
    return Series("sales", "voice", MONDAY, 30, v, None if aht is None else v * aht)

"""Duration distributions of a scenario (handle time, wrap-up, ring delay, patience) and their samplers.

A distribution is a small pydantic document (``{dist: exponential, mean_s: 180}``); ``sampler(rng)``
turns it into a zero-argument function drawing from a seeded ``random.Random``. ``None`` from a
sampler means "never" (infinite patience).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sampler = Callable[[], float | None]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Exponential(_Dist):
    """Exponential with mean ``mean_s`` (memoryless: the M in M/M/N+M)."""

    dist: Literal["exponential"]
    mean_s: float = Field(gt=0)

    def sampler(self, rng: random.Random) -> Sampler:
        rate = 1.0 / self.mean_s
        expo = rng.expovariate
        return lambda: expo(rate)

    def mean(self) -> float | None:
        return self.mean_s


class LogNormal(_Dist):
    """Log-normal given by the mean and standard deviation of the duration itself (not of its log)."""

    dist: Literal["lognormal"]
    mean_s: float = Field(gt=0)
    sd_s: float = Field(gt=0)

    def sampler(self, rng: random.Random) -> Sampler:
        sigma2 = math.log(1.0 + (self.sd_s / self.mean_s) ** 2)
        mu = math.log(self.mean_s) - sigma2 / 2.0
        sigma = math.sqrt(sigma2)
        draw = rng.lognormvariate
        return lambda: draw(mu, sigma)

    def mean(self) -> float | None:
        return self.mean_s


class Empirical(_Dist):
    """Resample recorded durations (each value equally likely, or with ``weights``)."""

    dist: Literal["empirical"]
    values_s: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        if any(v < 0 or not math.isfinite(v) for v in self.values_s):
            raise ValueError("empirical values must be finite and >= 0")
        if self.weights is not None:
            if len(self.weights) != len(self.values_s):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 or not math.isfinite(w) for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be finite, >= 0 and not all zero")
        return self

    def sampler(self, rng: random.Random) -> Sampler:
        values = tuple(self.values_s)
        if self.weights is None:
            n = len(values)
            rand = rng.random
            return lambda: values[int(rand() * n)]
        cum: list[float] = []
        total = 0.0
        for w in self.weights:
            total += w
            cum.append(total)
        choices = rng.choices
        return lambda: choices(values, cum_weights=cum)[0]

    def mean(self) -> float | None:
        if self.weights is None:
            return sum(self.values_s) / len(self.values_s)
        return sum(v * w for v, w in zip(self.values_s, self.weights, strict=True)) / sum(self.weights)


class Constant(_Dist):
    """Always ``value_s`` (e.g. a fixed ring delay)."""

    dist: Literal["constant"]
    value_s: float = Field(ge=0)

    def sampler(self, rng: random.Random) -> Sampler:
        value = self.value_s
        return lambda: value

    def mean(self) -> float | None:
        return self.value_s


class Never(_Dist):
    """Infinite patience: the customer never hangs up while waiting."""

    dist: Literal["never"]

    def sampler(self, rng: random.Random) -> Sampler:
        return lambda: None

    def mean(self) -> float | None:
        return None


Distribution = Annotated[Exponential | LogNormal | Empirical | Constant, Field(discriminator="dist")]
Patience = Annotated[Exponential | LogNormal | Empirical | Constant | Never, Field(discriminator="dist")]

ZERO = Constant(dist="constant", value_s=0.0)
NEVER = Never(dist="never")

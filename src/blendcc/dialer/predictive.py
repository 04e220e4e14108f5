"""Predictive pacing: outcome and handle-time estimates, the call-count decision and its feedback.

The model (ADR 0010). From recent attempts the dialer estimates ``p`` (the share of calls a live person
answers), ``F`` (the time-to-answer distribution of live answers) and the time non-live calls take to
resolve; from recent contacts the talk-time and after-contact-work distributions.
For a horizon ``tau`` after now, the demand for agents is the live answers still waiting plus those
expected by ``tau`` from calls ringing (each conditioned on its elapsed ring time) plus ``n`` new
calls (and the calls the dialer will go on placing at its recent rate that are answered earlier); the
supply is the agents free now plus those expected free by ``tau + connect_within_s``: a timed
wrap-up ends when it says, a talking agent must first end its conversation (conditioned on how long
it has lasted) and then do its wrap-up, a manual wrap-up is conditioned on its length so far. Both
are sums of independent Bernoullis, approximated as normal. The ``n``-th new call is placed only if
the probability that its own live answer finds no agent, averaged over its answer time, is at most
``alpha``. ``alpha`` starts at the campaign's abandon target and is steered by feedback so the
measured abandonment converges on the target (a Robbins-Monro step per live answer).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class _Samples:
    """A rolling window of durations with an empirical CDF (a sorted copy kept in step)."""

    def __init__(self, size: int) -> None:
        self._window: deque[float] = deque()
        self._sorted: list[float] = []
        self._size = size
        self._array: Array | None = None

    def add(self, x: float) -> None:
        x = max(0.0, float(x))
        self._window.append(x)
        bisect.insort(self._sorted, x)
        if len(self._window) > self._size:
            old = self._window.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        self._array = None

    def __len__(self) -> int:
        return len(self._sorted)

    def cdf(self, t: Array) -> Array:
        """Share of samples <= t, elementwise."""
        if self._array is None:
            self._array = np.asarray(self._sorted, dtype=np.float64)
        n = len(self._sorted)
        if not n:
            return np.zeros_like(t)
        return np.searchsorted(self._array, t, side="right").astype(np.float64) / n

    def mean(self) -> float:
        return sum(self._sorted) / len(self._sorted) if self._sorted else 0.0


class OutcomeEstimator:
    """Rolling estimates from recent attempts and contacts of one campaign.

    ``p_live`` is a Beta-smoothed share of live answers over the last ``window`` attempts (prior
    ``prior_p`` worth ``prior_weight`` attempts). Until samples exist, answers are assumed uniform
    over ``[0, ring_timeout_s)``, non-live calls to take the whole ring timeout and handle times
    to be exponential with mean ``prior_handle_s``. Times are numpy arrays (elementwise).
    """

    def __init__(self, *, window: int = 400, prior_p: float = 0.3, prior_weight: float = 20.0,
                 ring_timeout_s: float = 25.0, prior_handle_s: float = 180.0) -> None:
        self._attempts: deque[bool] = deque()
        self._live = 0
        self._window = window
        self.prior_p = prior_p
        self.prior_weight = prior_weight
        self.ring_timeout_s = ring_timeout_s
        self.prior_handle_s = prior_handle_s
        self.answer = _Samples(window)
        self.nonlive = _Samples(window)
        self.handle = _Samples(window)  # connect until free (talk + hold + after-contact work)
        self.talk = _Samples(window)  # connect until the conversation ends (talk + hold)
        self.acw = _Samples(window)  # after-contact work

    def record_attempt(self, live: bool, duration_s: float) -> None:
        """An attempt resolved: ``live`` answered by a person after ``duration_s`` of ringing, or not
        live (busy, no answer, machine, failure) after ``duration_s``."""
        self._attempts.append(live)
        self._live += int(live)
        if len(self._attempts) > self._window:
            self._live -= int(self._attempts.popleft())
        (self.answer if live else self.nonlive).add(duration_s)

    def record_handle(self, talk_s: float, acw_s: float) -> None:
        """A contact of the pool was handled: ``talk_s`` of conversation (with hold), then ``acw_s``
        of after-contact work until the agent was free."""
        self.handle.add(talk_s + acw_s)
        self.talk.add(talk_s)
        self.acw.add(acw_s)

    @property
    def attempts(self) -> int:
        return len(self._attempts)

    def p_live(self) -> float:
        n = len(self._attempts)
        return (self._live + self.prior_p * self.prior_weight) / (n + self.prior_weight)

    def answer_cdf(self, t: Array) -> Array:
        """P(a live answer comes within ``t`` seconds of placing the call)."""
        if len(self.answer):
            return self.answer.cdf(t)
        return np.clip(t / self.ring_timeout_s, 0.0, 1.0)

    def nonlive_survival(self, t: Array) -> Array:
        """P(a call that will not be answered live is still unresolved after ``t`` seconds)."""
        if len(self.nonlive):
            return 1.0 - self.nonlive.cdf(t)
        return (t < self.ring_timeout_s).astype(np.float64)

    def live_within(self, elapsed: Array, taus: Array, p: float) -> Array:
        """P(a call ringing for ``elapsed`` s is answered live within the next ``tau`` s): one row per
        call, one column per tau."""
        f0 = self.answer_cdf(elapsed)
        f1 = self.answer_cdf(elapsed[:, None] + taus[None, :])
        alive = p * (1.0 - f0) + (1.0 - p) * self.nonlive_survival(elapsed)
        safe = np.where(alive > 1e-12, alive, 1.0)
        q = p * (f1 - f0[:, None]) / safe[:, None]
        return np.clip(np.where(alive[:, None] > 1e-12, q, 0.0), 0.0, 1.0)

    def free_within(self, elapsed: Array, taus: Array, wrap_s: Array) -> Array:
        """P(an agent talking for ``elapsed`` s is free within the next ``tau`` s): its conversation must
        end within ``tau - wrap`` (``wrap_s``: the queue's timed wrap-up, NaN when manual: the mean
        observed after-contact work). One row per agent, one column per tau."""
        wrap = np.where(np.isnan(wrap_s), self.acw.mean() if len(self.acw) else 30.0, wrap_s)
        room = np.clip(taus[None, :] - wrap[:, None], 0.0, None)
        return self._within(self.talk, elapsed, room, max(1.0, self.prior_handle_s - 30.0))

    def wrap_within(self, elapsed: Array, taus: Array) -> Array:
        """P(an agent in manual wrap-up for ``elapsed`` s is free within the next ``tau`` s)."""
        room = np.broadcast_to(taus[None, :], (len(elapsed), len(taus)))
        return self._within(self.acw, elapsed, room, 30.0)

    @staticmethod
    def _within(samples: _Samples, elapsed: Array, room: Array, prior_mean: float) -> Array:
        """P(X <= e + room | X > e) from ``samples`` (exponential with ``prior_mean`` until 20 exist)."""
        if len(samples) < 20:
            return np.asarray(1.0 - np.exp(-room / prior_mean), dtype=np.float64)
        g0 = samples.cdf(elapsed)
        g1 = samples.cdf(elapsed[:, None] + room)
        left = 1.0 - g0
        beyond = room / (room + 30.0)  # past every sample: due soon, but not certain
        safe = np.where(left > 1e-9, left, 1.0)
        out = np.where(left[:, None] > 1e-9, (g1 - g0[:, None]) / safe[:, None], beyond)
        return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Busy:
    """A pool agent who is not free. Talking (or on hold) for ``elapsed`` s, then ``wrap_s`` of timed
    wrap-up (None: manual wrap-up); or, with ``wrapping``, in a manual wrap-up for ``elapsed`` s; or
    free in exactly ``free_in`` s (a timed wrap-up under way)."""

    elapsed: float
    free_in: float | None = None
    wrap_s: float | None = None
    wrapping: bool = False


@dataclass(frozen=True, slots=True)
class Forecast:
    calls: int
    risk: float  # probability the last call's live answer finds no agent (of the call after it when 0)
    p_live: float
    expected_free: float  # agents expected free within the median answer time


class AlphaController:
    """Steers the per-call abandon risk ``alpha`` so measured abandonment converges on ``target``:
    after each live answer, alpha *= exp(-gain * (abandoned - target)), kept within bounds."""

    def __init__(self, target: float, *, gain: float = 0.05, low: float = 0.002, high: float = 0.3) -> None:
        self.target = target
        self.alpha = target
        self.gain = gain
        self.low = low
        self.high = high

    def observe(self, abandoned: bool) -> None:
        x = 1.0 if abandoned else 0.0
        self.alpha = min(self.high, max(self.low, self.alpha * math.exp(-self.gain * (x - self.target))))


_GRIDS: dict[tuple[float, float], tuple[Array, Array]] = {}


def _grids(step_s: float, horizon: float) -> tuple[Array, Array]:
    """The look-ahead horizons and the 0.25 s integration grid (cached: they depend on two numbers)."""
    key = (step_s, horizon)
    grids = _GRIDS.get(key)
    if grids is None:
        taus = np.arange(step_s, horizon + 1e-9, step_s, dtype=np.float64)
        if taus.size == 0:
            taus = np.asarray([horizon], dtype=np.float64)
        fine = np.arange(0.0, horizon + step_s, 0.25, dtype=np.float64)
        grids = _GRIDS[key] = (taus, fine)
    return grids


def predictive_calls(
    *,
    free: int,
    busy: Sequence[Busy],
    ringing: Sequence[float],
    waiting: int,
    estimator: OutcomeEstimator,
    alpha: float,
    connect_within_s: float,
    max_calls: int,
    dial_rate: float = 0.0,
    step_s: float = 2.0,
) -> Forecast:
    """How many new calls to place now (see the module docstring). ``ringing``: elapsed seconds of each
    unanswered call in flight; ``waiting``: live answers not yet connected; ``max_calls`` bounds
    the answer (lines available, records available). ``dial_rate`` (calls per second, recent) is the
    pace the dialer will keep up after this decision: calls placed in the next seconds and answered
    before a call placed now compete for the same agents, so their live answers count as demand."""
    from scipy.special import ndtr  # here, not at import: the server starts without SciPy (ADR 0059)

    p = estimator.p_live()
    horizon = estimator.ring_timeout_s
    taus, fine = _grids(step_s, horizon)
    f = estimator.answer_cdf(taus)
    weights = f.copy()
    weights[1:] -= f[:-1]
    np.clip(weights, 0.0, None, out=weights)
    # demand: live answers by tau (waiting + ringing calls); supply: agents free by tau + grace
    demand = np.full_like(taus, float(waiting))
    if dial_rate > 0.0:
        # calls placed at rate r over (0, tau) answered live by tau: r * p * integral_0^tau F(u) du
        g = estimator.answer_cdf(fine)
        cum = np.concatenate([[0.0], np.cumsum(0.125 * (g[1:] + g[:-1]))])
        demand += dial_rate * p * np.interp(taus, fine, cum)
    supply = np.full_like(taus, float(free))
    var = np.zeros_like(taus)
    if ringing:
        q = estimator.live_within(np.asarray(ringing, dtype=np.float64), taus, p)
        demand += q.sum(axis=0)
        var += (q * (1.0 - q)).sum(axis=0)
    grace = taus + connect_within_s
    if busy:
        known = [b.free_in for b in busy if b.free_in is not None]
        talking = [b for b in busy if b.free_in is None and not b.wrapping]
        wrapping = np.asarray([b.elapsed for b in busy if b.free_in is None and b.wrapping], dtype=np.float64)
        if known:
            r = (np.asarray(known, dtype=np.float64)[:, None] <= grace[None, :]).astype(np.float64)
            supply += r.sum(axis=0)
        parts: list[Array] = []
        if talking:
            parts.append(estimator.free_within(
                np.asarray([b.elapsed for b in talking], dtype=np.float64), grace,
                np.asarray([np.nan if b.wrap_s is None else b.wrap_s for b in talking], dtype=np.float64)))
        if wrapping.size:
            parts.append(estimator.wrap_within(wrapping, grace))
        for r in parts:
            supply += r.sum(axis=0)
            var += (r * (1.0 - r)).sum(axis=0)
    mu = demand - supply
    new_q = p * f
    total_w = float(weights.sum())
    if total_w <= 0.0:
        weights = np.full_like(taus, 1.0 / taus.size)
        total_w = 1.0
    live = weights > 0.0

    def risk(k: int) -> float:
        """P(the live answer of new call number k+1 finds no agent), averaged over its answer time."""
        m = mu[live] + k * new_q[live] + 1.0  # the others answered by then, plus this one
        v = var[live] + k * new_q[live] * (1.0 - new_q[live])
        tiny = v < 1e-9
        z = (0.5 - m) / np.sqrt(np.where(tiny, 1.0, v))
        probs = np.where(tiny, (m > 0.5).astype(np.float64), ndtr(-z))
        return float((weights[live] * probs).sum()) / total_w

    n = 0
    r_n = risk(0)
    while n < max_calls and r_n <= alpha:
        n += 1
        r_n = risk(n)
    median = min(int(np.searchsorted(f, 0.5)), taus.size - 1)
    return Forecast(calls=n, risk=r_n, p_live=p, expected_free=float(supply[median]))

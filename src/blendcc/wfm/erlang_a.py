"""Erlang A (M/M/N+M) on its birth-death chain: exact per-arrival metrics in log space, at any size.

States are the number of contacts in the system; births at rate lambda, deaths at ``min(n, N) mu +
max(n - N, 0) theta`` (mu = 1/AHT, theta = 1/mean patience). With ``alpha = N mu / theta`` and
``b = lambda / theta``, relative to pi(N-1) the chain gives

* below N: ``sum_{j<N} pi_j / pi_{N-1} = 1 / B(N-1, A)`` (Erlang B, exact recurrence);
* queue of k: ``w_k = pi_{N+k} / pi_{N-1} = (A/N) prod_{i=1..k} b / (alpha + i)``.

An arrival (PASTA) that finds k contacts queued needs k+1 advances at rates ``N mu + j theta`` while its
own patience runs out at rate theta. Competing exponentials give, in closed form:

* P(answered | k) = ``alpha / (alpha + k + 1)`` (the product telescopes);
* E[wait; answered | k] = P(answered | k) * ``sum_{i=1..k+1} 1 / (N mu + i theta)``;
* P(answered within T | k) = P(answered | k) * ``I_x(k+1, alpha+1)`` with ``x = 1 - exp(-theta T)``: the
  holding times are Exp(N mu + i theta), i = 1..k+1, whose sum is distributed as the (k+1)-th order
  statistic of ``alpha + k + 1`` Exp(theta) variables (regularised incomplete beta ``I``).

The sum over k runs over the window where ``w_k`` is within e^-45 of its peak (the peak sits at
``k* = max(0, (lambda - N mu) / theta)``, the width is ``sqrt(b)``), so the cost is O(sqrt(b)) whatever
the load; the window's first weight comes from log-gamma and every later one from a cumulative sum.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from blendcc.wfm.erlang import QueueMetrics, log_erlang_b


def erlang_a_metrics(servers: int, rate: float, aht: float, patience: float, threshold: float) -> QueueMetrics:
    """Validated inputs in (see :func:`blendcc.wfm.erlang.erlang_a`), :class:`QueueMetrics` out."""
    if rate == 0.0:
        return QueueMetrics(0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    if servers == 0:  # nobody answers: every arrival waits until its patience runs out
        return QueueMetrics(1.0, 1.0, math.nan, patience, 0.0, 0.0)
    n = servers
    mu, theta = 1.0 / aht, 1.0 / patience
    load = rate * aht
    alpha = n * mu / theta
    b = rate / theta
    peak = max(0.0, (rate - n * mu) / theta)
    width = 10.0 * math.sqrt(b) + 40.0
    k_lo = max(0, math.floor(peak - width))
    k = np.arange(k_lo, math.ceil(peak + width) + 1, dtype=float)

    log_first = math.log(load / n)
    if k_lo > 0:
        log_first += k_lo * math.log(b) - (special.gammaln(alpha + k_lo + 1.0) - special.gammaln(alpha + 1.0))
    log_w = np.empty_like(k)
    log_w[0] = log_first
    log_w[1:] = log_first + np.cumsum(np.log(b / (alpha + k[1:])))
    log_low = -log_erlang_b(n - 1, load)
    top = max(float(log_w.max()), log_low)
    w = np.exp(log_w - top)
    low = math.exp(log_low - top)
    total = low + float(w.sum())

    answered = alpha / (alpha + k + 1.0)
    abandoned = (k + 1.0) / (alpha + k + 1.0)
    harmonic = np.cumsum(1.0 / (alpha + k + 1.0))
    if k_lo > 0:
        harmonic += special.digamma(alpha + k_lo + 1.0) - special.digamma(alpha + 1.0)
    harmonic /= theta  # sum_{i=1..k+1} 1 / (N mu + i theta)
    x = -math.expm1(-theta * threshold)
    within = special.betainc(k + 1.0, alpha + 1.0, x) if x > 0 else np.zeros_like(k)

    p_wait = float(w.sum()) / total
    p_abandon = float((w * abandoned).sum()) / total
    p_answered = (low + float((w * answered).sum())) / total
    asa = float((w * answered * harmonic).sum()) / total / p_answered
    service_level = (low + float((w * answered * within).sum())) / total
    return QueueMetrics(p_wait=p_wait, p_abandon=p_abandon, asa_s=asa, mean_wait_all_s=p_abandon * patience,
                        service_level=service_level, occupancy=load * p_answered / n)

"""Erlang B, Erlang C and Erlang A (M/M/N+M) queue metrics and required agents, exact at any size.

Every formula works on the offered load ``A = arrival_rate_per_s * aht_s`` (Erlangs) and ``N`` servers:

* Erlang B uses the forward recurrence ``B(n) = A B(n-1) / (n + A B(n-1))``, started at
  ``n0 = A - 6 sqrt(A)`` from the exact series ``1/B(n0) = sum_j n0! / ((n0-j)! A^j)`` (all terms < 1
  there, so it converges in ``O(sqrt A)`` terms). Both steps are contractions, so rounding errors never
  grow: no factorials, no overflow, a few ulps of error from 0.01 to 200,000+ Erlangs.
* Erlang C is ``C = N B / (N - A (1 - B))`` for ``N > A`` (and 1 when ``N <= A``).
* Erlang A (exponential patience) lives in :mod:`blendcc.wfm.erlang_a`, on the birth-death chain.

The metrics are per arrival, exactly what a simulator measures for each offered contact (see
:class:`QueueMetrics`). Arrays of intervals go through :func:`interval_metrics` and
:func:`required_agents_intervals`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "IntervalMetrics",
    "QueueMetrics",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "interval_metrics",
    "log_erlang_b",
    "required_agents",
    "required_agents_intervals",
    "scheduled_fte",
]

#: Search ceiling for required agents (a target that needs more is refused as unreachable).
MAX_AGENTS = 50_000_000


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state metrics of one queue, each a long-run average over *arrivals* (offered contacts).

    * ``p_wait``: share of arrivals that find every agent busy and must queue (wait > 0).
    * ``p_abandon``: share of arrivals that hang up before reaching an agent (0 in Erlang C).
    * ``asa_s``: mean wait of the *answered* contacts, KPIS.md ASA = sum(wait of handled) / Handled;
      answered contacts with no wait count as 0. ``inf`` when the queue is unstable (Erlang C, N <= A).
    * ``mean_wait_all_s``: mean time in queue of every arrival, answered or abandoned (abandoned ones count
      their time until they hung up); by Little's law it is mean queue length / arrival rate.
    * ``service_level``: share of arrivals answered with wait <= T (KPIS.md SL with short-abandon threshold
      0: abandoned contacts count in the denominator and never in the numerator).
    * ``occupancy``: mean busy agents / N = A * (1 - p_abandon) / N (1 when unstable).
    """

    p_wait: float
    p_abandon: float
    asa_s: float
    mean_wait_all_s: float
    service_level: float
    occupancy: float


def _check_servers(servers: int) -> int:
    if isinstance(servers, bool) or int(servers) != servers or servers < 0:
        raise ValueError(f"servers must be a whole number >= 0, got {servers!r}")
    return int(servers)


def _check_load(load: float) -> float:
    load = float(load)
    if not math.isfinite(load) or load < 0:
        raise ValueError(f"load must be a finite number of Erlangs >= 0, got {load!r}")
    return load


def _check_rate_aht(arrival_rate_per_s: float, aht_s: float) -> tuple[float, float]:
    rate, aht = float(arrival_rate_per_s), float(aht_s)
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"arrival rate must be a finite number >= 0 per second, got {arrival_rate_per_s!r}")
    if not math.isfinite(aht) or aht <= 0:
        raise ValueError(f"AHT must be a finite number of seconds > 0, got {aht_s!r}")
    return rate, aht


def _check_threshold(sl_threshold_s: float) -> float:
    t = float(sl_threshold_s)
    if not math.isfinite(t) or t < 0:
        raise ValueError(f"service-level threshold must be a finite number of seconds >= 0, got {sl_threshold_s!r}")
    return t


def _series_start(load: float) -> int:
    """Where the exact series hands over to the forward recurrence (0 for small loads)."""
    return max(0, int(load - 6.0 * math.sqrt(load)))


def _b_series(n: int, load: float) -> float:
    """Erlang B for ``n < load`` from ``1/B = sum_j prod_{i<j} (n-i)/load`` (decreasing terms)."""
    total, term = 1.0, 1.0
    for j in range(1, n + 1):
        term *= (n - j + 1) / load
        total += term
        if term < 1e-17 * total:
            break
    return 1.0 / total


def log_erlang_b(servers: int, load: float) -> float:
    """Natural log of :func:`erlang_b`, finite even where B itself underflows (N far above A)."""
    n, a = _check_servers(servers), _check_load(load)
    if n == 0:
        return 0.0
    if a == 0.0:
        return -math.inf
    n0 = _series_start(a)
    if n <= n0:
        return math.log(_b_series(n, a))
    b = _b_series(n0, a) if n0 > 0 else 1.0
    k = n0
    while k < n and b > 1e-250:
        k += 1
        ab = a * b
        b = ab / (k + ab)
    log_b, log_a = math.log(b), math.log(a)
    while k < n:  # the same recurrence in logs once B is tiny: log B(k) = log A + log B(k-1) - log(k + A B(k-1))
        k += 1
        log_b += log_a - math.log(k + math.exp(log_a + log_b))
    return log_b


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/N/N (Erlang loss) with ``servers`` and ``load`` Erlangs."""
    n, a = _check_servers(servers), _check_load(load)
    if n == 0:
        return 1.0
    if a == 0.0:
        return 0.0
    n0 = _series_start(a)
    if n <= n0:
        return _b_series(n, a)
    b = _b_series(n0, a) if n0 > 0 else 1.0
    for k in range(n0 + 1, n + 1):
        ab = a * b
        b = ab / (k + ab)
        if b == 0.0:
            break
    return b


def _c_from_b(n: int, a: float, b: float) -> float:
    return n * b / (n - a * (1.0 - b))


def erlang_c(servers: int, load: float) -> float:
    """P(wait) of M/M/N (Erlang C): the share of arrivals that queue; 1 when ``servers <= load``."""
    n, a = _check_servers(servers), _check_load(load)
    if a == 0.0:
        return 0.0
    if n <= a:
        return 1.0
    return _c_from_b(n, a, erlang_b(n, a))


def _c_metrics(n: int, rate: float, aht: float, t: float, c: float | None = None) -> QueueMetrics:
    a = rate * aht
    if a == 0.0:
        return QueueMetrics(0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    if n <= a:
        return QueueMetrics(1.0, 0.0, math.inf, math.inf, 0.0, 1.0)
    if c is None:
        c = _c_from_b(n, a, erlang_b(n, a))
    asa = c * aht / (n - a)
    sl = 1.0 - c * math.exp(-(n - a) * t / aht)
    return QueueMetrics(c, 0.0, asa, asa, sl, a / n)


def erlang_c_metrics(servers: int, arrival_rate_per_s: float, aht_s: float, sl_threshold_s: float) -> QueueMetrics:
    """M/M/N (no abandonment): P(wait) = C, SL = 1 - C exp(-(N - A) T / AHT), ASA = C AHT / (N - A)."""
    n = _check_servers(servers)
    rate, aht = _check_rate_aht(arrival_rate_per_s, aht_s)
    return _c_metrics(n, rate, aht, _check_threshold(sl_threshold_s))


def erlang_a(servers: int, arrival_rate_per_s: float, aht_s: float, patience_s: float,
             sl_threshold_s: float) -> QueueMetrics:
    """M/M/N+M (Erlang A): exponential service (mean ``aht_s``) and patience (mean ``patience_s``)."""
    from blendcc.wfm.erlang_a import erlang_a_metrics

    n = _check_servers(servers)
    rate, aht = _check_rate_aht(arrival_rate_per_s, aht_s)
    patience = float(patience_s)
    if not math.isfinite(patience) or patience <= 0:
        raise ValueError(f"patience must be a finite number of seconds > 0, got {patience_s!r}")
    return erlang_a_metrics(n, rate, aht, patience, _check_threshold(sl_threshold_s))


# --------------------------------------------------------------------------- required agents


def _check_targets(sl_target: float | None, asa_target_s: float | None, max_abandon: float | None,
                   max_occupancy: float | None, patience_s: float | None) -> None:
    if sl_target is None and asa_target_s is None and max_abandon is None and max_occupancy is None:
        raise ValueError("give at least one target: sl_target, asa_target_s, max_abandon or max_occupancy")
    if sl_target is not None and not 0.0 < sl_target < 1.0:
        raise ValueError(f"service-level target must be between 0 and 1 (exclusive), got {sl_target!r}")
    if asa_target_s is not None and not (math.isfinite(asa_target_s) and asa_target_s > 0):
        raise ValueError(f"ASA target must be a number of seconds > 0, got {asa_target_s!r}")
    if max_abandon is not None:
        if patience_s is None:
            raise ValueError("an abandonment target needs a patience (Erlang A): Erlang C has no abandonment")
        if not 0.0 < max_abandon < 1.0:
            raise ValueError(f"abandonment target must be between 0 and 1 (exclusive), got {max_abandon!r}")
    if max_occupancy is not None and not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"maximum occupancy must be in (0, 1], got {max_occupancy!r}")


def _meets(m: QueueMetrics, sl_target: float | None, asa_target_s: float | None, max_abandon: float | None,
           max_occupancy: float | None) -> bool:
    return ((sl_target is None or m.service_level >= sl_target)
            and (asa_target_s is None or m.asa_s <= asa_target_s)
            and (max_abandon is None or m.p_abandon <= max_abandon)
            and (max_occupancy is None or m.occupancy <= max_occupancy))


def _required_c(rate: float, aht: float, t: float, sl_target: float | None, asa_target_s: float | None,
                max_occupancy: float | None) -> int:
    """Scan N upwards from the first stable N, updating Erlang B by its recurrence (O(1) per step)."""
    a = rate * aht
    n = math.floor(a) + 1
    if max_occupancy is not None:
        if a / max_occupancy > MAX_AGENTS:  # also keeps a tiny occupancy target from overflowing
            raise ValueError(f"the targets need more than {MAX_AGENTS} agents")
        n = max(n, math.ceil(a / max_occupancy) - 1)
        while a / n > max_occupancy:
            n += 1
    b = erlang_b(n, a)
    while n <= MAX_AGENTS:
        c = _c_from_b(n, a, b)  # the same expressions as _c_metrics, so the answer agrees with it exactly
        if ((sl_target is None or 1.0 - c * math.exp(-(n - a) * t / aht) >= sl_target)
                and (asa_target_s is None or c * aht / (n - a) <= asa_target_s)):
            return n
        n += 1
        ab = a * b
        b = ab / (n + ab)
    raise ValueError(f"the targets need more than {MAX_AGENTS} agents")


def _smallest(ok: Callable[[int], bool], guess: int) -> int:
    """Smallest n >= 1 with ok(n), for a predicate that is false then true: gallop from ``guess`` in
    doubling steps until the answer is bracketed, then bisect (a good guess costs two or three calls)."""
    guess = max(1, guess)
    if ok(guess):
        hi, step = guess, 1
        while True:
            lo = hi - step
            if lo < 1:
                lo = 0
                break
            if not ok(lo):
                break
            hi, step = lo, step * 2
    else:
        lo, step = guess, 1
        while True:
            hi = lo + step
            if hi > MAX_AGENTS:
                raise ValueError(f"the targets need more than {MAX_AGENTS} agents")
            if ok(hi):
                break
            lo, step = hi, step * 2
    while hi - lo > 1:  # ok(lo) is false (or lo == 0), ok(hi) is true
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _guess_a(rate: float, aht: float, t: float, patience: float, sl_target: float | None,
             asa_target_s: float | None, max_abandon: float | None, max_occupancy: float | None) -> int:
    """A starting point for the Erlang A search, between the Erlang C answer (right when few callers
    abandon) and the efficiency-driven limit where every waiting caller waits about patience * ln(A/N)."""
    a = rate * aht
    guesses = []
    if sl_target is not None or asa_target_s is not None:
        n_c = _required_c(rate, aht, t, sl_target, asa_target_s, None)
        horizon = min(x for x in (t if sl_target is not None else None, asa_target_s) if x is not None)
        n_ed = a * math.exp(-horizon / patience)
        guesses.append(round((n_c + n_ed) / 2))
    if max_abandon is not None:
        guesses.append(math.ceil(a))
    if max_occupancy is not None:
        guesses.append(math.ceil(a / max_occupancy * 0.9))
    return max(1, *guesses)


def required_agents(arrival_rate_per_s: float, aht_s: float, *, sl_target: float | None = None,
                    sl_threshold_s: float = 20, asa_target_s: float | None = None, max_abandon: float | None = None,
                    max_occupancy: float | None = None, patience_s: float | None = None) -> int:
    """Smallest number of agents meeting every target given (Erlang A when ``patience_s``, else C).

    Targets: ``sl_target`` (share answered within ``sl_threshold_s``, at least), ``asa_target_s`` (ASA at
    most), ``max_abandon`` (P(abandon) at most, Erlang A only), ``max_occupancy`` (at most). Erlang C also
    needs a stable queue (N > A). No arrivals need no agents (0).
    """
    rate, aht = _check_rate_aht(arrival_rate_per_s, aht_s)
    t = _check_threshold(sl_threshold_s)
    _check_targets(sl_target, asa_target_s, max_abandon, max_occupancy, patience_s)
    if rate == 0.0:
        return 0
    if max_occupancy is not None and rate * aht / max_occupancy > MAX_AGENTS:  # a tiny target would overflow
        raise ValueError(f"the targets need more than {MAX_AGENTS} agents")
    if patience_s is None:
        return _required_c(rate, aht, t, sl_target, asa_target_s, max_occupancy)

    def ok(n: int) -> bool:
        return _meets(erlang_a(n, rate, aht, patience_s, t), sl_target, asa_target_s, max_abandon, max_occupancy)

    try:
        return _smallest(ok, _guess_a(rate, aht, t, float(patience_s), sl_target, asa_target_s, max_abandon,
                                      max_occupancy))
    except OverflowError:  # extreme ratios (a patience of 1e308 s against a 1e-300 s AHT)
        raise ValueError("the numbers are out of the range the Erlang A formulas support") from None


def scheduled_fte(required: float | npt.ArrayLike, shrinkage: float) -> float | npt.NDArray[np.float64]:
    """Agents to schedule so that ``required`` remain after shrinkage: ``required / (1 - shrinkage)``."""
    s = float(shrinkage)
    if not 0.0 <= s < 1.0:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    arr = np.asarray(required, dtype=float)
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError("required agents must be finite and >= 0")
    out = arr / (1.0 - s)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------- intervals (arrays)


@dataclass(frozen=True)
class IntervalMetrics:
    """:class:`QueueMetrics` per interval, one numpy array per field (same order as the inputs)."""

    p_wait: npt.NDArray[np.float64]
    p_abandon: npt.NDArray[np.float64]
    asa_s: npt.NDArray[np.float64]
    mean_wait_all_s: npt.NDArray[np.float64]
    service_level: npt.NDArray[np.float64]
    occupancy: npt.NDArray[np.float64]


def _broadcast(*arrays: npt.ArrayLike | None) -> list[npt.NDArray[np.float64] | None]:
    present = [np.asarray(a, dtype=float) for a in arrays if a is not None]
    shaped = iter(np.broadcast_arrays(*present))
    return [None if a is None else np.array(next(shaped)).ravel() for a in arrays]


def interval_metrics(servers: npt.ArrayLike, arrival_rate_per_s: npt.ArrayLike, aht_s: npt.ArrayLike,
                     sl_threshold_s: float = 20, patience_s: npt.ArrayLike | None = None) -> IntervalMetrics:
    """Metrics for each interval (arrays broadcast together; Erlang A where a patience is given)."""
    n, rate, aht, patience = _broadcast(servers, arrival_rate_per_s, aht_s, patience_s)
    assert n is not None and rate is not None and aht is not None
    rows = []
    for i in range(n.size):
        if patience is None:
            rows.append(erlang_c_metrics(int(n[i]), rate[i], aht[i], sl_threshold_s))
        else:
            rows.append(erlang_a(int(n[i]), rate[i], aht[i], patience[i], sl_threshold_s))
    cols = {f: np.array([getattr(r, f) for r in rows], dtype=float) for f in QueueMetrics.__dataclass_fields__}
    return IntervalMetrics(**cols)


def required_agents_intervals(arrival_rate_per_s: npt.ArrayLike, aht_s: npt.ArrayLike, *,
                              sl_target: float | None = None, sl_threshold_s: float = 20,
                              asa_target_s: float | None = None, max_abandon: float | None = None,
                              max_occupancy: float | None = None,
                              patience_s: npt.ArrayLike | None = None) -> npt.NDArray[np.int64]:
    """:func:`required_agents` for each interval: arrays of arrival rates and AHTs (and patience) in."""
    rate, aht, patience = _broadcast(arrival_rate_per_s, aht_s, patience_s)
    assert rate is not None and aht is not None
    out = np.empty(rate.size, dtype=np.int64)
    for i in range(rate.size):
        out[i] = required_agents(rate[i], aht[i], sl_target=sl_target, sl_threshold_s=sl_threshold_s,
                                 asa_target_s=asa_target_s, max_abandon=max_abandon, max_occupancy=max_occupancy,
                                 patience_s=None if patience is None else float(patience[i]))
    return out

"""High-precision (mpmath) reference values for the Erlang tests, computed straight from queueing formulas.

These are deliberately *other* derivations than the production code's:

* Erlang B / C from the truncated Poisson distribution with the upper incomplete gamma function
  (``sum_{k<=n} A^k/k! = e^A Gamma(n+1, A) / n!``), not the recurrence.
* Erlang A from the birth-death chain's stationary distribution (summed term by term), P(abandon) from
  ``theta E[queue] / lambda`` and mean wait from Little's law, and the service level and ASA by numerical
  integration of the offered-wait density ``lambda pi_{N-1} exp(b (1 - e^{-theta x}) - N mu x)``
  (Baccelli and Hebuterne), not the per-state order-statistics sums.
* Large Erlang A cases use the same density integrated in closed form with incomplete gamma functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp

mp.mp.dps = 40


def erlang_b_ref(n: int, a: float) -> mp.mpf:
    a = mp.mpf(a)
    return mp.exp(n * mp.log(a) - a - mp.loggamma(n + 1)) / mp.gammainc(n + 1, a, regularized=True)


def erlang_c_ref(n: int, a: float) -> mp.mpf:
    """P(wait) = P(state >= n) of M/M/n: p_n-tail a^n/n! * n/(n-a) over the whole normalisation."""
    a = mp.mpf(a)
    log_tail = n * mp.log(a) - mp.loggamma(n + 1) + mp.log(n / (n - a))
    below = mp.exp(a) * mp.gammainc(n, a, regularized=True)  # sum_{k<n} a^k / k!
    tail = mp.exp(log_tail)
    return tail / (below + tail)


@dataclass
class Ref:
    p_wait: mp.mpf
    p_abandon: mp.mpf
    asa_s: mp.mpf
    mean_wait_all_s: mp.mpf
    service_level: mp.mpf
    occupancy: mp.mpf


def erlang_c_metrics_ref(n: int, rate: float, aht: float, t: float) -> Ref:
    a = mp.mpf(rate) * aht
    c = erlang_c_ref(n, float(a))
    asa = c * aht / (n - a)
    return Ref(c, mp.mpf(0), asa, asa, 1 - c * mp.exp(-(n - a) * t / aht), a / n)


def erlang_a_chain_ref(n: int, rate: float, aht: float, patience: float, t: float, tol: float = 1e-30) -> Ref:
    """Stationary distribution of the M/M/n+M birth-death chain, summed until the terms vanish."""
    lam, mu, theta = mp.mpf(rate), 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    p = [mp.mpf(1)]
    for j in range(1, n + 1):
        p.append(p[-1] * lam / (j * mu))
    k = 0
    queue_terms = []
    term = p[-1]
    scale = max(p)
    while True:
        k += 1
        term = term * lam / (n * mu + k * theta)
        queue_terms.append(term)
        scale = max(scale, term)
        if term < tol * scale and lam < n * mu + k * theta:
            break
    z = sum(p) + sum(queue_terms)
    pi_below = sum(p[:n]) / z
    p_wait = 1 - pi_below
    mean_queue = sum((i + 1) * q for i, q in enumerate(queue_terms)) / z
    p_abandon = theta * mean_queue / lam
    pi_last = p[n - 1] / z
    b = lam / theta

    def density(x: mp.mpf) -> mp.mpf:  # offered-wait density for x > 0
        return lam * pi_last * mp.exp(b * (1 - mp.exp(-theta * x)) - n * mu * x)

    served_waiting_by_t = mp.quad(lambda x: mp.exp(-theta * x) * density(x), [0, t]) if t > 0 else 0
    peak = mp.log(lam / (n * mu)) / theta if lam > n * mu else 0
    points = [*sorted({mp.mpf(0), peak, peak + 1 / (n * mu + theta), peak + 1 / theta, peak + 10 / theta}), mp.inf]
    wait_served = mp.quad(lambda x: x * mp.exp(-theta * x) * density(x), points)
    p_served = 1 - p_abandon
    return Ref(p_wait, p_abandon, wait_served / p_served, mean_queue / lam, pi_below + served_waiting_by_t,
               lam * aht * p_served / n)


def erlang_a_gamma_ref(n: int, rate: float, aht: float, patience: float, t: float) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """(P(wait), P(abandon), SL) for large cases: the offered-wait density integrated with incomplete gammas.

    With u = exp(-theta x): int_0^X e^{-s x} exp(b(1 - e^{-theta x}) - n mu x) dx
    = e^b / theta * b^-c * [gamma(c, b) - gamma(c, b e^{-theta X})], c = n mu / theta + s / theta.
    """
    lam, mu, theta = mp.mpf(rate), 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    b = lam / theta
    alpha = n * mu / theta

    def upper(c: mp.mpf, x: mp.mpf) -> mp.mpf:  # regularised upper Q(c, x), x >= c: Legendre continued fraction
        eps, tiny = mp.mpf(10) ** (-mp.mp.dps), mp.mpf(10) ** (-4 * mp.mp.dps)
        bb = x + 1 - c
        cc, d = 1 / tiny, 1 / bb
        h, i = d, 0
        while True:
            i += 1
            an = -i * (i - c)
            bb += 2
            d = an * d + bb
            d = tiny if d == 0 else d
            cc = bb + an / cc
            cc = tiny if cc == 0 else cc
            d = 1 / d
            delta = d * cc
            h *= delta
            if abs(delta - 1) < eps:
                return mp.exp(c * mp.log(x) - x - mp.loggamma(c)) * h

    def lower(c: mp.mpf, x: mp.mpf) -> mp.mpf:  # regularised lower incomplete gamma P(c, x)
        if x <= 0:
            return mp.mpf(0)
        if x >= c:
            return 1 - upper(c, x)
        # series x^c e^-x / Gamma(c+1) * sum_k x^k / ((c+1)...(c+k)); terms shrink since x < c
        total, term, k = mp.mpf(1), mp.mpf(1), 0
        while term > total * mp.mpf(10) ** (-mp.mp.dps):
            k += 1
            term *= x / (c + k)
            total += term
        return mp.exp(c * mp.log(x) - x - mp.loggamma(c + 1)) * total

    def integral(c: mp.mpf, lower_u: mp.mpf) -> mp.mpf:
        return mp.exp(b - c * mp.log(b) + mp.loggamma(c)) / theta * (lower(c, b) - lower(c, b * lower_u))

    j_all = integral(alpha, mp.mpf(0))
    j_served = integral(alpha + 1, mp.mpf(0))
    j_served_t = integral(alpha + 1, mp.exp(-theta * t))
    inv_b = 1 / erlang_b_ref(n - 1, float(lam * aht))  # sum_{j<n} pi_j / pi_{n-1}
    pi_last = 1 / (inv_b + lam * j_all)
    p_wait = lam * pi_last * j_all
    p_abandon = lam * pi_last * (j_all - j_served)
    sl = pi_last * inv_b + lam * pi_last * j_served_t
    return p_wait, p_abandon, sl

"""Erlang B, C and A against mpmath references, textbook figures and queueing properties."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.wfm.erlang import (
    QueueMetrics,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    interval_metrics,
    log_erlang_b,
    required_agents,
    required_agents_intervals,
    scheduled_fte,
)

from .erlang_reference import (
    erlang_a_chain_ref,
    erlang_a_gamma_ref,
    erlang_b_ref,
    erlang_c_metrics_ref,
    erlang_c_ref,
)

FIELDS = tuple(QueueMetrics.__dataclass_fields__)


def close(value: float, ref: object, rel: float = 1e-11) -> bool:
    ref_f = float(ref)  # type: ignore[arg-type]
    return math.isclose(value, ref_f, rel_tol=rel, abs_tol=1e-300)


# ------------------------------------------------------------------ textbook


def test_textbook_100_calls_per_half_hour_aht_180_with_14_agents() -> None:
    m = erlang_c_metrics(14, 100 / 1800, 180, 20)
    assert round(m.p_wait, 4) == 0.1741
    assert round(m.service_level, 3) == 0.888
    assert m.occupancy == pytest.approx(10 / 14)
    assert m.asa_s == pytest.approx(0.17413193 * 180 / 4, rel=1e-7)
    assert m.p_abandon == 0.0 and m.mean_wait_all_s == m.asa_s


def test_textbook_required_agents_80_in_20() -> None:
    # 10 Erlangs: 13 agents give SL 0.80 - (0.7 something); 14 is the textbook answer for 80/20
    assert erlang_c_metrics(13, 100 / 1800, 180, 20).service_level < 0.8
    assert required_agents(100 / 1800, 180, sl_target=0.8, sl_threshold_s=20) == 14


def test_erlang_b_known_values() -> None:
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(10, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(2, 3.0) == 1.0


# ------------------------------------------------------------------ mpmath references

B_CASES = [(1, 0.01), (3, 0.01), (40, 0.01), (5, 2.5), (10, 10.0), (30, 25.0), (100, 80.0), (150, 100.0),
           (1000, 1000.0), (900, 1000.0), (5000, 4900.0), (199_000, 200_000.0), (200_000, 200_000.0),
           (200_500, 200_000.0), (201_500, 200_000.0), (10, 200_000.0), (190_000, 200_000.0)]


@pytest.mark.parametrize(("n", "a"), B_CASES)
def test_erlang_b_matches_mpmath_at_every_size(n: int, a: float) -> None:
    assert close(erlang_b(n, a), erlang_b_ref(n, a), rel=1e-12)


@pytest.mark.parametrize(("n", "a"), [(n, a) for n, a in B_CASES if n > a])
def test_erlang_c_matches_mpmath_at_every_size(n: int, a: float) -> None:
    assert close(erlang_c(n, a), erlang_c_ref(n, a), rel=1e-12)


def test_tiny_b_underflows_to_zero_without_error_and_its_log_stays_exact() -> None:
    assert erlang_b(2000, 0.01) == 0.0  # 0.01^2000 / 2000! is far below the smallest double
    assert erlang_c(2000, 0.01) == 0.0
    for n, a in ((2000, 0.01), (400, 3.0), (30, 25.0), (200_500, 200_000.0)):
        assert close(log_erlang_b(n, a), mp.log(erlang_b_ref(n, a)), rel=1e-12)
    # Erlang A needs it: far more agents than load, the chain's weight below N is 1 / B(N-1) = e^+big
    assert erlang_a(400, 3.0 / 10, 10, 5, 0).p_wait == pytest.approx(float(erlang_a_chain_ref(400, 0.3, 10, 5, 0)
                                                                            .p_wait), rel=1e-9, abs=1e-300)


C_METRIC_CASES = [(1, 0.001, 10.0, 20.0), (14, 100 / 1800, 180.0, 20.0), (12, 100 / 1800, 180.0, 0.0),
                  (2014, 20_000 / 1800, 180.0, 20.0), (200_400, 200_000 / 180, 180.0, 15.0)]


@pytest.mark.parametrize(("n", "rate", "aht", "t"), C_METRIC_CASES)
def test_erlang_c_metrics_match_mpmath(n: int, rate: float, aht: float, t: float) -> None:
    m, ref = erlang_c_metrics(n, rate, aht, t), erlang_c_metrics_ref(n, rate, aht, t)
    for f in FIELDS:
        assert close(getattr(m, f), getattr(ref, f), rel=1e-11), f


A_CASES = [(14, 100 / 1800, 180.0, 120.0, 20.0), (5, 0.05, 180.0, 60.0, 30.0), (3, 0.1, 100.0, 50.0, 10.0),
           (50, 0.5, 120.0, 300.0, 20.0), (1, 0.02, 30.0, 5.0, 0.0), (100, 0.5, 180.0, 300.0, 20.0),
           (8, 0.01, 600.0, 900.0, 60.0)]


@pytest.mark.parametrize(("n", "rate", "aht", "patience", "t"), A_CASES)
def test_erlang_a_matches_the_birth_death_chain(n: int, rate: float, aht: float, patience: float, t: float) -> None:
    m, ref = erlang_a(n, rate, aht, patience, t), erlang_a_chain_ref(n, rate, aht, patience, t)
    for f in FIELDS:
        assert close(getattr(m, f), getattr(ref, f), rel=1e-11), f


@pytest.mark.parametrize(("n", "a", "patience"), [(20_000, 20_000.0, 120.0), (200_300, 200_000.0, 300.0),
                                                  (195_000, 200_000.0, 300.0), (60, 200_000.0, 120.0)])
def test_erlang_a_large_cases_are_finite_and_exact(n: int, a: float, patience: float) -> None:
    rate = a / 180.0
    m = erlang_a(n, rate, 180.0, patience, 20.0)
    p_wait, p_abandon, sl = erlang_a_gamma_ref(n, rate, 180.0, patience, 20.0)
    assert all(math.isfinite(getattr(m, f)) for f in FIELDS)
    assert close(m.p_wait, p_wait, rel=1e-9)
    assert close(m.p_abandon, p_abandon, rel=1e-9)
    assert math.isclose(m.service_level, float(sl), rel_tol=1e-9, abs_tol=1e-14)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    c = erlang_c_metrics(14, 100 / 1800, 180, 20)
    a = erlang_a(14, 100 / 1800, 180, 1e10, 20)
    for f in ("p_wait", "asa_s", "service_level", "occupancy"):
        assert getattr(a, f) == pytest.approx(getattr(c, f), rel=1e-6)
    assert a.p_abandon < 1e-9


def test_edge_cases() -> None:
    assert erlang_c_metrics(3, 0.0, 180, 20) == QueueMetrics(0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    unstable = erlang_c_metrics(10, 10 / 180, 180, 20)
    assert unstable.p_wait == 1.0 and unstable.asa_s == math.inf and unstable.service_level == 0.0
    nobody = erlang_a(0, 0.1, 180, 60, 20)
    assert nobody.p_abandon == 1.0 and nobody.service_level == 0.0 and nobody.mean_wait_all_s == 60
    for bad in (lambda: erlang_b(-1, 1.0), lambda: erlang_b(2, -1.0), lambda: erlang_c(1.5, 1.0),  # type: ignore[arg-type]
                lambda: erlang_c_metrics(3, 0.1, 0, 20), lambda: erlang_a(3, 0.1, 10, 0, 20),
                lambda: erlang_c_metrics(3, 0.1, 10, -1), lambda: erlang_b(3, math.inf)):
        with pytest.raises(ValueError):
            bad()


# ------------------------------------------------------------------ required agents


def test_required_agents_is_the_smallest_meeting_every_target() -> None:
    rate = 1000 / 1800
    n = required_agents(rate, 180, sl_target=0.8, sl_threshold_s=20)
    sl = [erlang_c_metrics(k, rate, 180, 20).service_level for k in (n - 1, n)]
    assert sl[1] >= 0.8 > sl[0]
    n = required_agents(rate, 180, asa_target_s=15)
    assert erlang_c_metrics(n, rate, 180, 20).asa_s <= 15 < erlang_c_metrics(n - 1, rate, 180, 20).asa_s
    assert required_agents(rate, 180, max_occupancy=0.85) == math.ceil(100 / 0.85)
    assert required_agents(rate, 180, max_occupancy=1.0) == 101  # Erlang C needs N > A
    both = required_agents(rate, 180, sl_target=0.8, max_occupancy=0.85)
    assert both == max(required_agents(rate, 180, sl_target=0.8), 118)
    assert required_agents(0.0, 180, sl_target=0.8) == 0


def test_required_agents_erlang_a() -> None:
    rate, aht, patience = 1000 / 1800, 180.0, 120.0
    n = required_agents(rate, aht, sl_target=0.8, patience_s=patience)
    sl = [erlang_a(k, rate, aht, patience, 20).service_level for k in (n - 1, n)]
    assert sl[1] >= 0.8 > sl[0]
    n = required_agents(rate, aht, max_abandon=0.02, patience_s=patience)
    assert erlang_a(n, rate, aht, patience, 20).p_abandon <= 0.02 < erlang_a(n - 1, rate, aht, patience, 20).p_abandon
    # abandonment relieves the queue: fewer agents than Erlang C for the same 80/20
    assert required_agents(rate, aht, sl_target=0.8, patience_s=patience) < required_agents(rate, aht, sl_target=0.8)


@pytest.mark.parametrize("calls", [10, 1000, 20_000, 200_000])
def test_required_agents_at_bench_sizes_match_an_exact_scan(calls: int) -> None:
    rate = calls / 1800
    n = required_agents(rate, 180, sl_target=0.8, sl_threshold_s=20)
    assert float(erlang_c_metrics_ref(n, rate, 180, 20).service_level) >= 0.8
    assert n - 1 <= rate * 180 or float(erlang_c_metrics_ref(n - 1, rate, 180, 20).service_level) < 0.8


def test_bad_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one target"):
        required_agents(0.1, 180)
    with pytest.raises(ValueError, match="patience"):
        required_agents(0.1, 180, max_abandon=0.05)
    with pytest.raises(ValueError):
        required_agents(0.1, 180, sl_target=1.0)
    with pytest.raises(ValueError):
        required_agents(0.1, 180, max_occupancy=0.0)


def test_vectorised_intervals_equal_the_scalar_answers() -> None:
    rates = np.array([0.0, 10 / 1800, 100 / 1800, 1000 / 1800, 20_000 / 1800])
    aht = np.array([180.0, 200.0, 180.0, 240.0, 180.0])
    req = required_agents_intervals(rates, aht, sl_target=0.8)
    assert req.tolist() == [required_agents(r, a, sl_target=0.8) for r, a in zip(rates, aht, strict=True)]
    req_a = required_agents_intervals(rates, aht, sl_target=0.8, patience_s=120.0)
    assert req_a.tolist() == [required_agents(r, a, sl_target=0.8, patience_s=120.0)
                              for r, a in zip(rates, aht, strict=True)]
    m = interval_metrics(req, rates, aht, 20)
    assert np.all(m.service_level >= 0.8)
    assert m.p_wait[2] == erlang_c_metrics(int(req[2]), rates[2], aht[2], 20).p_wait
    ma = interval_metrics(req_a, rates, aht, 20, patience_s=120.0)
    assert ma.p_abandon[3] == erlang_a(int(req_a[3]), rates[3], aht[3], 120.0, 20).p_abandon


def test_scheduled_fte() -> None:
    assert scheduled_fte(14, 0.3) == pytest.approx(20.0)
    assert scheduled_fte(np.array([0, 7, 14]), 0.3).tolist() == pytest.approx([0.0, 10.0, 20.0])  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        scheduled_fte(14, 1.0)
    with pytest.raises(ValueError):
        scheduled_fte(-1, 0.3)


# ------------------------------------------------------------------ properties

loads = st.floats(min_value=0.01, max_value=5000.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(a=loads, n=st.integers(min_value=0, max_value=6000))
def test_erlang_b_bounds_and_monotone_in_servers(a: float, n: int) -> None:
    b0, b1 = erlang_b(n, a), erlang_b(n + 1, a)
    assert 0.0 <= b1 <= b0 <= 1.0
    if n > a:
        c = erlang_c(n, a)
        assert b0 <= c <= 1.0


@settings(max_examples=40, deadline=None)
@given(a=st.floats(min_value=0.05, max_value=500.0), extra=st.integers(min_value=1, max_value=40),
       aht=st.floats(min_value=10.0, max_value=900.0), t=st.floats(min_value=0.0, max_value=120.0))
def test_erlang_c_metrics_monotone_in_servers(a: float, extra: int, aht: float, t: float) -> None:
    n = math.floor(a) + extra
    lo, hi = erlang_c_metrics(n, a / aht, aht, t), erlang_c_metrics(n + 1, a / aht, aht, t)
    assert hi.p_wait <= lo.p_wait and hi.asa_s <= lo.asa_s and hi.service_level >= lo.service_level
    assert hi.occupancy < lo.occupancy <= 1.0
    assert 0.0 <= lo.service_level <= 1.0 and 0.0 <= lo.p_wait <= 1.0


@settings(max_examples=40, deadline=None)
@given(a=st.floats(min_value=0.05, max_value=300.0), n=st.integers(min_value=1, max_value=350),
       aht=st.floats(min_value=10.0, max_value=900.0), patience=st.floats(min_value=5.0, max_value=3600.0),
       t=st.floats(min_value=0.0, max_value=120.0))
def test_erlang_a_bounds_and_monotone_in_servers(a: float, n: int, aht: float, patience: float, t: float) -> None:
    lo, hi = erlang_a(n, a / aht, aht, patience, t), erlang_a(n + 1, a / aht, aht, patience, t)
    eps = 1e-12
    assert hi.p_wait <= lo.p_wait + eps and hi.p_abandon <= lo.p_abandon + eps
    assert hi.service_level >= lo.service_level - eps and hi.mean_wait_all_s <= lo.mean_wait_all_s * (1 + eps)
    for m in (lo, hi):
        assert 0.0 <= m.p_abandon <= m.p_wait <= 1.0
        assert 0.0 <= m.service_level <= 1.0 - m.p_abandon + eps
        assert 0.0 <= m.occupancy <= 1.0 + eps
        assert m.asa_s <= m.mean_wait_all_s / (1 - m.p_abandon) * (1 + eps) + 1e-300  # answered <= all / answered


@settings(max_examples=40, deadline=None)
@given(a=st.floats(min_value=0.01, max_value=2000.0), aht=st.floats(min_value=10.0, max_value=900.0),
       patience=st.floats(min_value=5.0, max_value=3600.0), t=st.floats(min_value=0.0, max_value=120.0),
       sl=st.one_of(st.none(), st.floats(min_value=0.05, max_value=0.99)),
       abandon=st.one_of(st.none(), st.floats(min_value=0.005, max_value=0.5)),
       occupancy=st.one_of(st.none(), st.floats(min_value=0.5, max_value=1.0)))
def test_required_agents_erlang_a_is_minimal(a: float, aht: float, patience: float, t: float, sl: float | None,
                                             abandon: float | None, occupancy: float | None) -> None:
    if sl is None and abandon is None and occupancy is None:
        sl = 0.8
    rate = a / aht
    n = required_agents(rate, aht, sl_target=sl, sl_threshold_s=t, max_abandon=abandon, max_occupancy=occupancy,
                        patience_s=patience)

    def ok(k: int) -> bool:
        m = erlang_a(k, rate, aht, patience, t)
        return ((sl is None or m.service_level >= sl) and (abandon is None or m.p_abandon <= abandon)
                and (occupancy is None or m.occupancy <= occupancy))

    assert ok(n) and (n == 1 or not ok(n - 1))


def test_extreme_targets_are_refused_as_value_errors_not_overflow() -> None:
    """A tiny occupancy target or extreme ratios in Erlang A used to raise OverflowError (a 500 upstream)."""
    with pytest.raises(ValueError, match="more than"):
        required_agents(0.001, 0.001, sl_threshold_s=0, patience_s=0.001, max_occupancy=5e-324)
    with pytest.raises(ValueError, match="more than"):
        required_agents(0.001, 0.001, sl_target=0.8, sl_threshold_s=0, max_occupancy=5e-324)
    with pytest.raises(ValueError, match="range"):
        required_agents(50, 5e-324, sl_threshold_s=0, patience_s=1e308, max_abandon=5e-324)

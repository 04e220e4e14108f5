"""Kaplan-Meier: a hand-computed example, censoring conventions, sampling, and properties."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.analytics.survival import kaplan_meier

#           t:  1     2      2     3     4      5
DURATIONS = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0]
OBSERVED = [True, True, False, True, False, True]


def test_hand_computed_curve() -> None:
    c = kaplan_meier(DURATIONS, OBSERVED)
    # t=1: 6 at risk, 1 event -> 5/6; t=2: 5 at risk, 1 event (the censoring at 2 is still at risk) -> 4/6;
    # t=3: 3 at risk -> 4/6 * 2/3 = 4/9; t=4 censored; t=5: 1 at risk, 1 event -> 0
    assert c.times == (1.0, 2.0, 3.0, 5.0)
    assert c.at_risk == (6, 5, 3, 1) and c.events == (1, 1, 1, 1)
    for got, want in zip(c.survival, (5 / 6, 4 / 6, 4 / 9, 0.0), strict=True):
        assert got == pytest.approx(want)
    assert c.at(0.5) == 1.0 and c.at(1.0) == pytest.approx(5 / 6) and c.at(4.9) == pytest.approx(4 / 9)
    assert c.median() == 3.0
    assert c.quantile(0.2) == 2.0
    # area: 1*1 + 5/6*1 + 4/6*1 + 4/9*2
    assert c.restricted_mean() == pytest.approx(1 + 5 / 6 + 4 / 6 + 8 / 9)
    assert c.restricted_mean(2.5) == pytest.approx(1 + 5 / 6 + 4 / 6 * 0.5)
    assert c.n == 6 and c.n_events == 4


def test_sampling_by_inverse_transform_and_conditionally() -> None:
    c = kaplan_meier(DURATIONS, OBSERVED)
    assert c.sample(0.0) == 1.0
    assert c.sample(0.5) == 3.0  # S falls to 0.5 or below at t=3
    assert c.sample(0.1) == 1.0  # 0.9 >= 5/6 only at 1
    # beyond 2: S(t)/S(2): S(3)/S(2) = 2/3, S(5)/S(2) = 0 -> u < 1/3 gives 3, else 5
    assert c.sample(0.3, beyond=2.0) == 3.0 and c.sample(0.4, beyond=2.0) == 5.0
    assert c.sample(0.0, beyond=2.5) == 3.0


def test_exponential_tail_past_the_last_observation() -> None:
    c = kaplan_meier([1.0, 10.0], [True, False])
    assert c.survival == (0.5,) and c.max_time == 10.0
    assert c.tail_rate == pytest.approx(1 / 11)
    assert c.sample(0.9) == pytest.approx(10 + math.log(0.5 / 0.1) * 11)
    assert c.sample(0.5, beyond=20.0) == pytest.approx(20 + math.log(2) * 11)  # memoryless past the data
    assert c.median() == 1.0 and c.quantile(0.9) is None
    never = kaplan_meier([3.0, 4.0], [False, False])
    assert never.times == () and never.at(100) == 1.0 and math.isinf(never.sample(0.7))


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([-1.0], [True])
    with pytest.raises(ValueError):
        kaplan_meier([1.0, 2.0], [True])
    c = kaplan_meier(DURATIONS, OBSERVED)
    with pytest.raises(ValueError):
        c.sample(1.0)
    with pytest.raises(ValueError):
        c.quantile(1.0)
    assert kaplan_meier([], []).n == 0


durations = st.lists(st.integers(min_value=0, max_value=30).map(float), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(durations)
def test_without_censoring_km_is_the_empirical_survival(ds: list[float]) -> None:
    c = kaplan_meier(ds, [True] * len(ds))
    for t in range(-1, 32):
        assert c.at(t) == pytest.approx(sum(d > t for d in ds) / len(ds))
    assert c.restricted_mean() == pytest.approx(sum(ds) / len(ds))


@settings(max_examples=200, deadline=None)
@given(durations, st.lists(st.booleans(), min_size=40, max_size=40),
       st.floats(min_value=0, max_value=0.999), st.floats(min_value=0, max_value=35))
def test_curve_is_monotone_and_samples_lie_beyond(ds: list[float], flags: list[bool], u: float,
                                                  beyond: float) -> None:
    c = kaplan_meier(ds, flags[: len(ds)])
    assert all(0.0 <= s <= 1.0 for s in c.survival)
    assert all(a >= b for a, b in zip(c.survival, c.survival[1:], strict=False))
    assert c.n_events == sum(flags[: len(ds)])
    x = c.sample(u, beyond=beyond)
    assert x >= beyond
    # inverse transform: P(T > x) <= 1 - u < P(T >= x) on the curve's support
    if x <= c.max_time and c.times:
        assert c.at(x) <= (1.0 - u) * c.at(beyond) + 1e-12


def test_sample_frequencies_follow_the_curve() -> None:
    c = kaplan_meier(DURATIONS, OBSERVED)
    n = 10_000
    draws = [c.sample((i + 0.5) / n) for i in range(n)]  # a uniform grid of u
    for t in (1.0, 2.0, 3.0):
        assert sum(d > t for d in draws) / n == pytest.approx(c.at(t), abs=1e-3)


def test_matches_lifelines_on_real_patience(bank_1999: Any) -> None:
    """Cross-check with lifelines' KaplanMeierFitter on the January 1999 queue waits."""

    import lifelines  # a [dev] dependency, used only here
    from lifelines.utils import restricted_mean_survival_time

    from blendcc.adapters.importers.bank1999 import Outcome, read_bank1999

    data = bank_1999("january.txt")
    calls = [r for r in read_bank1999(data).records if r.offered]
    waits = [r.wait_s for r in calls]
    abandoned = [r.outcome is Outcome.ABANDONED for r in calls]
    ours = kaplan_meier(waits, abandoned)
    theirs = lifelines.KaplanMeierFitter().fit(waits, event_observed=abandoned)
    for t in (0.0, 5.0, 20.0, 60.0, 120.0, 300.0, 600.0, 1200.0):
        assert ours.at(t) == pytest.approx(float(theirs.survival_function_at_times(t).iloc[0]), abs=1e-9)
    assert ours.median() == pytest.approx(theirs.median_survival_time_)
    assert ours.restricted_mean(600.0) == pytest.approx(
        restricted_mean_survival_time(theirs, t=600.0), rel=1e-6)

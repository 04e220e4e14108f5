"""AbandonLedger: rolling abandonment rate over the regulatory windows, governor headroom, pruning."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendcc.dialer.compliance import UK_WINDOW_S, US_WINDOW_S, AbandonLedger, window_s


def test_windows_per_regulatory_mode() -> None:
    assert window_s("us") == 30 * 86400 == US_WINDOW_S
    assert window_s("uk") == 86400 == UK_WINDOW_S
    with pytest.raises(ValueError):
        window_s("mars")


def test_rate_over_a_rolling_window() -> None:
    led = AbandonLedger()
    assert led.rate(100.0, 3600) == 0.0
    for i in range(97):
        led.add(float(i), False)
    for i in range(3):
        led.add(100.0 + i, True)
    assert led.counts(200.0, 3600) == (100, 3)
    assert led.rate(200.0, 3600) == pytest.approx(0.03)
    # the window is (now - w, now]: at t=3650 the answers at 0..50 have left it (46 + 3 remain)
    assert led.counts(3650.0, 3600) == (49, 3)
    # calls answered after `now` are not counted
    assert led.counts(50.0, 3600) == (51, 0)


def test_out_of_order_adds_and_prune() -> None:
    led = AbandonLedger()
    led.add(10.0, True)
    led.add(30.0, False)
    led.add(20.0, True)  # late report
    assert led.counts(30.0, 100) == (3, 2)
    assert led.counts(30.0, 15) == (2, 1)  # (15, 30]: 20 abandoned, 30 not
    led.prune(15.0)
    assert len(led) == 2
    assert led.counts(30.0, 100) == (2, 1)


def test_headroom_is_the_governor_budget() -> None:
    led = AbandonLedger()
    for i in range(100):
        led.add(float(i), i < 2)
    # 2 of 100 abandoned; one more abandon: 3/101 <= 3 %; two more: 4/102 > 3 %
    assert led.headroom(100.0, 1000, 0.03) == 1
    assert led.headroom(100.0, 1000, 0.03, extra_answered=100) == 4  # (2+4)/(200+4) <= 3 %
    assert AbandonLedger().headroom(0.0, 10, 0.03) == 0


@given(st.lists(st.tuples(st.floats(0, 1e6), st.booleans()), max_size=60), st.floats(0, 1.2e6),
       st.floats(1, 1e6))
def test_counts_match_a_direct_count(calls: list[tuple[float, bool]], now: float, window: float) -> None:
    led = AbandonLedger()
    for at, ab in calls:
        led.add(at, ab)
    inside = [ab for at, ab in calls if now - window < at <= now]
    assert led.counts(now, window) == (len(inside), sum(inside))


@given(st.integers(0, 500), st.integers(0, 20), st.sampled_from([0.01, 0.02, 0.03]))
def test_headroom_never_lets_the_rate_pass_the_cap(answered: int, abandoned: int, cap: float) -> None:
    abandoned = min(abandoned, answered)
    led = AbandonLedger()
    for i in range(answered):
        led.add(float(i), i < abandoned)
    k = led.headroom(float(answered), 1e9, cap)
    if k > 0:
        assert (abandoned + k) / (answered + k) <= cap + 1e-12
    # one more than the budget would pass the cap (when the cap is not already passed)
    if abandoned <= cap * answered:
        assert (abandoned + k + 1) / (answered + k + 1) > cap

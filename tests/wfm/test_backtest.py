"""Rolling-origin backtests: KPIS.md error definitions, origins, model selection, special days not scored."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blendcc.wfm.backtest import MIN_ORIGIN_DAYS, backtest, mape, origins_for, wape
from blendcc.wfm.models import BASELINE, MODELS, NotEnoughHistory, predict, seasonal_naive_4w, weekday_profile

from .forecast_data import MONDAY, shape, volumes

FAST = [BASELINE, "daily_ets_profile"]


def test_wape_and_mape_follow_kpis_md() -> None:
    actual = np.array([10.0, 0.0, 5.0, 5.0])
    forecast = np.array([8.0, 1.0, 5.0, 10.0])
    # WAPE = (2 + 1 + 0 + 5) / 20; MAPE over actual > 0 only = (0.2 + 0 + 1.0) / 3
    assert wape(actual, forecast) == pytest.approx(8 / 20)
    assert mape(actual, forecast) == pytest.approx(1.2 / 3)
    assert wape(np.zeros(3), np.ones(3)) is None
    assert mape(np.zeros(3), np.ones(3)) is None


def test_origins_step_back_from_the_end_and_keep_four_weeks_of_history() -> None:
    assert origins_for(70, 14, 4, 7) == [35, 42, 49, 56]
    assert origins_for(45, 14, 4, 7) == [31]  # 24, 17 and 10 leave under 4 weeks of history
    assert origins_for(42, 14, 4, 7) == [MIN_ORIGIN_DAYS]
    assert origins_for(40, 14, 4, 7) == []


def test_baseline_is_the_mean_of_the_same_interval_and_weekday_over_the_last_four_weeks() -> None:
    v = np.arange(35 * 2, dtype=float).reshape(35, 2)  # 5 weeks, 2 slots, first day a Monday
    fc = seasonal_naive_4w(v, 0, 8)
    # horizon day 0 is a Monday: history Mondays are days 0, 7, 14, 21, 28 -> last four: 7, 14, 21, 28
    assert fc[0] == pytest.approx(v[[7, 14, 21, 28]].mean(axis=0))
    assert fc[3] == pytest.approx(v[[10, 17, 24, 31]].mean(axis=0))  # Thursday
    assert fc[7] == pytest.approx(fc[0])  # a week later: the same four weeks
    # a history starting on Wednesday shifts the weekdays
    fc_wed = seasonal_naive_4w(v, 2, 1)  # horizon day 35 is a Wednesday too (35 = 5 weeks)
    assert fc_wed[0] == pytest.approx(v[[7, 14, 21, 28]].mean(axis=0))


def test_weekday_profile_sums_to_one_per_weekday() -> None:
    prof = weekday_profile(volumes(56), 0, 8)
    assert prof.sum(axis=1) == pytest.approx(np.ones(7))
    assert prof[0] == pytest.approx(shape())


def test_a_growing_series_is_won_by_a_model_that_follows_the_trend() -> None:
    v = volumes(84, growth_per_day=0.01, noise_seed=3)  # +1% a day: the 4-week mean lags ~15%
    bt = backtest(v, 0, 7, models=FAST, n_origins=3)
    base, ets = bt.scores[BASELINE], bt.scores["daily_ets_profile"]
    assert base.wape is not None and ets.wape is not None
    assert bt.chosen == "daily_ets_profile"
    assert ets.wape < base.wape * 0.7
    assert [h.day for h in ets.per_horizon] == list(range(1, 8))
    assert all(h.wape is not None and h.actual > 0 for h in ets.per_horizon)
    assert len(bt.origins) == 3


def test_ties_keep_the_baseline() -> None:
    v = volumes(56)  # exactly repeating weeks: the baseline and last-week naive are both perfect
    bt = backtest(v, 0, 7, models=[BASELINE, "seasonal_naive_1w"], n_origins=2)
    assert bt.scores[BASELINE].wape == pytest.approx(0.0)
    assert bt.scores["seasonal_naive_1w"].wape == pytest.approx(0.0)
    assert bt.chosen == BASELINE


def test_special_days_are_not_scored() -> None:
    v = volumes(49)
    v[45] *= 5.0  # an unusual day inside the scored window
    special = np.zeros(49, dtype=bool)
    special[45] = True
    assert backtest(v, 0, 7, models=[BASELINE], n_origins=1).scores[BASELINE].wape > 0.1
    scored = backtest(v, 0, 7, models=[BASELINE], n_origins=1, special=special).scores[BASELINE]
    assert scored.wape == pytest.approx(0.0)
    day = 45 - 42 + 1  # horizon day of the special day (origin 42)
    assert scored.per_horizon[day - 1].actual == 0.0 and scored.per_horizon[day - 1].wape is None


def test_models_needing_more_history_are_reported_not_scored() -> None:
    bt = backtest(volumes(40), 0, 7, models=[BASELINE, "daily_arima_profile", "daily_mstl_yearly_profile"])
    assert bt.scores["daily_mstl_yearly_profile"].wape is None
    assert "needs" in (bt.scores["daily_mstl_yearly_profile"].error or "")
    assert bt.scores["daily_arima_profile"].error is not None  # 42 days needed, first origin is 33
    assert bt.chosen == BASELINE
    with pytest.raises(NotEnoughHistory):
        backtest(volumes(30), 0, 7)
    with pytest.raises(NotEnoughHistory):
        predict("mstl", volumes(20), 0, 7)


def test_every_model_forecasts_the_right_shape_and_no_negative_volumes() -> None:
    v = volumes(70, noise_seed=1)
    for name, model in MODELS.items():
        if model.min_days > 70:
            continue
        fc = predict(name, v, 0, 3, MONDAY)
        assert fc.shape == (3, 48), name
        assert (fc >= 0).all(), name
        # each model finds the weekday level: Monday much busier than Sunday
        assert fc[0].sum() > 3 * predict(name, v, 0, 7, MONDAY)[6].sum(), name


def test_a_yearly_peak_is_caught_by_the_yearly_model_given_two_years() -> None:
    days = 2 * 365 + 114  # history ends 14 days into the third year's peak window
    doy = np.arange(days) % 365
    peak = np.where((doy >= 100) & (doy < 115), 1.6, 1.0)  # e.g. a tax-return fortnight, every year
    v = np.random.default_rng(5).poisson(volumes(days) * peak[:, None]).astype(float)
    bt = backtest(v, 0, 14, models=[BASELINE, "daily_ets_profile", "daily_mstl_yearly_profile"], n_origins=1)
    assert bt.origins == [2 * 365 + 100]
    yearly = bt.scores["daily_mstl_yearly_profile"].wape
    assert bt.chosen == "daily_mstl_yearly_profile"
    assert yearly is not None and yearly < 0.7 * (bt.scores[BASELINE].wape or 0)  # measured 0.21 vs 0.38


@given(st.integers(7, 40), st.integers(0, 6), st.integers(1, 10), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_baseline_properties(days: int, first_weekday: int, horizon: int, seed: int) -> None:
    """Each baseline interval is a mean of same-weekday history values (so within their range), weeks repeat."""
    v = np.random.default_rng(seed).poisson(5.0, (days, 4)).astype(float)
    fc = seasonal_naive_4w(v, first_weekday, horizon)
    wd = (np.arange(days) + first_weekday) % 7
    for k in range(horizon):
        same = v[wd == (first_weekday + days + k) % 7][-4:]
        assert (fc[k] >= same.min(axis=0) - 1e-9).all() and (fc[k] <= same.max(axis=0) + 1e-9).all()
        if k >= 7:
            assert fc[k] == pytest.approx(fc[k - 7])
    assert wape(v[-1], v[-1]) in (0.0, None)


# ---------------------------------------------------------------------- weekday origins, combination, intervals

def test_origins_fall_on_the_targets_weekday_at_the_same_horizon() -> None:
    # 70 days from a Monday: the target (day 70) is a Monday; a 1-day backtest scores past Mondays
    assert origins_for(70, 1, 4) == [42, 49, 56, 63]
    assert all((73 - o) % 7 == 0 for o in origins_for(73, 3, 6))  # a Thursday target: Thursdays
    assert origins_for(73, 3, 6)[-1] == 66  # the last whose 3 days lie inside the history
    assert origins_for(70, 8, 2) == [49, 56]  # an 8-day horizon ends inside the history: 56 + 8 <= 70


def test_a_monday_target_is_scored_on_mondays_even_when_sundays_are_closed() -> None:
    v = volumes(70, noise_seed=4)
    v[6::7] = 0.0  # Sundays closed: the old D-1 origins scored only these and found nothing
    bt = backtest(v, 0, 1, models=FAST, n_origins=4)
    assert all(s.wape is not None and s.wape > 0 for s in bt.scores.values())
    assert bt.scores[BASELINE].per_horizon[0].actual == pytest.approx(v[[42, 49, 56, 63]].sum())
    sunday = backtest(v[:69], 0, 1, models=FAST, n_origins=4)  # the target is a closed Sunday
    assert all(s.scored and s.wape is None and s.mae is not None for s in sunday.scores.values())
    assert sunday.scores[BASELINE].mae == 0.0 and sunday.chosen == BASELINE  # chosen by MAE: no WAPE to rank


def test_the_choice_combines_the_best_models_by_inverse_squared_wape() -> None:
    v = volumes(84, growth_per_day=0.003, noise_seed=3)
    bt = backtest(v, 0, 7, models=[BASELINE, "daily_ets_profile", "daily_arima_profile"], n_origins=4)
    assert bt.chosen == "combined" and abs(sum(bt.weights.values()) - 1) < 1e-9
    inv = {m: 1 / (bt.scores[m].wape or 1) ** 2 for m in bt.weights}
    for m, w in bt.weights.items():
        assert w == pytest.approx(inv[m] / sum(inv.values()))
    # the combination is scored on the same targets as the single models
    assert bt.scores["combined"].per_horizon[0].actual == bt.scores[BASELINE].per_horizon[0].actual
    best = min(s.wape for s in bt.scores.values() if s.wape is not None and s.model != "combined")
    assert bt.scores["combined"].wape is not None and bt.scores["combined"].wape < 1.1 * best
    single = backtest(v, 0, 7, models=[BASELINE, "daily_ets_profile"], n_origins=4, combined=False)
    assert single.chosen in (BASELINE, "daily_ets_profile") and "combined" not in single.scores


def test_prediction_intervals_cover_about_their_level_on_new_days() -> None:
    v = volumes(140, noise_seed=8)
    bt = backtest(v[:126], 0, 7, models=FAST, n_origins=12)
    from blendcc.wfm.backtest import combine, interval_bounds

    fc = combine({m: predict(m, v[:126], 0, 14) for m in bt.weights}, bt.weights)
    lo, hi = interval_bounds(fc, bt.residuals, 0.8)
    busy = fc > 5
    inside = ((v[126:] >= lo) & (v[126:] <= hi))[busy].mean()
    assert 0.7 < inside < 0.9  # 80 % nominal, on 14 days the models never saw
    lo95, hi95 = interval_bounds(fc, bt.residuals, 0.95)
    assert (lo95 <= lo).all() and (hi95 >= hi).all() and (lo >= 0).all()
    with pytest.raises(ValueError):
        interval_bounds(fc, bt.residuals, 1.5)


def test_a_day_of_month_effect_is_learnt_by_the_day_of_month_model() -> None:
    from datetime import timedelta

    days = 7 * 30
    dom = np.array([(MONDAY + timedelta(days=i)).day for i in range(days)])
    boost = np.where(dom <= 5, 1.4, 1.0)  # the first five days of every month are 40 % busier
    v = np.random.default_rng(6).poisson(volumes(days) * boost[:, None]).astype(float)
    models = [BASELINE, "weekday_day_of_month"]
    bt = backtest(v, 0, 7, models=models, n_origins=12, first_day=MONDAY, combined=False)
    dated, base = bt.scores["weekday_day_of_month"].wape, bt.scores[BASELINE].wape
    assert bt.chosen == "weekday_day_of_month" and dated is not None and base is not None and dated < 0.8 * base
    flat = np.random.default_rng(6).poisson(volumes(days)).astype(float)  # no effect: no harm either
    bt = backtest(flat, 0, 7, models=models, n_origins=12, first_day=MONDAY, combined=False)
    assert (bt.scores["weekday_day_of_month"].wape or 1) < 1.1 * (bt.scores[BASELINE].wape or 0)
    undated = backtest(v, 0, 7, models=models, n_origins=2)  # without dates it is reported, not scored
    assert "calendar dates" in (undated.scores["weekday_day_of_month"].error or "")

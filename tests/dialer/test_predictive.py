"""Predictive model: estimates, the call-count decision, the alpha controller, and a simulated shift."""

from __future__ import annotations

import random

import numpy as np

from blendcc.dialer.predictive import AlphaController, Busy, OutcomeEstimator, predictive_calls
from blendcc.sim.dialer_sim import run_campaign


def trained(p: float = 0.3, seed: int = 1) -> OutcomeEstimator:
    rng = random.Random(seed)
    est = OutcomeEstimator(window=2000)
    for _ in range(2000):
        live = rng.random() < p
        est.record_attempt(live, rng.gammavariate(4, 9 / 4) if live else rng.choice([25.0, 25.0, 3.0, 9.0]))
    for _ in range(400):
        est.record_handle(rng.gammavariate(2, 75), 30.0)
    return est


def calls(est: OutcomeEstimator, **kw: object) -> int:
    args: dict[str, object] = {"free": 0, "busy": [], "ringing": [], "waiting": 0, "alpha": 0.02,
                               "connect_within_s": 2.0, "max_calls": 500}
    args.update(kw)
    return predictive_calls(estimator=est, **args).calls  # type: ignore[arg-type]


def test_estimates_converge_on_the_mix() -> None:
    est = trained(0.3)
    assert abs(est.p_live() - 0.3) < 0.03
    f = est.answer_cdf(np.array([1.0, 9.0, 30.0]))
    assert f[0] < 0.05 and 0.4 < f[1] < 0.7 and f[2] == 1.0
    # a call ringing for 20 s has little chance left of a live answer; a fresh one has p
    late = est.live_within(np.array([20.0]), np.array([25.0]), est.p_live())[0, 0]
    fresh = est.live_within(np.array([0.0]), np.array([25.0]), est.p_live())[0, 0]
    assert late < 0.1 < fresh
    assert abs(fresh - est.p_live()) < 0.05


def test_prior_before_any_sample() -> None:
    est = OutcomeEstimator(prior_p=0.25, prior_weight=10)
    assert est.p_live() == 0.25
    est.record_attempt(True, 5.0)
    assert est.p_live() > 0.25


def test_a_talking_agent_cannot_be_free_before_its_timed_wrap_up() -> None:
    est = trained()
    taus = np.array([5.0, 20.0, 40.0, 200.0])
    r = est.free_within(np.array([100.0]), taus, np.array([30.0]))[0]
    assert r[0] == 0.0 and r[1] == 0.0  # the conversation must end, then 30 s of wrap-up
    assert 0.0 < r[2] < r[3] <= 1.0


def test_more_free_agents_more_calls_and_waiting_answers_take_agents() -> None:
    est = trained()
    assert calls(est, free=0) == 0
    one, five, ten = calls(est, free=1), calls(est, free=5), calls(est, free=10)
    assert 0 < one < five < ten
    assert five > 5  # over-dial: 30 % answer
    assert calls(est, free=5, waiting=3) < five
    assert calls(est, free=5, ringing=[2.0] * 10) < five
    assert calls(est, free=5, ringing=[24.0] * 10) > calls(est, free=5, ringing=[2.0] * 10)  # nearly rung out


def test_agents_about_to_be_free_count_as_supply() -> None:
    est = trained()
    soon = [Busy(0.0, free_in=3.0) for _ in range(5)]
    later = [Busy(0.0, free_in=300.0) for _ in range(5)]
    assert calls(est, busy=soon) > 0
    assert calls(est, busy=later) == 0
    assert calls(est, busy=soon) > calls(est, busy=soon, dial_rate=0.5)  # calls still to come compete


def test_higher_alpha_dials_more_and_max_calls_bounds() -> None:
    est = trained()
    assert calls(est, free=5, alpha=0.001) < calls(est, free=5, alpha=0.02) < calls(est, free=5, alpha=0.2)
    assert calls(est, free=50, max_calls=7) == 7


def test_alpha_controller_converges_on_the_target() -> None:
    ctl = AlphaController(0.02)
    for _ in range(2000):
        ctl.observe(False)
    high = ctl.alpha
    assert high > 0.02
    for _ in range(50):
        ctl.observe(True)
    assert ctl.alpha < high
    ctl = AlphaController(0.02, high=0.5)
    for _ in range(10000):
        ctl.observe(False)
    assert ctl.alpha == 0.5  # bounded


def test_predictive_shift_keeps_abandonment_under_the_cap_and_beats_progressive() -> None:
    """Two simulated hours, 20 agents, 30 % live answers: the real engine and dialing loop."""
    pred = run_campaign(mode="predictive", p_live=0.3, seed=3, agents=20, hours=2.0)
    prog = run_campaign(mode="progressive", p_live=0.3, seed=3, agents=20, hours=2.0)
    assert pred.live > 300
    assert pred.abandon_rate <= 0.03
    assert prog.abandoned == 0
    assert pred.talk_min_per_agent_hour > prog.talk_min_per_agent_hour + 3.0

"""Pacing per mode, the hard abandonment governor, and blending (inbound first, reserve, SL guard)."""

from __future__ import annotations

from blendcc.dialer.blending import InboundLoad, outbound_usable, predicted_sl
from blendcc.dialer.compliance import AbandonLedger, window_s
from blendcc.dialer.pacing import FlightView, PoolView, pace
from blendcc.dialer.predictive import Busy, OutcomeEstimator

from .helpers import campaign

BIG = 10**6


def decide(mode: str, free: int, *, ringing: int = 0, waiting: int = 0, headroom: int = BIG,
           lines: float = 2.0, busy: int = 0, max_calls: int = 1000, alpha: float = 0.02) -> int:
    c = campaign(mode=mode, lines_per_agent=lines)
    est = OutcomeEstimator()
    for i in range(200):
        est.record_attempt(i % 10 < 3, 8.0 if i % 10 < 3 else 25.0)
    for _ in range(50):
        est.record_handle(150.0, 30.0)
    pool = PoolView(free, [Busy(100.0, wrap_s=30.0) for _ in range(busy)])
    flight = FlightView(ringing=[5.0] * ringing, waiting=waiting)
    return pace(c, pool, flight, estimator=est, alpha=alpha, headroom=headroom, max_calls=max_calls).calls


def test_preview_never_dials_by_itself() -> None:
    assert decide("preview", 10) == 0


def test_progressive_one_call_per_free_agent() -> None:
    assert decide("progressive", 0) == 0
    assert decide("progressive", 4) == 4
    assert decide("progressive", 4, max_calls=3) == 3  # only three records left


def test_power_keeps_lines_per_free_agent_in_flight() -> None:
    assert decide("power", 3, lines=2.0) == 6
    assert decide("power", 3, lines=2.0, ringing=4) == 2
    assert decide("power", 3, lines=3.0, ringing=4, waiting=1) == 4
    assert decide("power", 0, lines=3.0) == 0
    assert decide("power", 2, lines=2.0, ringing=6) == 0


def test_predictive_over_dials_free_agents_and_backs_off_with_calls_in_flight() -> None:
    free5 = decide("predictive", 5)
    assert free5 > 5  # 30 % answer: more calls than agents
    assert decide("predictive", 5, ringing=10) < free5
    assert decide("predictive", 0, busy=0) == 0  # nobody to take an answer
    assert decide("predictive", 5, alpha=0.2) > free5 > decide("predictive", 5, alpha=0.001)


def test_governor_stops_over_dialling_when_the_budget_is_spent() -> None:
    for mode in ("power", "predictive"):
        assert decide(mode, 5, headroom=0) == 5  # one call per free agent at most
        assert decide(mode, 5, headroom=1, ringing=3) == 2
        assert decide(mode, 5, headroom=0, ringing=7) == 0
    assert decide("progressive", 5, headroom=0) == 5  # progressive never over-dials anyway


def test_governor_budget_from_the_ledger_in_the_regulatory_window() -> None:
    ledger = AbandonLedger()
    day = 86400.0
    for i in range(100):
        ledger.add(i * 10.0, abandoned=i < 3)  # 3 abandoned of 100 live answers: at the 3 % cap
    assert ledger.headroom(1000.0, window_s("us"), 0.03) == 0
    c = campaign(mode="predictive", regulatory_mode="uk")
    # 25 hours later the UK 24-hour window is empty again; the US 30-day window still holds them
    later = 1000.0 + day + 3600.0
    assert ledger.headroom(later, window_s(c.regulatory_mode), c.abandon_cap) == 0  # no answers: no budget
    assert ledger.counts(later, window_s("uk")) == (0, 0)
    assert ledger.counts(later, window_s("us")) == (100, 3)


def test_blending_inbound_first_and_reserve() -> None:
    quiet = InboundLoad()
    assert outbound_usable(free=4, on_inbound_or_idle=10, inbound=quiet, reserve=0, sl_guard=True).usable == 4
    waiting = InboundLoad(waiting=1)
    d = outbound_usable(free=4, on_inbound_or_idle=10, inbound=waiting, reserve=0, sl_guard=True)
    assert (d.usable, d.reason) == (0, "inbound_waiting")
    assert outbound_usable(free=4, on_inbound_or_idle=10, inbound=quiet, reserve=3, sl_guard=False).usable == 1
    assert outbound_usable(free=2, on_inbound_or_idle=10, inbound=quiet, reserve=3, sl_guard=False).usable == 0


def test_blending_sl_guard_keeps_enough_agents_for_inbound_erlang_c() -> None:
    # 10 agents, inbound 2 calls/min with AHT 180 s = 6 Erlangs: 8 agents still give SL 80/20?
    load = InboundLoad(rate_per_s=2 / 60, aht_s=180.0, sl_threshold_s=20.0, sl_target=0.8)
    needed = next(n for n in range(1, 30) if predicted_sl(n, load) >= 0.8)
    d = outbound_usable(free=5, on_inbound_or_idle=12, inbound=load, reserve=0, sl_guard=True)
    assert d.usable == max(0, min(5, 12 - needed))
    assert predicted_sl(12 - d.usable, load) >= 0.8
    if d.usable < 5:
        assert d.reason == "inbound_sl"
        assert predicted_sl(12 - d.usable - 1, load) < 0.8
    unguarded = outbound_usable(free=5, on_inbound_or_idle=12, inbound=load, reserve=0, sl_guard=False)
    assert unguarded.usable == 5

"""Dialing loop: refill past closed zones, UK AMD false-positive estimate, wrap-up callbacks, shared pools."""

from __future__ import annotations

import pytest

from blendcc.adapters.telephony.fake import ScriptedCall
from blendcc.dialer.pacing import share_pool
from blendcc.dialer.records import DialRecord
from blendcc.dialer.stats import campaign_report
from blendcc.domain import dialer_events as dev
from blendcc.domain.errors import ValidationFailed

from .helpers import NOON_NY, campaign
from .test_dialing_loop import Centre, human, phone

TOKYO = "Asia/Tokyo"  # NOON_NY is 00:00 in Tokyo: the window is closed


def closed_then_open(c: Centre, closed: int, *, callbacks: bool = False) -> None:
    """``closed`` records in Tokyo first (due callbacks when ``callbacks``), then open New York ones."""
    state = "callback" if callbacks else "pending"
    due = NOON_NY - 60 if callbacks else None
    c.repo.insert_records([DialRecord(campaign_id="c1", record_id=f"t{i}", phone=f"+8131234{i:04d}", tz=TOKYO,
                                      state=state, next_attempt_at=due) for i in range(closed)])
    c.repo.insert_records([DialRecord(campaign_id="c1", record_id=f"r{i}", phone=phone(i), tz="America/New_York")
                           for i in range(1, 4)])


def test_a_list_starting_with_1000_closed_zone_records_still_dials_the_open_ones() -> None:
    c = Centre(agents=2, records=0, mode="progressive")
    closed_then_open(c, 1000)
    c.start()
    assert sorted(p.record_id for p in c.events(dev.CallPlaced)) == ["r1", "r2"]
    assert all(r.attempts == 0 for r in c.repo.records("c1") if r.tz == TOKYO)


def test_a_due_callback_behind_1000_closed_zone_callbacks_is_dialled_first() -> None:
    c = Centre(agents=1, records=0, mode="progressive")
    closed_then_open(c, 1000, callbacks=True)
    far = DialRecord(campaign_id="c1", record_id="cb", phone=phone(99), tz="America/New_York", state="callback",
                     next_attempt_at=NOON_NY - 10)
    c.repo.insert_records([far])
    c.start()
    assert [p.record_id for p in c.events(dev.CallPlaced)] == ["cb"]


def machines(n: int) -> dict[str, list[ScriptedCall]]:
    return {phone(i): [ScriptedCall("machine", 3.0)] for i in range(1, n + 1)}


@pytest.mark.parametrize("mode", ["uk", "us"])
def test_uk_counts_the_amd_false_positive_estimate_as_abandoned(mode: str) -> None:
    c = Centre(agents=2, records=10, script=machines(10), mode="power", regulatory_mode=mode, amd=True,
               machine_action="hangup", amd_false_positive_rate=0.1)
    c.start()
    c.run_until(60)
    failed = [f for f in c.events(dev.CallFailed) if f.outcome == "machine"]
    assert len(failed) == 10
    state = c.service.pacing_state("c1")
    report = campaign_report(c.campaign, [s.event for s in c.store.read()], NOON_NY, NOON_NY + 61, NOON_NY + 61)
    if mode == "uk":  # 10 machine answers x 10 %: one estimated abandoned live call, a 100 % rate
        assert state["abandoned_in_window"] == pytest.approx(1.0)
        assert state["live_answered_in_window"] == pytest.approx(1.0)
        assert state["governor_headroom"] == 0
        assert report.amd_false_positives_est == pytest.approx(1.0)
        assert report.abandon_rate == pytest.approx(1.0) and report.regulatory_rate == pytest.approx(1.0)
    else:
        assert state["abandoned_in_window"] == 0 and state["abandon_rate"] is None
        assert report.amd_false_positives_est == 0 and report.regulatory_rate == 0


def test_the_estimate_governs_a_uk_campaign_with_real_live_answers() -> None:
    # 20 people connected, 20 machines at 5 %: 1 estimated abandon over 21 live -> 4.8 % > 3 % cap
    script = {phone(i): human(2.0, 5.0) for i in range(1, 21)} | {phone(i): [ScriptedCall("machine", 2.0)]
                                                                   for i in range(21, 41)}
    c = Centre(agents=4, records=60, script=script, mode="power", regulatory_mode="uk", amd=True,
               machine_action="hangup")
    c.start()
    c.run_until(900)
    state = c.service.pacing_state("c1")
    assert state["abandoned_in_window"] == pytest.approx(0.05 * sum(
        1 for f in c.events(dev.CallFailed) if f.outcome == "machine"))
    assert state["abandon_rate"] > c.campaign.abandon_cap
    assert state["last_decision"]["governed"] is True  # the hard governor sees the estimate


def test_callback_time_given_at_wrap_up_is_applied_to_the_record() -> None:
    c = Centre(script={phone(1): human(2.0, 1000.0)}, mode="progressive")
    c.start()
    c.run_until(2)
    call = c.events(dev.CallConnected)[0]
    with pytest.raises(ValidationFailed, match="needs callback_at"):
        c.service.stage_wrap_up(call.contact_id, "a0", "callback", None, False)
    with pytest.raises(ValidationFailed, match="past"):
        c.service.stage_wrap_up(call.contact_id, "a0", "callback", NOON_NY, False)
    with pytest.raises(ValidationFailed, match="outbound"):
        c.service.stage_wrap_up("inbound-1", "a0", None, NOON_NY + 900, False)
    c.service.stage_wrap_up(call.contact_id, "a0", "callback", NOON_NY + 3600, False)
    c.runtime.execute(lambda engine, now: engine.wrap_up(call.contact_id, "a0", now, disposition="callback"))
    c.run_until(3)
    rec = c.repo.get_record("c1", "r1")
    assert rec is not None and rec.state == "callback" and rec.next_attempt_at == NOON_NY + 3600
    assert rec.callback_agent_id is None  # a shared callback (personal only when asked)


def two_campaigns(agents: int, mode: str, weights: tuple[float, float] = (1.0, 1.0), **kw: object) -> Centre:
    c = Centre(agents=agents, records=20, mode=mode, pool_weight=weights[0], **kw)  # rings out: 25 s
    c.repo.insert_records([DialRecord(campaign_id="c2", record_id=f"s{i}", phone=f"+1312555{i:04d}",
                                      tz="America/Chicago") for i in range(20)])
    c.service.start(c.campaign)
    c.service.start(campaign(id="c2", mode=mode, pool_weight=weights[1], **kw))
    for run in c.service.runs.values():  # 200 earlier live answers: abandonment budget, no governor
        for k in range(200):
            run.ledger.add(NOON_NY - 1000 + k, False)
    c.service.tick()
    return c


def in_flight(c: Centre) -> dict[str, int]:
    return {cid: sum(1 for call in run.calls.values() if call.state in ("ringing", "waiting"))
            for cid, run in c.service.runs.items()}


def test_two_progressive_campaigns_on_one_pool_share_its_agents() -> None:
    c = two_campaigns(4, "progressive")
    placed = c.events(dev.CallPlaced)
    assert len(placed) == 4 and len({p.agent_id for p in placed}) == 4
    assert {cid: sum(1 for p in placed if p.campaign_id == cid) for cid in ("c1", "c2")} == {"c1": 2, "c2": 2}
    for t in range(1, 120):
        c.run_until(t)
        assert sum(in_flight(c).values()) <= 4


def test_two_power_campaigns_never_dial_more_lines_than_the_pool_has() -> None:
    c = two_campaigns(3, "power", weights=(2.0, 1.0), lines_per_agent=2)
    assert in_flight(c) == {"c1": 4, "c2": 2}  # 3 agents x 2 lines, split 2:1
    for t in range(1, 120):
        c.run_until(t)
        assert sum(in_flight(c).values()) <= 6
    assert in_flight(c)["c2"] > 0


def test_a_campaign_without_records_leaves_the_pool_to_the_other() -> None:
    c = Centre(agents=4, records=20, mode="progressive")
    c.service.start(c.campaign)
    c.service.start(campaign(id="c2", mode="progressive"))  # no records at all
    c.service.tick()  # c2 finds no records; c1 gets its half
    assert sum(1 for p in c.events(dev.CallPlaced) if p.campaign_id == "c1") == 2
    c.run_until(6)  # the next pacing: c2 has none, so c1 takes the whole pool
    assert sum(1 for p in c.events(dev.CallPlaced) if p.campaign_id == "c1") == 4


def test_share_pool_is_weighted_and_fair_one_agent_at_a_time() -> None:
    assert share_pool(list("abcdef"), [2.0, 1.0], [0.0, 0.0]) == [["a", "c", "d", "f"], ["b", "e"]]
    credits = [0.0, 0.0, 0.0]
    got = [share_pool(["x"], [1.0, 1.0, 2.0], credits).index(["x"]) for _ in range(8)]
    assert got.count(2) == 4 and got.count(0) == 2 and got.count(1) == 2
    assert share_pool([], [1.0], [0.0]) == [[]]
    with pytest.raises(ValueError):
        share_pool(["x"], [1.0], [])


def test_the_ledger_weighs_estimates_in_and_out_of_order() -> None:
    from blendcc.dialer.compliance import AbandonLedger

    ledger = AbandonLedger()
    ledger.add(100.0, False)
    ledger.add(300.0, True, weight=0.05)
    ledger.add(200.0, True)  # out of order
    ledger.add(250.0, True, weight=0.0)  # nothing
    assert ledger.counts(300.0, 1000.0) == pytest.approx((2.05, 1.05))
    assert ledger.rate(300.0, 150.0) == pytest.approx(1.0)  # (150, 300]: 200 and the estimate at 300
    ledger.prune(150.0)
    assert len(ledger) == 2 and ledger.counts(300.0, 1000.0) == pytest.approx((1.05, 1.05))
    assert ledger.headroom(300.0, 1000.0, 0.5) == 0

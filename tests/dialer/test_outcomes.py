"""Outcomes and dispositions: retry delays inside the window and the attempt limits, bad numbers, callbacks."""

from __future__ import annotations

import pytest

from blendcc.dialer.outcomes import Outcome, apply_disposition, apply_outcome, start_attempt
from blendcc.dialer.windows import local_day

from .helpers import NOON_NY, campaign, record, utc


def test_start_attempt_counts_total_and_local_day() -> None:
    r = start_attempt(record(1, attempts=2, attempts_today=2, attempts_day="2026-11-30"), NOON_NY)
    assert (r.state, r.attempts, r.attempts_today, r.attempts_day) == ("dialing", 3, 1, "2026-12-01")
    again = start_attempt(r.replace(state="scheduled"), NOON_NY + 60)
    assert (again.attempts, again.attempts_today) == (4, 2)
    # 03:00 UTC on 2 December is still 1 December in New York
    late = start_attempt(record(1), utc(2026, 12, 2, 3))
    assert late.attempts_day == "2026-12-01"


@pytest.mark.parametrize("outcome, delay", [("busy", 900), ("no_answer", 3600), ("failed", 1800),
                                            ("abandoned", 3600), ("unknown", 3600), ("machine", 7200)])
def test_retryable_outcomes_wait_their_delay(outcome: str, delay: float) -> None:
    c = campaign()
    r = apply_outcome(start_attempt(record(1), NOON_NY), outcome, c, NOON_NY)
    assert (r.state, r.last_outcome, r.next_attempt_at, r.final_reason) == ("scheduled", outcome, NOON_NY + delay, None)


@pytest.mark.parametrize("outcome", ["fax", "invalid", "disconnected"])
def test_dead_numbers_become_bad(outcome: str) -> None:
    r = apply_outcome(start_attempt(record(1), NOON_NY), Outcome(outcome), campaign(), NOON_NY)
    assert (r.state, r.final_reason, r.next_attempt_at) == ("bad", outcome, None)


def test_human_is_done_and_machine_follows_the_campaign() -> None:
    r = start_attempt(record(1), NOON_NY)
    assert apply_outcome(r, "human", campaign(), NOON_NY).final_reason == "connected"
    assert apply_outcome(r, "machine", campaign(machine_action="hangup"), NOON_NY).final_reason == "machine"
    assert apply_outcome(r, "machine", campaign(machine_action="message"), NOON_NY).final_reason == "machine_message"
    with pytest.raises(ValueError):
        apply_outcome(r, "teleported", campaign(), NOON_NY)


def test_retry_moves_into_the_next_window_and_next_day_when_today_is_used() -> None:
    c = campaign(max_attempts_per_day=2)
    # 20:30 New York: a 1-hour no-answer delay lands after 21:00 -> next morning 08:00 local (13:00 UTC)
    evening = utc(2026, 12, 2, 1, 30)
    r = apply_outcome(start_attempt(record(1), evening), "no_answer", c, evening)
    assert r.next_attempt_at == utc(2026, 12, 2, 13)
    # second attempt of the day at 10:00: a busy retry would be today, but the day's attempts are used
    first = apply_outcome(start_attempt(record(1), NOON_NY), "busy", c, NOON_NY)
    second = apply_outcome(start_attempt(first, NOON_NY + 900), "busy", c, NOON_NY + 900)
    assert second.attempts_today == 2
    assert second.next_attempt_at == utc(2026, 12, 2, 13)
    assert local_day(second.next_attempt_at, "America/New_York") == "2026-12-02"


def test_last_attempt_finishes_the_record() -> None:
    c = campaign(max_attempts=2, max_attempts_per_day=2)
    r = record(1)
    for i in range(2):
        r = apply_outcome(start_attempt(r, NOON_NY + i), "no_answer", c, NOON_NY + i)
    assert (r.state, r.final_reason, r.attempts) == ("done", "max_attempts", 2)


def test_dispositions() -> None:
    c = campaign()
    live = apply_outcome(start_attempt(record(1), NOON_NY), "human", c, NOON_NY)
    sale = apply_disposition(live, "sale", c, NOON_NY)
    assert (sale.state, sale.final_reason) == ("done", "sale")
    cb = apply_disposition(live, "callback", c, NOON_NY, callback_at=NOON_NY + 3600, personal_agent="a1")
    assert (cb.state, cb.next_attempt_at, cb.callback_agent_id) == ("callback", NOON_NY + 3600, "a1")
    retry = apply_disposition(live, "retry", c, NOON_NY)
    assert (retry.state, retry.next_attempt_at) == ("scheduled", NOON_NY + 3600)
    assert apply_disposition(live, "wrong_number", c, NOON_NY).state == "bad"
    assert apply_disposition(live, "dnc", c, NOON_NY).final_reason == "dnc"
    custom = campaign(dispositions={"promise_to_pay": "done", "later": "callback"})
    assert apply_disposition(live, "promise_to_pay", custom, NOON_NY).final_reason == "promise_to_pay"
    with pytest.raises(ValueError, match="unknown disposition"):
        apply_disposition(live, "sale", custom, NOON_NY)
    with pytest.raises(ValueError, match="callback_at"):
        apply_disposition(live, "callback", c, NOON_NY)
    with pytest.raises(ValueError, match="past"):
        apply_disposition(live, "callback", c, NOON_NY, callback_at=NOON_NY - 1)
    spent = live.replace(attempts=c.max_attempts)
    assert apply_disposition(spent, "callback", c, NOON_NY, callback_at=NOON_NY + 60).final_reason == "max_attempts"


def test_campaign_validation() -> None:
    with pytest.raises(ValueError, match="caller_id"):
        campaign(caller_id="5550100")
    with pytest.raises(ValueError, match="abandon_target"):
        campaign(abandon_target=0.05, abandon_cap=0.03)
    with pytest.raises(ValueError, match="max_attempts_per_day"):
        campaign(max_attempts=2, max_attempts_per_day=3)
    with pytest.raises(ValueError, match="region"):
        campaign(default_region="ZZ")
    with pytest.raises(ValueError):
        campaign(calling_window={"weekly": {"funday": []}})
    with pytest.raises(ValueError):
        campaign(surprise=True)
    assert campaign(default_region="gb").default_region == "GB"


def test_uk_abandoned_callee_waits_72_hours_unless_an_agent_is_guaranteed() -> None:
    r = start_attempt(record(1, phone="+442079460001", tz="Europe/London"), NOON_NY)
    uk = apply_outcome(r, "abandoned", campaign(regulatory_mode="uk", mode="predictive"), NOON_NY)
    assert uk.next_attempt_at == NOON_NY + 72 * 3600
    assert apply_outcome(r, "abandoned", campaign(regulatory_mode="uk", mode="progressive"),
                         NOON_NY).next_attempt_at == NOON_NY + 3600
    assert apply_outcome(r, "abandoned", campaign(mode="predictive"), NOON_NY).next_attempt_at == NOON_NY + 3600


def test_ring_time_is_at_least_15_seconds() -> None:
    with pytest.raises(ValueError, match="ring_timeout_s"):
        campaign(ring_timeout_s=10)
    assert campaign(ring_timeout_s=15).ring_timeout_s == 15


def test_records_csv_export() -> None:
    from blendcc.dialer.records import records_csv

    rows = [record(1, fields={"name": "Ann", "plan": "gold"}),
            record(2, state="callback", attempts=2, next_attempt_at=0.0, callback_agent_id="a1",
                   last_outcome="human", fields={"name": 'Bob "B", Jr'})]
    assert records_csv(rows).splitlines() == [
        "record_id,external_id,phone,tz,state,attempts,last_outcome,final_reason,next_attempt_at,callback_agent_id,"
        "name,plan",
        "r1,,+12125550001,America/New_York,pending,0,,,,,Ann,gold",
        'r2,,+12125550002,America/New_York,callback,2,human,,1970-01-01T00:00:00+00:00,a1,"Bob ""B"", Jr",']

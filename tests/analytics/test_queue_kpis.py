"""Queue KPIs (KPIS.md) from events: counters per interval, rates on a hand-computed example."""

from __future__ import annotations

import pytest

from blendcc.analytics.queue_stats import (
    BASE_INTERVAL_S,
    QueueCounters,
    deltas,
    fold,
    interval_start,
    queue_kpis,
    rollup,
)
from blendcc.domain import events as ev

T0 = 1_705_309_200.0  # Monday 15 January 2024 09:00 UTC, a multiple of 900


def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
    return (20.0, 5.0) if channel == "voice" else (60.0, 5.0)


def queued(cid: str, t: float, q: str = "q", ch: str = "voice") -> ev.ContactQueued:
    return ev.ContactQueued(contact_id=cid, queue_id=q, channel=ch, step_index=0, priority=0, at=T0 + t)


def connected(cid: str, t_queued: float, wait: float, q: str = "q") -> ev.ContactConnected:
    return ev.ContactConnected(contact_id=cid, agent_id="a", queue_id=q, channel="voice",
                               queued_at=T0 + t_queued, wait_s=wait, at=T0 + t_queued + wait)


def wrapped(cid: str, t_queued: float, talk: float, hold: float, acw: float, q: str = "q") -> ev.WrapUpCompleted:
    return ev.WrapUpCompleted(contact_id=cid, agent_id="a", queue_id=q, channel="voice", queued_at=T0 + t_queued,
                              disposition=None, notes=None, talk_s=talk, hold_s=hold, acw_s=acw, at=T0 + 2000)


def abandoned(cid: str, t_queued: float, wait: float, q: str = "q") -> ev.ContactAbandoned:
    return ev.ContactAbandoned(contact_id=cid, queue_id=q, channel="voice", queued_at=T0 + t_queued, wait_s=wait,
                               at=T0 + t_queued + wait)


def example_events() -> list[ev.Event]:
    return [
        # c1: answered in 10 s (within T = 20 s), talk 100, hold 20, ACW 30
        queued("c1", 0), connected("c1", 0, 10), wrapped("c1", 0, 100, 20, 30),
        # c2: answered in 30 s (outside T), talk 200, ACW 10
        queued("c2", 10), connected("c2", 10, 30), wrapped("c2", 10, 200, 0, 10),
        # c3: short abandon after 3 s (excluded from rates)
        queued("c3", 20), abandoned("c3", 20, 3),
        # c4, c5: abandoned after 40 s and 60 s
        queued("c4", 30), abandoned("c4", 30, 40),
        queued("c5", 40), abandoned("c5", 40, 60),
        # c6: answered in exactly T (counts as within), then transferred on; talk 50
        queued("c6", 50), connected("c6", 50, 20),
        ev.ContactTransferred(contact_id="c6", from_agent_id="a", from_queue_id="q", channel="voice",
                              queued_at=T0 + 50, to_queue_id="q2", to_agent_id=None, at=T0 + 100),
        wrapped("c6", 50, 50, 0, 0),
        # c7: timed out after 120 s
        queued("c7", 60),
        ev.ContactTimedOut(contact_id="c7", queue_id="q", channel="voice", queued_at=T0 + 60, wait_s=120,
                           at=T0 + 180),
        # c8: overflowed to q2 (offered there too)
        queued("c8", 70),
        ev.ContactOverflowed(contact_id="c8", from_queue_id="q", to_queue_id="q2", channel="voice",
                             queued_at=T0 + 70, reason="step_timeout", at=T0 + 100),
        queued("c8", 100, q="q2"),
        # c9: entered at 890 s, answered at 910 s: it belongs to the first interval
        queued("c9", 890), connected("c9", 890, 20), wrapped("c9", 890, 60, 0, 0),
        # c10: entered in the second interval
        queued("c10", 900), abandoned("c10", 900, 8),
        # events that do not count
        ev.ContactCreated(contact_id="c11", channel="voice", direction="inbound", customer_id=None, priority=0,
                          at=T0),
        ev.ContactAbandoned(contact_id="c11", queue_id=None, channel="voice", queued_at=None, wait_s=0.0, at=T0),
    ]


def test_hand_computed_interval() -> None:
    table = fold(example_events(), thresholds)
    first = table[(T0, "q", "voice")]
    assert first.as_dict() == {
        "offered": 9, "handled": 4, "answered_in_sl": 3, "abandoned": 2, "short_abandoned": 1, "timed_out": 1,
        "overflowed_out": 1, "transferred": 1, "handled_done": 4, "wait_handled_s": 80.0,
        "wait_abandoned_s": 100.0, "max_wait_handled_s": 30.0, "talk_s": 410.0, "hold_s": 20.0, "acw_s": 40.0,
    }
    k = queue_kpis(first)
    # rates exclude the short abandon from the denominator: 9 offered - 1 short = 8
    assert k["abandon_rate"] == pytest.approx(2 / 8)
    assert k["service_level"] == pytest.approx(3 / 8)
    assert k["asa_s"] == pytest.approx(80 / 4)
    assert k["avg_abandon_wait_s"] == pytest.approx(100 / 2)
    assert k["aht_s"] == pytest.approx((410 + 20 + 40) / 4)
    assert k["avg_talk_s"] == pytest.approx(410 / 4)
    assert k["avg_hold_s"] == pytest.approx(20 / 4)
    assert k["avg_acw_s"] == pytest.approx(40 / 4)
    assert k["transfer_rate"] == pytest.approx(1 / 4)
    assert (k["offered"], k["handled"], k["abandoned"], k["short_abandoned"], k["timed_out"]) == (9, 4, 2, 1, 1)
    assert k["max_wait_handled_s"] == 30.0
    # the overflow target counts its own offer; the next interval has c10 (an abandon after 8 s)
    assert table[(T0, "q2", "voice")].offered == 1
    second = table[(T0 + 900, "q", "voice")]
    assert (second.offered, second.abandoned, second.short_abandoned) == (1, 1, 0)
    assert queue_kpis(second)["abandon_rate"] == 1.0
    assert len(table) == 3  # the contact that left before queueing is not offered anywhere


def test_aht_divides_by_completed_handling_only() -> None:
    events = [queued("c1", 0), connected("c1", 0, 5), wrapped("c1", 0, 100, 0, 20),
              queued("c2", 1), connected("c2", 1, 5)]  # still talking
    k = queue_kpis(fold(events, thresholds)[(T0, "q", "voice")])
    assert k["handled"] == 2
    assert k["asa_s"] == 5.0
    assert k["aht_s"] == 120.0
    assert k["transfer_rate"] == 0.0


def test_empty_denominators_give_none_not_zero() -> None:
    k = queue_kpis(QueueCounters())
    for name in ("abandon_rate", "service_level", "asa_s", "avg_abandon_wait_s", "aht_s", "transfer_rate"):
        assert k[name] is None
    only_short = fold([queued("c1", 0), abandoned("c1", 0, 1)], thresholds)[(T0, "q", "voice")]
    k = queue_kpis(only_short)
    assert k["abandon_rate"] is None and k["service_level"] is None  # 1 offered - 1 short = 0


def test_thresholds_per_channel_and_boundaries() -> None:
    chat = ev.ContactConnected(contact_id="x", agent_id="a", queue_id="q", channel="chat", queued_at=T0,
                               wait_s=45.0, at=T0 + 45)
    assert deltas(chat, thresholds)[0][1]["answered_in_sl"] == 1  # T = 60 s for chat
    voice = connected("y", 0, 20.5)
    assert "answered_in_sl" not in deltas(voice, thresholds)[0][1]
    # exactly the short-abandon threshold is a real abandon (short is strictly below)
    assert deltas(abandoned("z", 0, 5.0), thresholds)[0][1] == {"abandoned": 1, "wait_abandoned_s": 5.0}
    assert deltas(abandoned("z", 0, 4.99), thresholds)[0][1] == {"short_abandoned": 1}
    assert deltas(ev.AgentLoggedIn(agent_id="a", at=T0), thresholds) == []


def test_interval_start_and_rollup() -> None:
    assert interval_start(T0 + 899) == T0
    assert interval_start(T0 + 900) == T0 + 900
    assert interval_start(T0 + 3599, 3600) == T0
    table = fold(example_events(), thresholds)
    hourly = rollup(table, 3600)
    assert set(hourly) == {(T0, "q", "voice"), (T0, "q2", "voice")}
    assert hourly[(T0, "q", "voice")].offered == 10
    assert hourly[(T0, "q", "voice")].abandoned == 3
    assert hourly[(T0, "q", "voice")].max_wait_handled_s == 30.0
    only_q2 = rollup(table, BASE_INTERVAL_S, queue_id="q2")
    assert list(only_q2) == [(T0, "q2", "voice")]
    assert rollup(table, 3600, channel="chat") == {}


def test_fold_accumulates_into_an_existing_table() -> None:
    table = fold([queued("c1", 0)], thresholds)
    fold([queued("c2", 1), connected("c2", 1, 50)], thresholds, into=table)
    c = table[(T0, "q", "voice")]
    assert (c.offered, c.handled, c.max_wait_handled_s) == (2, 1, 50.0)
    merged = QueueCounters()
    merged.merge(c)
    merged.merge(QueueCounters(offered=1, max_wait_handled_s=10.0))
    assert (merged.offered, merged.max_wait_handled_s) == (3, 50.0)

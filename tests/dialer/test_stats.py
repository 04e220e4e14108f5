"""Campaign report: attempts, outcomes, connect rate, abandonment windows (US/UK), talk per agent hour,
penetration, calls outside the window and DNC hits, folded from events."""

from __future__ import annotations

import pytest

from blendcc.analytics.agent_stats import StateInterval
from blendcc.dialer.dnc import GLOBAL, DncEntry
from blendcc.dialer.stats import campaign_report
from blendcc.domain.dialer_events import (
    CallAbandoned,
    CallAnswered,
    CallConnected,
    CallFailed,
    CallPlaced,
    PreviewSkipped,
)
from blendcc.domain.events import Event, WrapUpCompleted

from .helpers import NOON_NY, campaign

T = NOON_NY
DAY = 86400.0


def call(n: int, at: float, result: str, *, campaign_id: str = "c1", agent: str = "a1",
         phone: str | None = None, talk: float = 120.0) -> list[Event]:
    cid, rid = f"k{n}", f"r{n}"
    out: list[Event] = [CallPlaced(at=at, campaign_id=campaign_id, call_id=cid, record_id=rid,
                                   phone=phone or f"+1212555{n:04d}", mode="predictive")]
    if result in ("busy", "no_answer", "failed"):
        out.append(CallFailed(at=at + 25, campaign_id=campaign_id, call_id=cid, record_id=rid, outcome=result))
        return out
    out.append(CallAnswered(at=at + 5, campaign_id=campaign_id, call_id=cid, record_id=rid,
                            answered_by="machine" if result == "amd_fp" else "human"))
    if result == "human":
        contact = f"oc{n}"
        out += [CallConnected(at=at + 6, campaign_id=campaign_id, call_id=cid, record_id=rid, contact_id=contact,
                              agent_id=agent),
                WrapUpCompleted(at=at + 6 + talk + 20, contact_id=contact, agent_id=agent, queue_id="sales",
                                channel="voice", queued_at=at + 6, disposition="sale", notes=None, talk_s=talk,
                                hold_s=0.0, acw_s=20.0)]
    else:
        reason = "amd_false_positive" if result == "amd_fp" else "no_agent"
        out.append(CallAbandoned(at=at + 7, campaign_id=campaign_id, call_id=cid, record_id=rid, reason=reason))
    return out


def test_counts_rates_and_talk_per_agent_hour() -> None:
    events: list[Event] = []
    results = ["human", "human", "busy", "no_answer", "abandoned", "human", "failed", "no_answer"]
    for i, res in enumerate(results):
        events += call(i, T + 60 * i, res)
    events += call(99, T, "human", campaign_id="other")  # another campaign: ignored
    events.append(PreviewSkipped(at=T, campaign_id="c1", record_id="r50", agent_id="a1", reason="wrong person"))
    # an inbound wrap-up of the same agent is not campaign talk
    events.append(WrapUpCompleted(at=T + 100, contact_id="in1", agent_id="a1", queue_id="sales", channel="voice",
                                  queued_at=T, disposition=None, notes=None, talk_s=999.0, hold_s=0.0, acw_s=0.0))
    intervals = [StateInterval("a1", "available", None, T - 3600, T),
                 StateInterval("a1", "busy", None, T, T + 1800),
                 StateInterval("a1", "offline", None, T + 1800, None),
                 StateInterval("a2", "available", None, T, None)]  # not a campaign agent
    rep = campaign_report(campaign(), events, T - 3600, T + 3600, T + 3600, intervals=intervals,
                          records_by_state={"pending": 12, "done": 3, "scheduled": 5})
    assert rep.attempts == 8
    assert rep.outcomes == {"human": 3, "busy": 1, "no_answer": 2, "abandoned": 1, "failed": 1}
    assert (rep.answered, rep.live_answers, rep.connected, rep.abandoned) == (4, 4, 3, 1)
    assert rep.connect_rate == 3 / 8
    assert rep.abandon_rate == rep.abandon_rate_24h == rep.abandon_rate_30d == rep.regulatory_rate == 0.25
    assert rep.talk_s == 360.0
    assert rep.logged_in_s == 5400.0  # a1: one hour available + half an hour busy, within the period
    assert rep.talk_min_per_agent_hour == pytest.approx(6.0 / 1.5)
    assert rep.skipped == 1
    assert (rep.records, rep.records_attempted, rep.penetration) == (20, 8, 0.4)
    assert (rep.calls_outside_window, rep.dnc_hits) == (0, 0)
    d = rep.to_dict()
    assert d["talk_min_per_agent_hour"] == pytest.approx(4.0) and d["outcomes"]["human"] == 3


def test_abandonment_windows_24h_and_30d() -> None:
    events: list[Event] = []
    # 10 days ago: 1 abandoned of 2 live answers; today: 0 of 2
    events += call(1, T - 10 * DAY, "abandoned") + call(2, T - 10 * DAY + 60, "human")
    events += call(3, T - 600, "human") + call(4, T - 300, "human")
    us = campaign_report(campaign(), events, T - DAY, T, T)
    assert us.abandon_rate_24h == 0.0
    assert us.abandon_rate_30d == 0.25
    assert us.regulatory_rate == 0.25
    assert us.attempts == 2  # the period is the last day
    uk = campaign_report(campaign(regulatory_mode="uk"), events, T - DAY, T, T)
    assert uk.regulatory_rate == uk.abandon_rate_24h == 0.0
    # a month later the old abandon has left the 30-day window too
    assert campaign_report(campaign(), events, T, T + 31 * DAY, T + 31 * DAY).abandon_rate_30d == 0.0


def test_amd_false_positives_count_as_abandoned_only_in_uk_mode() -> None:
    events = call(1, T, "human") + call(2, T + 60, "amd_fp") + call(3, T + 120, "human") + call(4, T + 180, "human")
    us = campaign_report(campaign(), events, T - 60, T + 3600, T + 3600)
    assert (us.abandoned, us.live_answers, us.abandon_rate) == (0, 3, 0.0)
    assert us.outcomes["machine"] == 1
    uk = campaign_report(campaign(regulatory_mode="uk"), events, T - 60, T + 3600, T + 3600)
    assert (uk.abandoned, uk.live_answers, uk.abandon_rate, uk.regulatory_rate) == (1, 4, 0.25, 0.25)


def test_calls_outside_the_window_and_to_dnc_numbers_are_counted() -> None:
    late = T + 12 * 3600  # 22:00 in New York
    events = call(1, T, "busy") + call(2, late, "busy") + call(3, T + 60, "busy", phone="+12125550777")
    events += call(4, T + 120, "busy", phone="+12125550888")
    dnc = [DncEntry(scope=GLOBAL, phone="+12125550777", added_at=T - 1),
           DncEntry(scope="c1", phone="+12125550888", added_at=T + 500),  # added after the call: not a hit
           DncEntry(scope="c9", phone="+12125550001", added_at=0.0)]  # another campaign's list
    tz = {"r1": "America/New_York", "r2": "America/New_York", "r3": "America/New_York"}
    rep = campaign_report(campaign(), events, T - 60, T + DAY, T + DAY, tz_of=tz, dnc=dnc)
    assert (rep.attempts, rep.calls_outside_window, rep.dnc_hits) == (4, 1, 1)


def test_empty_campaign() -> None:
    rep = campaign_report(campaign(), [], T, T + 60, T + 60)
    assert (rep.attempts, rep.connect_rate, rep.talk_min_per_agent_hour, rep.penetration) == (0, None, None, None)
    assert rep.abandon_rate == 0.0


def test_scan_source_reads_types_and_times_from_any_event_store() -> None:
    from blendcc.app.outbound.campaigns import REPORT_TYPES, scan_source
    from blendcc.testing import MemoryStore

    store = MemoryStore()
    for i in range(7):
        store.append(call(i, T + 100 * i, "busy"))
    read = scan_source(store, page=3)
    got = read(("CallFailed",), T + 100, T + 400)
    assert [e.record_id for e in got] == ["r1", "r2", "r3"]  # type: ignore[attr-defined]
    assert len(read(REPORT_TYPES, T, T + 1000)) == 14

"""Adherence and conformance on hand-made schedules and state intervals; live alerts with a FakeClock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pytest import approx

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import MemoryConfigRepository
from blendcc.analytics.agent_stats import StateInterval
from blendcc.app.admin.configuration import ConfigService
from blendcc.app.planning.adherence import AdherenceMonitor, ScheduleService
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.testing.bus import RecordingBus
from blendcc.wfm.adherence import Scheduled, adherence_report, matches, out_of_adherence_since

T9 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC).timestamp()  # Monday 09:00 UTC
MIN = 60.0


def at(minutes: float) -> float:
    return T9 + minutes * MIN


def seg(agent: str, activity: str, a: float, b: float) -> Scheduled:
    return Scheduled(agent, activity, at(a), at(b))


def iv(agent: str, state: str, a: float, b: float | None, reason: str | None = None) -> StateInterval:
    return StateInterval(agent, state, reason, at(a), at(b) if b is not None else None)


SEGMENTS = [
    # a1: work 09:00-10:00, break 10:00-10:15, work 10:15-11:00
    seg("a1", "work", 0, 60), seg("a1", "break", 60, 75), seg("a1", "work", 75, 120),
    # a2: work 09:00-11:00 (never logs in)
    seg("a2", "work", 0, 120),
    # a3: scheduled off 09:00-10:00 (e.g. a late start agreed), then lunch 10:00-10:30
    seg("a3", "off", 0, 60), seg("a3", "lunch", 60, 90),
]
INTERVALS = [
    iv("a1", "available", 5, 30), iv("a1", "busy", 30, 50), iv("a1", "wrap_up", 50, 65),
    iv("a1", "aux", 65, 80, "break"), iv("a1", "busy", 80, 130), iv("a1", "offline", 130, None),
    iv("a3", "available", 30, 60), iv("a3", "aux", 60, 90, "break"),  # a break instead of lunch
    iv("zz", "available", 0, 60),  # not scheduled: not in the report
]
TEAMS = {"a1": "t1", "a2": "t1", "a3": None}


def rows(report: dict[str, Any], key: str = "agents") -> dict[Any, dict[str, Any]]:
    ident = "agent_id" if key == "agents" else "team_id"
    return {r[ident]: r for r in report[key]}  # type: ignore[index]


def test_activity_state_mapping() -> None:
    for state in ("available", "reserved", "busy", "wrap_up"):
        assert matches("work", state, None)
    assert not matches("work", "aux", "break") and not matches("work", "offline", None)
    assert matches("break", "aux", "break") and not matches("break", "aux", "lunch")
    assert matches("lunch", "aux", "lunch") and matches("meeting", "aux", "meeting")
    assert matches("off", "offline", None) and not matches("off", "available", None)


def test_adherence_and_conformance_per_agent_team_and_total() -> None:
    report = adherence_report(SEGMENTS, INTERVALS, at(0), at(180), TEAMS)
    a = rows(report)
    assert set(a) == {"a1", "a2", "a3"}
    # a1: work 09:05-10:00 (55) + break 10:05-10:15 (10) + work 10:20-11:00 (40) = 105 of 120 minutes
    assert a["a1"]["scheduled_s"] == approx(120 * MIN)
    assert a["a1"]["in_adherence_s"] == approx(105 * MIN)
    assert a["a1"]["adherence"] == approx(105 / 120)
    # logged in 09:05-11:10 = 125 minutes against 120 scheduled working minutes (break included)
    assert a["a1"]["logged_in_s"] == approx(125 * MIN)
    assert a["a1"]["conformance"] == approx(125 / 120)
    assert a["a1"]["by_activity"]["break"]["adherence"] == approx(10 / 15)
    assert a["a1"]["by_activity"]["work"]["in_adherence_s"] == approx(95 * MIN)
    assert a["a2"]["adherence"] == 0 and a["a2"]["conformance"] == 0
    # a3: off 09:00-09:30 is adherent (logged in from 09:30); the lunch taken as a break is not
    assert a["a3"]["in_adherence_s"] == approx(30 * MIN)
    assert a["a3"]["adherence"] == approx(30 / 90)
    assert a["a3"]["scheduled_working_s"] == approx(30 * MIN)  # 'off' is not working time
    assert a["a3"]["conformance"] == approx(60 / 30)
    t = rows(report, "teams")
    assert t["t1"]["adherence"] == approx(105 / 240)
    assert t["t1"]["conformance"] == approx(125 / 240)
    assert report["total"]["adherence"] == approx((105 + 0 + 30) / (120 + 120 + 90))  # type: ignore[index]


def test_window_clips_segments_and_open_intervals() -> None:
    report = adherence_report(SEGMENTS[:3], INTERVALS[:6], at(30), at(70), TEAMS)
    a1 = rows(report)["a1"]
    # work 09:30-10:00 all matched (30), break 10:00-10:10 matched from 10:05 (5)
    assert a1["scheduled_s"] == approx(40 * MIN) and a1["in_adherence_s"] == approx(35 * MIN)
    open_iv = [iv("a1", "available", 0, None)]
    a1 = rows(adherence_report(SEGMENTS[:1], open_iv, at(0), at(45), TEAMS))["a1"]
    assert a1["adherence"] == 1.0 and a1["logged_in_s"] == approx(45 * MIN)


def test_out_of_adherence_since_walks_back_through_contiguous_segments() -> None:
    segs = SEGMENTS[:3]
    # offline since before the shift: out since the shift began, through work and break
    assert out_of_adherence_since(segs, "offline", None, at(-600), at(70)) == at(0)
    # aux 'personal' since 09:50, through the end of work into the break: out since the state began
    assert out_of_adherence_since(segs, "aux", "personal", at(50), at(70)) == at(50)
    # aux 'break' during the break: in adherence
    assert out_of_adherence_since(segs, "aux", "break", at(62), at(70)) is None
    # still on the break after it ended: out since 10:15, not since the break began
    assert out_of_adherence_since(segs, "aux", "break", at(62), at(80)) == at(75)
    # nothing scheduled now: no mismatch
    assert out_of_adherence_since(segs, "offline", None, at(0), at(200)) is None


# ---------------------------------------------------------------------- live monitor


class NoIntervals:
    def state_intervals(self, start: float, end: float) -> list[StateInterval]:
        return []

    def open_state_intervals(self) -> list[StateInterval]:
        return []


def monitor(grace_s: float = 300.0) -> tuple[AdherenceMonitor, FakeClock, RecordingBus, ScheduleService]:
    clock = FakeClock(at(0))
    config = ConfigService(MemoryConfigRepository(), clock)
    config.put("teams", "t1", {"name": "Team 1"}, "admin")
    config.put("agents", "a1", {"name": "Ann", "team_id": "t1"}, "admin")
    schedules = ScheduleService(config, NoIntervals(), clock)
    schedules.publish([{"agent_id": "a1", "date": "2024-01-15", "segments": [
        {"activity": "work", "start": "2024-01-15T09:00:00Z", "end": "2024-01-15T10:00:00Z"},
        {"activity": "break", "start": "2024-01-15T10:00:00Z", "end": "2024-01-15T10:15:00Z"},
        {"activity": "work", "start": "2024-01-15T10:15:00Z", "end": "2024-01-15T12:00:00Z"},
    ]}], "sup")
    bus = RecordingBus()
    return AdherenceMonitor(schedules, NoIntervals(), bus, clock, grace_s=grace_s), clock, bus, schedules


def state(bus: RecordingBus, agent: str, st: str, when: float, reason: str | None = None) -> None:
    bus.publish("agent", {"type": "AgentStateChanged", "agent_id": agent, "state": st, "reason": reason,
                          "at": when})


def wfm(bus: RecordingBus) -> list[tuple[str, str, float]]:
    return [(m["type"], m["scheduled"], m["since"]) for m in bus.messages("wfm")]


def test_alert_after_the_grace_period_and_cleared_when_back() -> None:
    mon, clock, bus, _ = monitor()
    clock.set(at(4.98))
    assert mon.check() == [] and wfm(bus) == []  # offline since 09:00, 299 s: still within grace
    clock.set(at(5))
    (alert,) = mon.check()
    assert alert["agent_id"] == "a1" and alert["team_id"] == "t1" and alert["state"] == "offline"
    assert alert["since"] == at(0) and alert["out_for_s"] == 300
    assert wfm(bus) == [("AdherenceAlertRaised", "work", at(0))]
    mon.check()
    assert len(bus.messages("wfm")) == 1  # raised once
    clock.set(at(7))
    state(bus, "a1", "available", at(7))  # logs in: the event clears it at once
    assert wfm(bus)[-1] == ("AdherenceAlertCleared", "work", at(0))
    assert mon.alerts()["alerts"] == []


def test_one_episode_through_state_changes_and_break_rules() -> None:
    mon, clock, bus, _ = monitor()
    state(bus, "a1", "available", at(0))
    clock.set(at(20))
    state(bus, "a1", "aux", at(20), "personal")
    clock.set(at(23))
    state(bus, "a1", "aux", at(23), "missed")  # still out: same episode, timed from 09:20
    clock.set(at(25))
    assert [a["since"] for a in mon.check()] == [at(20)]
    assert wfm(bus) == [("AdherenceAlertRaised", "work", at(20))]
    clock.set(at(60))  # the break starts while in aux 'missed': still out, now against 'break'
    mon.check()
    assert wfm(bus)[-1] == ("AdherenceAlertUpdated", "break", at(20))
    state(bus, "a1", "aux", at(61), "break")
    assert wfm(bus)[-1][0] == "AdherenceAlertCleared"
    clock.set(at(79))  # break over at 10:15, still on break at 10:19: within grace
    assert mon.check() == []
    clock.set(at(80))
    assert [a["since"] for a in mon.check()] == [at(75)]


def test_grace_zero_and_unscheduled_time() -> None:
    mon, clock, bus, _ = monitor(grace_s=0)
    state(bus, "a1", "available", at(0))
    clock.set(at(121))
    state(bus, "a1", "offline", at(121))  # logs out during the shift: alert at once with no grace
    assert wfm(bus) == [("AdherenceAlertRaised", "work", at(121))]
    clock.set(at(180))  # the shift is over: nothing scheduled, the alert clears
    assert mon.check() == [] and wfm(bus)[-1][0] == "AdherenceAlertCleared"
    state(bus, "a1", "available", at(190))  # logged in while unscheduled: no alert
    assert mon.check() == []
    with pytest.raises(ValueError):
        monitor(grace_s=-1)


def test_publish_refuses_unknown_agents_and_bad_documents() -> None:
    _, _, _, schedules = monitor()
    with pytest.raises(NotFound, match="agent 'zz' is not configured"):
        schedules.publish([{"agent_id": "zz", "date": "2024-01-15", "segments": []}], "sup")
    with pytest.raises(ValidationFailed, match="overlaps"):
        schedules.publish([{"agent_id": "a1", "date": "2024-01-16", "segments": [
            {"activity": "work", "start": "2024-01-16T09:00:00Z", "end": "2024-01-16T10:00:00Z"},
            {"activity": "break", "start": "2024-01-16T09:30:00Z", "end": "2024-01-16T09:45:00Z"}]}], "sup")
    with pytest.raises(ValidationFailed, match="activity"):
        schedules.publish([{"agent_id": "a1", "date": "2024-01-16", "segments": [
            {"activity": "nap", "start": "2024-01-16T09:00:00Z", "end": "2024-01-16T10:00:00Z"}]}], "sup")
    with pytest.raises(ValidationFailed, match="timezone"):
        schedules.publish([{"agent_id": "a1", "date": "2024-01-16", "segments": [
            {"activity": "work", "start": "2024-01-16T09:00:00", "end": "2024-01-16T10:00:00"}]}], "sup")
    (found,) = schedules.find(at(0), at(60), team="t1")
    assert found.id == "a1.2024-01-15"
    assert schedules.find(at(0), at(60), team="t2") == []


def test_the_stats_heartbeat_drives_the_checks_and_close_unsubscribes() -> None:
    mon, clock, bus, _ = monitor()
    clock.set(at(6))
    bus.publish("stats", {"type": "Stats"})  # what the API publishes every second
    assert wfm(bus) == [("AdherenceAlertRaised", "work", at(0))]
    mon.close()
    state(bus, "a1", "available", at(7))
    assert len(bus.messages("wfm")) == 1  # no longer listening


def test_an_agent_whose_shift_starts_later_in_the_day_is_listed_with_nothing_scheduled_yet() -> None:
    # measured up to 08:30 of a day asked for in full: a1's 09:00 shift is listed, not left out
    report = adherence_report(SEGMENTS[:1], [], at(-60), at(-30), TEAMS, listed_until=at(600))
    a1 = rows(report)["a1"]
    assert a1["scheduled_s"] == 0 and a1["adherence"] is None
    assert rows(adherence_report(SEGMENTS[:1], [], at(-60), at(-30), TEAMS)) == {}

"""Agent time split and KPIs (KPIS.md): occupancy, utilization, availability, contacts per hour."""

from __future__ import annotations

import pytest

from blendcc.analytics.agent_stats import AgentTime, StateInterval, agent_kpis, time_split


def day(agent: str = "a") -> list[StateInterval]:
    return [
        StateInterval(agent, "available", None, 0, 600),
        StateInterval(agent, "reserved", None, 600, 620),
        StateInterval(agent, "busy", None, 620, 1000),
        StateInterval(agent, "wrap_up", None, 1000, 1100),
        StateInterval(agent, "aux", "break", 1100, 1400),
        StateInterval(agent, "aux", "lunch", 1400, 3000),
        StateInterval(agent, "available", None, 3000, 3600),
        StateInterval(agent, "offline", None, 3600, None),
    ]


def test_time_split_and_kpis_on_a_hand_computed_hour() -> None:
    split = time_split(day(), 0, 7200)
    t = split["a"]
    assert t.seconds == {"available": 1200, "reserved": 20, "busy": 380, "wrap_up": 100, "aux": 1900}
    assert t.aux_by_reason == {"break": 300, "lunch": 1600}
    t.handled = 3
    k = agent_kpis(t)
    assert k["logged_in_s"] == 3600
    assert k["handling_s"] == 480
    assert k["occupancy"] == pytest.approx(480 / (480 + 1200 + 20))
    assert k["utilization"] == pytest.approx(480 / 3600)
    assert k["availability"] == pytest.approx(1200 / 3600)
    assert k["contacts_per_hour"] == pytest.approx(3.0)
    assert k["aux_by_reason"] == {"break": 300, "lunch": 1600}


def test_intervals_are_clipped_to_the_window_and_open_ones_run_to_its_end() -> None:
    intervals = [
        StateInterval("a", "available", None, 0, 600),
        StateInterval("a", "busy", None, 600, None),  # still busy
        StateInterval("b", "aux", None, 100, 200),
    ]
    split = time_split(intervals, 300, 900)
    assert split["a"].seconds == {"available": 300, "busy": 300}
    assert "b" not in split  # entirely before the window
    k = agent_kpis(split["a"])
    assert k["occupancy"] == 0.5 and k["utilization"] == 0.5


def test_aux_without_reason_and_empty_time() -> None:
    t = AgentTime()
    t.add("aux", None, 60)
    t.add("available", None, 0)
    t.add("offline", None, 100)
    assert t.seconds == {"aux": 60}
    assert t.aux_by_reason == {"unspecified": 60}
    k = agent_kpis(t)
    assert k["occupancy"] is None  # no handling, available or reserved time
    assert k["utilization"] == 0.0
    none = agent_kpis(AgentTime())
    assert none["utilization"] is None and none["contacts_per_hour"] is None

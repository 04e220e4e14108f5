"""Live statistics and historical reports on a scripted day, checked against hand-computed KPIS.md figures.

The script (seconds after T0 = Monday 09:00 UTC; sales SL threshold T = 20 s, short abandon < 5 s):

    t=0     a1, a2 log in; c1 -> offered to a1
    t=1     c2 -> offered to a2
    t=2..4  c3, c4, c5 wait in sales
    t=5     c3 hangs up (waited 3 s: short abandon)
    t=10    a1 answers c1 (wait 10, within SL)
    t=19    a2 answers c2 (wait 18, within SL)
    t=29-39 a2 holds c2 for 10 s
    t=43    c4 hangs up (waited 40 s: abandoned)
    t=70    a1 ends c1 (talk 60)          t=79  a2 ends c2 (talk 50, hold 10)
    t=80    a1 wraps c1 up (ACW 10) and is offered c5
    t=85    a1 answers c5 (wait 81, outside SL)
    t=89    a2 wraps c2 up (ACW 10)       t=100 a2 goes to aux 'break'
    t=145   a1 ends c5 (talk 60)          t=150 a1 wraps c5 up (ACW 5)
    t=1000  c6 (next 15-minute interval) -> a1, answered t=1002, ended and wrapped up t=1062
    t=1100  c7 -> billing (nobody available), hangs up t=1110 (abandoned after 10 s)
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest import approx


class Script:
    def __init__(self, api: Any):
        self.api = api
        self.t = 0.0
        self.ids: dict[str, str] = {}

    def at(self, t: float) -> None:
        """Move the clock to T0 + t, firing due timers on the way (as the live ticker would)."""
        assert t >= self.t
        self.api.advance(t - self.t)
        self.t = t

    def new(self, name: str, **body: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.api.new_contact(contact_id=name, **body)
        return out

    def act(self, agent_id: str, name: str, action: str, **body: Any) -> None:
        self.api.act(agent_id, name, action, **body)

    def live(self) -> dict[str, Any]:
        result: dict[str, Any] = self.api.get("/api/stats/live", "sup")
        return result


def queue_row(live: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in live["queues"] if q["id"] == qid)


def agent_row(live: dict[str, Any], aid: str) -> dict[str, Any]:
    return next(a for a in live["agents"] if a["id"] == aid)


def run_morning(s: Script) -> None:
    api = s.api
    api.agent_login("a1")
    api.agent_login("a2")
    assert s.new("c1")["offered_to"] == "a1"
    s.at(1)
    assert s.new("c2")["offered_to"] == "a2"
    for i, name in enumerate(("c3", "c4", "c5"), start=2):
        s.at(i)
        assert s.new(name)["state"] == "queued"


@pytest.fixture
def script(centre: Any) -> Script:
    return Script(centre)


def test_live_stats_during_and_after_the_script(script: Script) -> None:
    s = script
    run_morning(s)
    s.at(5)
    s.api.post("/api/contacts/c3/hangup", "sup")
    live = s.live()
    assert live["at"] == s.api.T0 + 5
    assert live["day_start"] == s.api.T0 - 9 * 3600
    sales = queue_row(live, "sales")
    assert sales["waiting"] == 4  # c1, c2 ringing; c4, c5 queued
    assert sales["offered_now"] == 2
    assert sales["longest_wait_s"] == 5  # c1, since t=0
    assert sales["agents"] == {"available": 0, "reserved": 2, "busy": 0, "held": 0, "wrap_up": 0, "aux": 0}
    assert sales["today"]["offered"] == 5
    assert sales["today"]["short_abandoned"] == 1
    assert sales["today"]["handled"] == 0
    assert sales["today"]["service_level"] == 0  # 0 answered of 4 (5 offered - 1 short abandon)
    assert sales["today"]["asa_s"] is None and sales["today"]["aht_s"] is None
    support = queue_row(live, "support")
    assert support["waiting"] == 0 and support["agents"]["reserved"] == 1  # a1 serves support too
    billing = queue_row(live, "billing")
    assert billing["agents"]["reserved"] == 1  # a2
    assert {a["id"]: a["state"] for a in live["agents"]} == {"a1": "reserved", "a2": "reserved", "a3": "offline"}
    assert agent_row(live, "a1")["contacts"] == ["c1"]
    assert agent_row(live, "a1")["time_in_state_s"] == 5

    run_rest_until_50(s)
    live = s.live()
    sales = queue_row(live, "sales")
    assert (sales["waiting"], sales["offered_now"], sales["longest_wait_s"]) == (1, 0, 46)  # c5 since t=4
    assert sales["agents"] == {"available": 0, "reserved": 0, "busy": 2, "held": 0, "wrap_up": 0, "aux": 0}
    today = sales["today"]
    assert (today["offered"], today["handled"], today["abandoned"], today["short_abandoned"]) == (5, 2, 1, 1)
    assert today["service_level"] == approx(2 / 4)
    assert today["abandon_rate"] == approx(1 / 4)
    assert today["asa_s"] == approx((10 + 18) / 2)
    assert today["avg_abandon_wait_s"] == approx(40)
    assert today["aht_s"] is None  # nothing completed yet

    finish_script(s)
    live = s.live()
    sales = queue_row(live, "sales")
    assert (sales["waiting"], sales["longest_wait_s"]) == (0, 0)
    assert sales["agents"] == {"available": 1, "reserved": 0, "busy": 0, "held": 0, "wrap_up": 0, "aux": 1}
    today = sales["today"]
    assert (today["offered"], today["handled"], today["abandoned"], today["short_abandoned"]) == (6, 4, 1, 1)
    assert today["service_level"] == approx(3 / 5)  # c1, c2, c6 within 20 s; c5 waited 81 s
    assert today["abandon_rate"] == approx(1 / 5)
    assert today["asa_s"] == approx((10 + 18 + 81 + 2) / 4)
    assert today["max_wait_handled_s"] == 81
    assert today["aht_s"] == approx((70 + 70 + 65 + 60) / 4)
    assert today["avg_talk_s"] == approx((60 + 50 + 60 + 60) / 4)
    assert today["avg_hold_s"] == approx(10 / 4)
    assert today["avg_acw_s"] == approx((10 + 10 + 5 + 0) / 4)
    billing = queue_row(live, "billing")["today"]
    assert (billing["offered"], billing["handled"], billing["abandoned"]) == (1, 0, 1)
    assert billing["service_level"] == 0 and billing["avg_abandon_wait_s"] == 10
    a1, a2 = agent_row(live, "a1"), agent_row(live, "a2")
    assert (a1["state"], a1["handled_today"]) == ("available", 3)
    assert (a2["state"], a2["reason"], a2["handled_today"]) == ("aux", "break", 1)
    # a2 since 09:00: available 1 + 11, reserved 18, handling 60 + 10, aux 'break' since t=100
    assert a2["occupancy_today"] == approx(70 / (70 + 12 + 18))
    assert a2["utilization_today"] == approx(70 / 1110)
    # a1: reserved 10 + 5 + 2, handling 70 + 65 + 60, available the rest (never in aux)
    assert a1["utilization_today"] == approx((70 + 65 + 60) / 1110)
    assert a1["occupancy_today"] == approx((70 + 65 + 60) / 1110)


def run_rest_until_50(s: Script) -> None:
    api = s.api
    s.at(10)
    s.act("a1", "c1", "accept")
    s.at(19)
    s.act("a2", "c2", "accept")
    s.at(29)
    s.act("a2", "c2", "hold")
    s.at(39)
    s.act("a2", "c2", "resume")
    s.at(43)
    api.post("/api/contacts/c4/hangup", "sup")
    s.at(50)


def finish_script(s: Script) -> None:
    api = s.api
    s.at(70)
    s.act("a1", "c1", "end")
    s.at(79)
    s.act("a2", "c2", "end")
    s.at(80)
    s.act("a1", "c1", "wrapup", disposition="sale")
    assert api.work("a1") == {"c5": "reserved"}
    s.at(85)
    s.act("a1", "c5", "accept")
    s.at(89)
    s.act("a2", "c2", "wrapup", disposition="info")
    s.at(100)
    api.set_status("a2", "aux", "break")
    s.at(145)
    s.act("a1", "c5", "end")
    s.at(150)
    s.act("a1", "c5", "wrapup", disposition="sale")
    s.at(1000)
    assert s.new("c6")["offered_to"] == "a1"
    s.at(1002)
    s.act("a1", "c6", "accept")
    s.at(1062)
    s.act("a1", "c6", "wrapup")
    s.at(1100)
    assert s.new("c7", ivr={"menu": "3"})["queue_id"] == "billing"
    s.at(1110)
    api.post("/api/contacts/c7/hangup", "sup")


def whole_script(s: Script) -> None:
    run_morning(s)
    s.at(5)
    s.api.post("/api/contacts/c3/hangup", "sup")
    run_rest_until_50(s)
    finish_script(s)


def test_queue_report_intervals_and_filters(script: Script) -> None:
    s = script
    whole_script(s)
    t0 = s.api.T0
    window = f"start={t0 - 3600}&end={t0 + 86400}"

    r15 = s.api.get(f"/api/reports/queues?{window}&interval=15", "sup")
    assert r15["interval"] == "15"
    assert r15["filters"] == {"queue_id": None, "channel": None}
    rows = [(r["interval_start"] - t0, r["queue_id"], r["channel"], r["offered"]) for r in r15["rows"]]
    assert rows == [(0, "sales", "*", 5), (900, "billing", "*", 1), (900, "sales", "*", 1)]
    first = r15["rows"][0]
    assert (first["handled"], first["abandoned"], first["short_abandoned"]) == (3, 1, 1)
    assert first["service_level"] == approx(2 / 4)
    assert first["abandon_rate"] == approx(1 / 4)
    assert first["asa_s"] == approx(109 / 3)
    assert first["aht_s"] == approx(205 / 3)
    assert first["avg_talk_s"] == approx(170 / 3)
    assert first["avg_hold_s"] == approx(10 / 3)
    assert first["avg_acw_s"] == approx(25 / 3)
    assert first["avg_abandon_wait_s"] == 40
    assert first["max_wait_handled_s"] == 81
    assert first["transfer_rate"] == 0
    later = r15["rows"][2]
    assert (later["offered"], later["handled"], later["service_level"], later["asa_s"], later["aht_s"]) == (
        1, 1, 1, 2, 60)
    total = r15["total"]
    assert (total["offered"], total["handled"], total["abandoned"], total["short_abandoned"]) == (7, 4, 2, 1)
    assert total["service_level"] == approx(3 / 6)
    assert total["abandon_rate"] == approx(2 / 6)

    r60 = s.api.get(f"/api/reports/queues?{window}&interval=60", "sup")
    assert [(r["interval_start"] - t0, r["queue_id"], r["offered"]) for r in r60["rows"]] == [
        (0, "billing", 1), (0, "sales", 6)]
    sales60 = r60["rows"][1]
    assert sales60["service_level"] == approx(3 / 5)
    assert sales60["asa_s"] == approx(111 / 4)
    assert sales60["aht_s"] == approx(265 / 4)
    assert r60["total"] == total

    day = s.api.get(f"/api/reports/queues?{window}&interval=day&queue_id=sales", "sup")
    assert day["filters"] == {"queue_id": "sales", "channel": None}
    assert [(r["interval_start"], r["queue_id"], r["offered"]) for r in day["rows"]] == [
        (t0 - 9 * 3600, "sales", 6)]
    # the live wallboard and the report use the same definitions: today's figures are identical
    live_sales = queue_row(s.live(), "sales")["today"]
    day_row = {k: v for k, v in day["rows"][0].items() if k not in ("interval_start", "queue_id", "channel")}
    assert day_row == live_sales

    by_channel = s.api.get(f"/api/reports/queues?{window}&interval=day&by_channel=true", "sup")
    assert [(r["queue_id"], r["channel"], r["offered"]) for r in by_channel["rows"]] == [
        ("billing", "voice", 1), ("sales", "voice", 6)]
    assert s.api.get(f"/api/reports/queues?{window}&channel=chat", "sup")["rows"] == []
    assert s.api.get(f"/api/reports/queues?{window}&queue_id=support", "sup")["rows"] == []
    # a window that starts after the first interval leaves it out
    late = s.api.get(f"/api/reports/queues?start={t0 + 900}&end={t0 + 1800}&interval=15", "sup")
    assert [(r["queue_id"], r["offered"]) for r in late["rows"]] == [("billing", 1), ("sales", 1)]


def test_agent_report_time_split_and_kpis(script: Script) -> None:
    s = script
    whole_script(s)
    t0 = s.api.T0
    report = s.api.get(f"/api/reports/agents?start={t0}&end={t0 + 150}", "sup")
    assert report["filters"] == {"agent_id": None}
    rows = {r["agent_id"]: r for r in report["rows"]}
    assert set(rows) == {"a1", "a2"}
    a1 = rows["a1"]
    # reserved 0-10 and 80-85; busy 10-70 and 85-145; wrap-up 70-80 and 145-150
    assert (a1["logged_in_s"], a1["available_s"], a1["reserved_s"], a1["handling_s"], a1["aux_s"]) == (
        150, 0, 15, 135, 0)
    assert a1["handled"] == 2
    assert a1["occupancy"] == approx(135 / 150)
    assert a1["utilization"] == approx(135 / 150)
    assert a1["availability"] == 0
    assert a1["contacts_per_hour"] == approx(2 / (150 / 3600))
    a2 = rows["a2"]
    # available 0-1 and 89-100; reserved 1-19; busy 19-79 (hold counts as handling); wrap-up 79-89; break 100-150
    assert (a2["logged_in_s"], a2["available_s"], a2["reserved_s"], a2["handling_s"], a2["aux_s"]) == (
        150, 12, 18, 70, 50)
    assert a2["aux_by_reason"] == {"break": 50}
    assert a2["handled"] == 1
    assert a2["occupancy"] == approx(70 / (70 + 12 + 18))
    assert a2["utilization"] == approx(70 / 150)
    assert a2["availability"] == approx(12 / 150)
    assert a2["contacts_per_hour"] == approx(24)
    # filter by agent; an agent user only ever gets its own row
    only = s.api.get(f"/api/reports/agents?start={t0}&end={t0 + 150}&agent_id=a2", "sup")
    assert [r["agent_id"] for r in only["rows"]] == ["a2"]
    mine = s.api.get(f"/api/reports/agents?start={t0}&end={t0 + 150}&agent_id=a2", "ann")
    assert [r["agent_id"] for r in mine["rows"]] == ["a1"]
    # the whole morning: a2's break is still open at the end of the window and counts up to it
    morning = s.api.get(f"/api/reports/agents?start={t0}&end={t0 + 1200}&agent_id=a2", "sup")["rows"][0]
    assert morning["aux_s"] == 1100 and morning["logged_in_s"] == 1200


def test_today_survives_a_restart(script: Script, containers: Any, make_api: Any) -> None:
    """Live statistics after a rebuild start from the store: the same figures as before."""
    s = script
    whole_script(s)
    before = s.live()
    url = s.api.container.settings.database_url
    again = make_api(containers(url, s.api.clock), s.api.clock)
    after = again.get("/api/stats/live", "sup")
    assert after["queues"] == before["queues"]
    assert [(a["id"], a["state"], a["handled_today"]) for a in after["agents"]] == [
        (a["id"], a["state"], a["handled_today"]) for a in before["agents"]]
    for mine, theirs in zip(after["agents"], before["agents"], strict=True):
        assert mine["occupancy_today"] == approx(theirs["occupancy_today"])

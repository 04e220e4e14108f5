"""Schedules and adherence through the real API on SQLite: solve, publish, read, adherence, live alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pytest import approx

from conftest import T0, seed_centre

MIN = 60.0
DAY = "2024-01-15"  # T0 is Monday 15 January 2024, 09:00 UTC


@pytest.fixture
def wfm_api(sqlite_url: str, clock: Any, containers: Any, make_api: Any) -> Any:
    api = make_api(containers(sqlite_url, clock), clock)
    seed_centre(api)
    return api


def hm(h: int, m: int = 0) -> str:
    return f"{DAY}T{h:02d}:{m:02d}:00+00:00"


def solve_body(**kw: Any) -> dict[str, Any]:
    # 2 agents 09:00-11:00, 1 agent 11:00-13:00, 30-minute plan; 2-hour shifts starting 09:00-11:00
    body: dict[str, Any] = {
        "required": [{"interval_start": hm(9 + i // 2, 30 * (i % 2)), "required": 2 if i < 4 else 1,
                      "queue": "sales"} for i in range(8)],
        "templates": [{"id": "short", "start_earliest": "09:00", "start_latest": "11:00", "lengths_min": [120]}],
        "agents": [{"id": a, "team_id": t} for a, t in (("a1", "t1"), ("a2", "t1"), ("a3", None))],
        "options": {"time_limit_s": 10},
    }
    body.update(kw)
    return body


def test_solve_and_publish(wfm_api: Any) -> None:
    out = wfm_api.post("/api/wfm/schedules/solve", "sup", json=solve_body(publish=True))
    assert out["status"] == "OPTIMAL" and out["objective"] == 0 and out["gap"] == 0
    assert [r["scheduled"] for r in out["coverage"]] == [2, 2, 2, 2, 1, 1, 1, 1]
    assert out["coverage"][0]["interval_start"] == hm(9)
    starts = sorted(d["segments"][0]["start"] for d in out["schedules"])
    assert starts == [f"{DAY}T09:00:00Z", f"{DAY}T09:00:00Z", f"{DAY}T11:00:00Z"]  # pydantic writes UTC as Z
    assert sorted(p["id"] for p in out["published"]) == [f"a{i}.{DAY}" for i in (1, 2, 3)]
    listed = wfm_api.get(f"/api/wfm/schedules?start={T0}&end={T0 + 86400}", "sup")
    assert len(listed) == 3
    assert len(wfm_api.get(f"/api/wfm/schedules?start={T0}&end={T0 + 86400}&team=t1", "sup")) == 2
    one = wfm_api.get(f"/api/wfm/schedules/a1/{DAY}", "sup")
    assert one["id"] == f"a1.{DAY}" and one["segments"][0]["activity"] == "work"
    # an agent reads their own schedule, nobody else's
    (mine,) = wfm_api.get(f"/api/wfm/schedules?start={T0}&end={T0 + 86400}", "ann")
    assert mine["agent_id"] == "a1"
    assert wfm_api.get(f"/api/wfm/schedules/a1/{DAY}", "ann")["id"] == f"a1.{DAY}"
    wfm_api.error("GET", f"/api/wfm/schedules/a2/{DAY}", 403, "ann")
    wfm_api.error("GET", f"/api/wfm/schedules?start={T0}&end={T0 + 86400}&agent_id=a2", 403, "ann")
    wfm_api.error("GET", f"/api/wfm/schedules?start={T0}&end={T0 + 86400}&team=t1", 403, "ann")
    # every version is kept (config kind 'schedules')
    assert len(wfm_api.get(f"/api/config/schedules/a1.{DAY}/history", "sup")) == 1


def test_solve_refusals(wfm_api: Any) -> None:
    bad = solve_body(templates=[{"id": "x", "start_earliest": "25:00", "start_latest": "11:00",
                                 "lengths_min": [120]}])
    assert "start_earliest" in wfm_api.error("POST", "/api/wfm/schedules/solve", 422, "sup", json=bad)["detail"]
    hours = solve_body(agents=[{"id": "a1", "min_hours_week": 30}])
    detail = wfm_api.error("POST", "/api/wfm/schedules/solve", 422, "sup", json=hours)["detail"]
    assert "agent a1: the contract minimum" in detail
    long = solve_body(options={"time_limit_s": 3600})
    assert "at most 60 s" in wfm_api.error("POST", "/api/wfm/schedules/solve", 422, "sup", json=long)["detail"]
    wfm_api.error("POST", "/api/wfm/schedules/solve", 403, "ann", json=solve_body())
    wfm_api.error("POST", "/api/wfm/schedules/solve", 401, None, json=solve_body())
    # publishing needs configured agents
    ghost = solve_body(agents=[{"id": "ghost"}], publish=True)
    assert "ghost" in wfm_api.error("POST", "/api/wfm/schedules/solve", 404, "sup", json=ghost)["detail"]


def a1_day() -> dict[str, Any]:
    return {"agent_id": "a1", "date": DAY, "segments": [
        {"activity": "work", "start": hm(9), "end": hm(10)},
        {"activity": "break", "start": hm(10), "end": hm(10, 15)},
        {"activity": "work", "start": hm(10, 15), "end": hm(11)}]}


def test_adherence_report_and_live_alerts(wfm_api: Any) -> None:
    api = wfm_api
    alerts: list[Mapping[str, Any]] = []
    api.container.bus.subscribe("wfm", lambda _t, m: alerts.append(m))
    put = api.put("/api/wfm/schedules", "sup", json={"schedules": [a1_day()]})
    assert put["published"] == [{"id": f"a1.{DAY}", "version": 1}]

    api.advance(4 * MIN)
    assert api.get("/api/wfm/adherence/alerts", "sup")["alerts"] == []  # 4 min late: within the 5-min grace
    api.advance(1 * MIN)
    (alert,) = api.get("/api/wfm/adherence/alerts?team=t1", "sup")["alerts"]
    assert alert["agent_id"] == "a1" and alert["state"] == "offline" and alert["since"] == T0
    assert [m["type"] for m in alerts] == ["AdherenceAlertRaised"]
    assert api.get("/api/wfm/adherence/alerts?team=zz", "sup")["alerts"] == []

    api.agent_login("a1")  # 09:05: the state event clears the alert
    assert [m["type"] for m in alerts] == ["AdherenceAlertRaised", "AdherenceAlertCleared"]
    api.advance(60 * MIN)  # 10:05
    api.set_status("a1", "aux", "break")
    api.advance(15 * MIN)  # 10:20
    api.set_status("a1", "available")
    api.advance(40 * MIN)  # 11:00

    report = api.get(f"/api/wfm/adherence?start={T0}&end={T0 + 3 * 3600}&team=t1", "sup")
    assert report["end"] == T0 + 2 * 3600  # measured up to now
    (row,) = report["agents"]
    # work 09:05-10:00 (55) + break 10:05-10:15 (10) + work 10:20-11:00 (40) of 120 scheduled minutes
    assert row["agent_id"] == "a1" and row["team_id"] == "t1"
    assert row["in_adherence_s"] == approx(105 * MIN)
    assert row["adherence"] == approx(105 / 120)
    assert row["logged_in_s"] == approx(115 * MIN)
    assert row["conformance"] == approx(115 / 120)
    (team,) = report["teams"]
    assert team["team_id"] == "t1" and team["adherence"] == approx(105 / 120)
    assert api.get(f"/api/wfm/adherence?start={T0}&end={T0 + 3600}&team=zz", "sup")["agents"] == []


def test_publish_refusals(wfm_api: Any) -> None:
    api = wfm_api
    assert "not configured" in api.error("PUT", "/api/wfm/schedules", 404, "sup",
                                         json={"schedules": [{**a1_day(), "agent_id": "nobody"}]})["detail"]
    overlap = a1_day()
    overlap["segments"][1]["start"] = hm(9, 30)
    assert "overlaps" in api.error("PUT", "/api/wfm/schedules", 422, "sup", json={"schedules": [overlap]})["detail"]
    api.error("PUT", "/api/wfm/schedules", 403, "ann", json={"schedules": [a1_day()]})
    api.error("GET", f"/api/wfm/schedules/a1/{DAY}", 404, "sup")
    api.error("GET", "/api/wfm/schedules/a1/2024-13-45", 422, "sup")
    api.error("GET", f"/api/wfm/adherence?start={T0}&end={T0}", 422, "sup")
    api.error("GET", f"/api/wfm/adherence?start={T0 + 3600}&end={T0 + 7200}", 422, "sup")  # not started yet
    api.error("GET", "/api/wfm/adherence/alerts", 403, "ann")

"""Staffing API: the Erlang calculator and staffing plans, their auth and their 4xx answers.

The endpoints are pure computations (no database), so one backend is enough.
"""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.wfm.erlang import erlang_a, erlang_c_metrics, required_agents

pytestmark = pytest.mark.parametrize("shared_centre", ["sqlite"], indirect=True)

DAY = [("2024-01-15T09:00:00+01:00", 100, 180.0), ("2024-01-15T09:30:00+01:00", 200, 190.0),
       ("2024-01-15T10:00:00+01:00", 0, None)]


def intervals(queue: str | None = None) -> list[dict[str, Any]]:
    rows = [{"interval_start": t, "volume": v, "aht_s": a, "reforecast": v} for t, v, a in DAY]
    if queue:
        for r in rows:
            r["queue"], r["channel"] = queue, "voice"
    return rows


def test_erlang_calculator_textbook_case(shared_centre: Any) -> None:
    out = shared_centre.post("/api/wfm/erlang", "sup", json={"calls": 100, "aht_s": 180, "sl_target": 0.8})
    assert out["model"] == "Erlang C" and out["erlangs"] == pytest.approx(10.0)
    assert out["required"] == 14 and out["fte"] == 14.0
    assert round(out["metrics"]["p_wait"], 4) == 0.1741 and round(out["metrics"]["service_level"], 3) == 0.888
    assert [r["agents"] for r in out["table"]] == [12, 13, 14, 15, 16, 17]
    assert out["table"][1]["service_level"] < 0.8 <= out["table"][2]["service_level"]


def test_erlang_calculator_given_agents_and_erlang_a(shared_centre: Any) -> None:
    out = shared_centre.post("/api/wfm/erlang", "admin",
                             json={"calls": 100, "aht_s": 180, "agents": 12, "patience_s": 120, "shrinkage": 0.3,
                                   "max_abandon": 0.05})
    exact = erlang_a(12, 100 / 1800, 180, 120, 20)
    assert out["model"] == "Erlang A" and out["metrics"]["p_abandon"] == pytest.approx(exact.p_abandon, rel=1e-12)
    assert out["required"] == required_agents(100 / 1800, 180, max_abandon=0.05, patience_s=120)
    assert out["fte"] == pytest.approx(out["required"] / 0.7)


def test_unstable_queue_figures_are_null_not_infinite(shared_centre: Any) -> None:
    out = shared_centre.post("/api/wfm/erlang", "sup", json={"calls": 100, "aht_s": 180, "agents": 9})
    assert out["metrics"]["asa_s"] is None and out["metrics"]["p_wait"] == 1.0


def test_staffing_plan_intervals_in_plan_out(shared_centre: Any) -> None:
    out = shared_centre.post("/api/wfm/staffing", "sup",
                             json={"intervals": intervals(), "sl_target": 0.8, "shrinkage": 0.25})
    assert out["model"] == "Erlang C" and out["interval_min"] == 30
    rows = out["intervals"]
    assert [r["required"] for r in rows] == [14, required_agents(200 / 1800, 190, sl_target=0.8), 0]
    assert rows[0]["fte"] == pytest.approx(14 / 0.75)
    assert rows[0]["service_level"] == pytest.approx(erlang_c_metrics(14, 100 / 1800, 180, 20).service_level)
    assert rows[2]["aht_s"] is None and rows[2]["occupancy"] == 0.0
    (summary,) = out["summary"]
    assert summary["volume"] == 300 and summary["peak_required"] == rows[1]["required"]


def test_staffing_plan_with_coverage_per_queue(shared_centre: Any) -> None:
    body = {"intervals": intervals("sales") + intervals("tech"), "patience_s": 120, "shrinkage": 0.3,
            "scheduled": [{"interval_start": "2024-01-15T08:00:00Z", "queue": "sales", "scheduled": 20},
                          {"interval_start": "2024-01-15T08:30:00Z", "queue": "sales", "scheduled": 10}]}
    out = shared_centre.post("/api/wfm/staffing", "sup", json=body)
    sales = [r for r in out["intervals"] if r["queue"] == "sales"]
    tech = [r for r in out["intervals"] if r["queue"] == "tech"]
    assert [r["scheduled"] for r in sales] == [20, 10, 0] and [r["scheduled"] for r in tech] == [0, 0, 0]
    assert sales[0]["gap"] == pytest.approx(20 - sales[0]["fte"])
    # 20 heads, 30 % shrinkage -> 14 on the phones
    assert sales[0]["scheduled_service_level"] == pytest.approx(erlang_a(14, 100 / 1800, 180, 120, 20).service_level)
    by_queue = {s["queue"]: s for s in out["summary"]}
    assert by_queue["sales"]["understaffed_intervals"] == 1 and by_queue["tech"]["understaffed_intervals"] == 2


def test_agents_may_not_plan(shared_centre: Any) -> None:
    shared_centre.error("POST", "/api/wfm/erlang", 403, "ann", json={"calls": 10, "aht_s": 180, "agents": 2})
    shared_centre.error("POST", "/api/wfm/staffing", 403, "ann", json={"intervals": intervals()})
    shared_centre.error("POST", "/api/wfm/staffing", 401, None, json={"intervals": intervals()})


@pytest.mark.parametrize(("path", "body", "needle"), [
    ("/api/wfm/erlang", {"calls": 100, "aht_s": 180}, "target"),
    ("/api/wfm/erlang", {"calls": 100, "aht_s": 0, "agents": 3}, "aht_s"),
    ("/api/wfm/erlang", {"calls": 100, "aht_s": 180, "max_abandon": 0.05}, "patience"),
    ("/api/wfm/erlang", {"calls": 100, "aht_s": 180, "agents": 3, "bogus": 1}, "bogus"),
    ("/api/wfm/staffing", {"intervals": []}, "intervals"),
    ("/api/wfm/staffing", {"intervals": [{"interval_start": "yesterday at 9", "volume": 3, "aht_s": 100}]}, "ISO"),
    ("/api/wfm/staffing", {"intervals": [{"interval_start": "2024-01-15T09:00:00", "volume": 3}]}, "aht_s"),
    ("/api/wfm/staffing", {"intervals": intervals(), "interval_min": 60}, "30 minutes apart"),
    ("/api/wfm/staffing", {"intervals": intervals() + intervals()[:1]}, "twice"),
    ("/api/wfm/staffing", {"intervals": intervals("a") + intervals("b"),
                           "scheduled": [{"interval_start": "2024-01-15T09:00:00+01:00", "scheduled": 3}]}, "queue"),
])
def test_bad_input_is_a_clear_4xx(shared_centre: Any, path: str, body: dict[str, Any], needle: str) -> None:
    err = shared_centre.error("POST", path, 422, "sup", json=body)
    assert needle in err["detail"]

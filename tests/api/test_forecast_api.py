"""Forecasting API: posted series, a queue's stored history (SQLite and PostgreSQL), intraday view, bad input."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from blendcc.domain import events as ev
from blendcc.wfm.erlang import required_agents

DAY = 86400.0
#: contacts per hour of day on every history day (Monday..Sunday share the shape; weekends are lighter)
HOURLY = np.array([0] * 8 + [4, 8, 8, 6, 4, 6, 6, 4, 2, 1] + [0] * 6)
WEEKEND = 0.5
TALK, ACW = 170.0, 30.0


def contact_events(cid: str, at: float, queue: str = "sales", channel: str = "voice") -> list[ev.Event]:
    wait = 5.0
    return [
        ev.ContactCreated(at=at, contact_id=cid, channel=channel, direction="inbound", customer_id=None, priority=5),
        ev.ContactQueued(at=at, contact_id=cid, queue_id=queue, channel=channel, step_index=0, priority=5),
        ev.ContactConnected(at=at + wait, contact_id=cid, agent_id="a1", queue_id=queue, channel=channel,
                            queued_at=at, wait_s=wait),
        ev.ContactEnded(at=at + wait + TALK, contact_id=cid, agent_id="a1", queue_id=queue, reason="customer",
                        wrap_up_until=None),
        ev.WrapUpCompleted(at=at + wait + TALK + ACW, contact_id=cid, agent_id="a1", queue_id=queue,
                           channel=channel, queued_at=at, disposition=None, notes=None, talk_s=TALK, hold_s=0.0,
                           acw_s=ACW),
        ev.ContactClosed(at=at + wait + TALK + ACW, contact_id=cid, outcome="completed"),
    ]


def per_hour(day_start: float) -> np.ndarray:
    weekday = datetime.fromtimestamp(day_start, UTC).weekday()
    return np.round(HOURLY * (WEEKEND if weekday >= 5 else 1.0)).astype(int)


def seed_history(api: Any, days: int, today_factor: float = 2.0) -> None:
    """``days`` of identical weeks before today (UTC), and today's contacts up to now at ``today_factor``."""
    today = api.T0 - 9 * 3600  # T0 is Monday 09:00 UTC
    events: list[ev.Event] = []
    n = 0
    for d in range(-days, 1):
        start = today + d * DAY
        counts = per_hour(start) * (today_factor if d == 0 else 1.0)
        for hour, k in enumerate(counts):
            for j in range(int(k)):
                at = start + hour * 3600 + 60 + j * (3000 / max(k, 1))
                if at >= api.clock.now():
                    continue
                events += contact_events(f"h{n}", at)
                n += 1
    api.container.store.append(events)


def test_forecast_a_posted_series_with_overrides_and_special_days(shared_centre: Any) -> None:
    api = shared_centre
    start = datetime(2024, 1, 1)  # a Monday
    points = [{"interval_start": (start + timedelta(hours=h)).isoformat(), "volume": int(HOURLY[h % 24]),
               "aht_s": 180} for h in range(42 * 24)]
    body = {"points": points, "interval_min": 60, "horizon": "1w", "tz": "Europe/Paris", "origins": 2,
            "models": ["seasonal_naive_4w", "daily_ets_profile"],
            "special_days": [{"day": "2024-02-14", "like": "closed"}],
            "overrides": ["2024-02-12T09:00=+50%", {"start": "2024-02-13T10:00", "end": "2024-02-13T12:00",
                                                   "value": 1}]}
    got = api.post("/api/wfm/forecast", "admin", json=body)
    assert len(got["rows"]) == 7 * 24
    assert got["overridden_intervals"] == 3
    (series,) = got["series"]
    assert series["model"] == "seasonal_naive_4w"  # identical weeks: the baseline is perfect and kept
    assert series["backtest"]["origins"] == 2 and series["backtest"]["models"][0]["wape"] == pytest.approx(0)
    assert series["special_days"] == {"2024-02-14": "closed"}
    by_time = {r["interval_start"]: r for r in got["rows"]}
    assert by_time["2024-02-12T09:00:00+01:00"]["volume"] == pytest.approx(HOURLY[9] * 1.5)
    assert by_time["2024-02-12T10:00:00+01:00"]["volume"] == pytest.approx(HOURLY[10])
    assert by_time["2024-02-13T11:00:00+01:00"]["volume"] == 1
    assert by_time["2024-02-14T11:00:00+01:00"]["volume"] == 0
    assert by_time["2024-02-12T10:00:00+01:00"]["aht_s"] == 180


def test_a_history_without_handle_times_gives_a_volume_only_forecast(shared_centre: Any) -> None:
    points = [{"interval_start": f"2024-01-{d:02d}T10:00", "volume": 1} for d in range(1, 15)]
    got = shared_centre.post("/api/wfm/forecast", "admin", json={"points": points, "horizon": 3, "origins": 1})
    assert got["rows"] and all(r["aht_s"] is None for r in got["rows"])
    assert sum(r["volume"] for r in got["rows"]) == pytest.approx(3)
    assert any("volume only" in n for n in got["series"][0]["notes"])


@pytest.mark.parametrize(("change", "status", "words"), [
    ({"horizon": "soon"}, 422, "horizon"), ({"model": "magic"}, 422, "unknown model"),
    ({"overrides": ["x"]}, 422, "override"), ({"interval_min": 20}, 422, "interval_min"),
    ({"points": [{"interval_start": "nope", "volume": 1}]}, 422, "timestamp"),
])
def test_bad_forecast_requests_are_refused_with_json(shared_centre: Any, change: dict[str, Any], status: int,
                                                     words: str) -> None:
    api = shared_centre
    points = [{"interval_start": f"2024-01-{d:02d}T10:00", "volume": 3, "aht_s": 100} for d in range(1, 15)]
    body = {"points": points, "horizon": 3, **change}
    err = api.error("POST", "/api/wfm/forecast", status, "admin", json=body)
    assert words in err["detail"]


def test_forecast_needs_a_supervisor(shared_centre: Any) -> None:
    body = {"points": [{"interval_start": "2024-01-01", "volume": 1}]}
    shared_centre.error("POST", "/api/wfm/forecast", 403, "ann", json=body)
    shared_centre.error("GET", "/api/wfm/forecast/queues/sales", 401, None)
    shared_centre.error("GET", "/api/wfm/intraday/sales", 403, "bob")
    shared_centre.error("GET", "/api/wfm/forecast/queues/sales?interval=20", 422, "sup")


def test_queue_forecast_and_intraday_from_the_store(centre: Any) -> None:
    api = centre
    seed_history(api, 35)
    got = api.get("/api/wfm/forecast/queues/sales?interval=60&horizon=7d&history_days=35&origins=1", "sup")
    assert got["queue_id"] == "sales"
    (series,) = got["series"]
    assert (series["channel"], series["first_day"]) == ("voice", "2024-01-15")
    rows = {r["interval_start"]: r for r in got["rows"]}
    assert len(rows) == 7 * 24
    # today's partial day is not history: Monday is forecast from the four previous (identical) Mondays
    assert rows["2024-01-15T10:00:00+00:00"]["volume"] == pytest.approx(HOURLY[10])
    assert rows["2024-01-20T10:00:00+00:00"]["volume"] == pytest.approx(round(HOURLY[10] * WEEKEND))
    assert rows["2024-01-15T10:00:00+00:00"]["aht_s"] == pytest.approx(TALK + ACW)
    api.error("GET", "/api/wfm/forecast/queues/billing?history_days=35", 404, "sup")

    # intraday at 09:00 on Monday: 08:00-09:00 had twice its forecast (8 contacts for 4)
    api.agent_login("a1")
    api.agent_login("a2")
    day = api.get("/api/wfm/intraday/sales?interval=60&history_days=28&prior_contacts=4", "sup")
    assert day["staffed"] == 2 and day["day"] == "2024-01-15"
    (ch,) = day["channels"]
    assert ch["elapsed_intervals"] == 9 and ch["actual_so_far"] == 8 and ch["forecast_so_far"] == 4
    assert ch["ratio"] == 2 and ch["damped_ratio"] == pytest.approx((4 + 8) / (4 + 4))
    ten = ch["intervals"][10]
    assert ten["interval_start"] == "2024-01-15T10:00:00+00:00" and ten["actual"] is None
    assert ten["reforecast"] == pytest.approx(HOURLY[10] * 1.5)
    need = required_agents(HOURLY[10] * 1.5 / 3600, TALK + ACW, sl_target=0.8, sl_threshold_s=20)
    assert ten["required"] == need and ten["gap"] == 2 - need
    assert ch["intervals"][8]["actual"] == 8 and ch["intervals"][8]["required"] is None
    fixed = api.get("/api/wfm/intraday/sales?interval=60&history_days=28&staffed=5", "sup")
    assert fixed["channels"][0]["intervals"][10]["gap"] == 5 - fixed["channels"][0]["intervals"][10]["required"]
    api.error("GET", "/api/wfm/intraday/sales?sl_target=2", 422, "sup")
    # the Erlang inputs are bounded like the staffing API's (docs/security.md): a default AHT of 1e308 s made
    # the required-agents search run for minutes, outside any deadline
    for bad in ("default_aht_s=1e308", "sl_threshold_s=1e308", "staffed=10000000000", "prior_contacts=1e308",
                "sl_target=5e-324"):
        api.error("GET", f"/api/wfm/intraday/sales?interval=60&history_days=28&{bad}", 422, "sup")
    api.error("GET", "/api/wfm/forecast/queues/sales?history_days=35&default_aht_s=1e308", 422, "sup")


def test_a_queue_forecast_as_a_background_job_gives_the_synchronous_answer(centre: Any) -> None:
    api = centre
    seed_history(api, 35)
    jobs = "/api/wfm/forecast/jobs/queues"
    body = {"interval": 60, "horizon": "7d", "history_days": 35, "origins": 1, "history_shown_days": 7}
    r = api.client.post(f"{jobs}/sales", json=body, headers=api.headers("sup"))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/api/wfm/forecast/jobs/{job_id}"
    for _ in range(1200):  # a guard against a hang, not a timing assertion
        job = api.get(f"/api/wfm/forecast/jobs/{job_id}", "sup")
        if job["state"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.05)
    assert job["state"] == "done", job
    want = api.get("/api/wfm/forecast/queues/sales?interval=60&horizon=7d&history_days=35&origins=1"
                   "&history_shown_days=7", "sup")
    assert job["result"] == want and want["history"]
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    # refused before any work: a queue without contacts, bad fields, another user's role
    assert "billing" in api.error("POST", f"{jobs}/billing", 404, "sup", json=body)["detail"]
    api.error("POST", f"{jobs}/sales", 422, "sup", json={**body, "interval": 20})
    assert "horizon" in api.error("POST", f"{jobs}/sales", 422, "sup", json={**body, "horizon": "soon"})["detail"]
    api.error("POST", f"{jobs}/sales", 422, "sup", json={**body, "colour": "red"})
    api.error("POST", f"{jobs}/sales", 403, "bob", json=body)

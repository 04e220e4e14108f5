"""The offered-vs-forecast trigger: the forecast so far today (fitted off the caller's thread, None until
ready, the current slot pro rata) and a playbook firing on live offered contacts against it."""

from __future__ import annotations

from datetime import date
from typing import Any

from blendcc.app.crisis.forecast import ForecastSoFar, so_far

T0 = 1_705_309_200.0  # Monday 15 January 2024, 09:00 UTC
MIDNIGHT = T0 - 9 * 3600


def test_so_far_counts_complete_slots_and_the_current_one_pro_rata() -> None:
    volume = [10.0, 20.0, 30.0]
    assert so_far(volume, 0, 1800) == 0.0
    assert so_far(volume, 900, 1800) == 5.0
    assert so_far(volume, 2700, 1800) == 20.0
    assert so_far(volume, 3 * 1800 + 10, 1800) == 60.0


def test_the_fit_runs_in_the_background_once_a_day_and_the_centre_sums_its_queues() -> None:
    queued: list[Any] = []
    fits: list[str] = []
    day = [date(2024, 1, 15)]

    def fit(queue: str) -> list[float] | None:
        fits.append(queue)
        return None if queue == "new" else [12.0] * 48  # 'new' has no history

    f = ForecastSoFar(fit, lambda: day[0], lambda _d: MIDNIGHT, lambda: ["sales", "billing", "new"], queued.append)
    now = MIDNIGHT + 3600 + 900  # 2.5 slots of 30 minutes
    assert f("sales", now) is None and len(queued) == 1 and fits == []  # not on the caller's thread
    assert f("sales", now) is None and len(queued) == 1  # asked once
    queued.pop()()
    assert f("sales", now) == 30.0
    assert f("*", now) is None  # billing and new not fitted yet
    while queued:
        queued.pop()()
    assert f("*", now) == 60.0  # 'new' has no forecast: left out
    assert f("new", now) is None
    day[0] = date(2024, 1, 16)
    assert f("sales", now + 86400) is None and len(queued) == 1  # a new day: fitted again


def test_a_surge_above_forecast_starts_the_playbook(centre: Any) -> None:
    centre.container.crisis.forecast = lambda queue, now: 2.0 if queue == "sales" else None
    centre.put("/api/crisis/playbooks/surge", "sup", json={"triggers": [
        {"kind": "kpi", "metric": "offered_vs_forecast", "queue": "sales", "threshold": 0.3, "for_s": 0,
         "clear_for_s": 0}]})

    def tick() -> None:
        c = centre.container
        c.bus.publish("stats", {"type": "Stats", **c.views.wallboard()})

    centre.new_contact(channel="voice", caller_id="+15550001")
    centre.new_contact(channel="voice", caller_id="+15550002")
    tick()
    assert centre.get("/api/crisis/active", "sup") == []  # 2 offered against 2 forecast
    centre.new_contact(channel="voice", caller_id="+15550003")
    tick()
    (crisis,) = centre.get("/api/crisis/active", "sup")
    assert crisis["triggers"] == ["offered_vs_forecast above 0.3 on sales"]

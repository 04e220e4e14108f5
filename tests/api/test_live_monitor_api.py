"""The intraday board and the campaign monitor (SQLite and PostgreSQL): hand-computed figures, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.app.outbound.monitor import monitor
from blendcc.dialer.outcomes import start_attempt
from blendcc.domain.dialer_events import CallAbandoned, CallAnswered, CallConnected, CallFailed, CallPlaced
from blendcc.domain.errors import NotFound
from blendcc.wfm.erlang import required_agents

from .test_forecast_api import ACW, HOURLY, TALK, seed_history


def test_intraday_board_offered_against_forecast_and_staffing(centre: Any) -> None:
    api = centre
    seed_history(api, 28)  # four identical weeks, and today (Monday) at twice the shape up to 09:00
    api.agent_login("a1")
    api.agent_login("a2")  # a1 and a2 serve sales; a2 goes to aux after 15 minutes
    api.advance(900)
    api.set_status("a2", "aux", "break")
    api.advance(900)  # 09:30
    day = api.get("/api/wfm/intraday/sales/board?interval=60", "sup")
    assert (day["day"], day["timezone"], day["interval_min"], day["elapsed_intervals"]) == (
        "2024-01-15", "UTC", 60, 9)
    assert day["has_forecast"] is True and day["staffed_now"] == 1
    rows = day["intervals"]
    assert len(rows) == 24 and rows[10]["interval_start"] == "2024-01-15T10:00:00+00:00"
    eight = rows[8]  # 08:00: 8 contacts offered against 4 forecast, every one answered in 5 s
    assert (eight["offered"], eight["forecast"], eight["handled"], eight["abandoned"]) == (8, 4, 8, 0)
    assert (eight["service_level"], eight["asa_s"], eight["abandon_rate"]) == (1.0, 5.0, 0.0)
    assert eight["aht_s"] == TALK + ACW and eight["reforecast"] is None
    assert eight["logged_in"] == 0.0 and eight["staffed"] == 0.0
    nine = rows[9]  # 09:00-09:30 so far: two agents logged in, one of them in aux for the second half
    assert nine["offered"] == 0 and nine["service_level"] is None
    assert (nine["logged_in"], nine["staffed"]) == (2.0, 1.5)
    # the day so far: 8 actual for 4 forecast; the damped ratio (prior 50) scales the rest of the day
    assert day["ratio"] == 2.0 and day["damped_ratio"] == pytest.approx(58 / 54)
    assert rows[10]["reforecast"] == pytest.approx(HOURLY[10] * 58 / 54, abs=0.01)
    assert rows[10]["offered"] is None and rows[10]["logged_in"] is None
    # required agents: Erlang C on the forecast (8 contacts an hour at 200 s, 80 % in 20 s); none at night
    assert rows[10]["required"] == required_agents(8 / 3600, 200, sl_target=0.8, sl_threshold_s=20)
    assert rows[3]["required"] == 0 and rows[3]["forecast"] == 0
    totals = day["totals"]
    # so far: 4 forecast for 08:00-09:00 and half of 09:00-10:00's 8 (it is 09:30)
    assert (totals["offered"], totals["forecast_so_far"], totals["forecast_day"]) == (8, 8, float(HOURLY.sum()))
    half = api.get("/api/wfm/intraday/sales/board?interval=30&sl_target=0.9", "sup")
    # 08:00-08:30: today's contacts come every 375 s from 08:01 (5 of 8), history's every 750 s (3 of 4)
    assert len(half["intervals"]) == 48 and half["intervals"][16]["offered"] == 5
    assert half["intervals"][16]["forecast"] == pytest.approx(3)
    assert half["sl_target"] == 0.9 and half["intervals"][20]["required"] == required_agents(
        half["intervals"][20]["forecast"] / 1800, 200, sl_target=0.9, sl_threshold_s=20)
    # Erlang A with the callers' patience: those who give up need no agent, so never more than Erlang C
    patient = api.get("/api/wfm/intraday/sales/board?interval=60&patience_s=60", "sup")
    assert patient["staffing_model"] == "erlang_a" and day["staffing_model"] == "erlang_c"
    assert patient["intervals"][10]["required"] == required_agents(8 / 3600, 200, sl_target=0.8, sl_threshold_s=20,
                                                                   patience_s=60)
    assert patient["intervals"][10]["required"] <= rows[10]["required"]
    # without sl_target in the query the board follows the queue's own goal
    queue = api.get("/api/config/queues/sales", "admin")
    api.put("/api/config/queues/sales", json={**{k: v for k, v in queue.items() if k != "id"}, "sl_target": 0.9})
    own = api.get("/api/wfm/intraday/sales/board?interval=60", "sup")
    assert own["sl_target"] == 0.9 and own["intervals"][10]["required"] == required_agents(
        8 / 3600, 200, sl_target=0.9, sl_threshold_s=20)
    # a queue without history has actuals and no forecast
    empty = api.get("/api/wfm/intraday/billing/board", "sup")
    assert empty["has_forecast"] is False and empty["intervals"][0]["forecast"] is None
    assert empty["intervals"][0]["offered"] == 0 and empty["intervals"][47]["offered"] is None


def test_intraday_board_refusals(centre: Any) -> None:
    centre.error("GET", "/api/wfm/intraday/sales/board", 403, "ann")
    centre.error("GET", "/api/wfm/intraday/sales/board", 401, None)
    centre.error("GET", "/api/wfm/intraday/nope/board", 404, "sup")
    centre.error("GET", "/api/wfm/intraday/sales/board?interval=20", 422, "sup")
    centre.error("GET", "/api/wfm/intraday/sales/board?sl_target=1", 422, "sup")
    centre.error("GET", "/api/wfm/intraday/sales/board?patience_s=0", 422, "sup")


CAMPAIGN = {"name": "Renewals", "mode": "predictive", "queue_id": "sales", "caller_id": "+14155550100",
            "abandon_cap": 0.03, "regulatory_mode": "us"}


def test_campaign_monitor_figures_and_state(centre: Any) -> None:
    api = centre
    api.put("/api/campaigns/renew", json=CAMPAIGN)
    api.put("/api/campaigns/idle", json={**CAMPAIGN, "name": "", "mode": "preview"})
    api.post("/api/campaigns/renew/lists", "sup", content=b"id,phone\nr1,+12125550101\nr2,+12125550102\n"
                                                          b"r3,+12125550103\nr4,+12125550104\n",
             headers={"content-type": "text/csv"})
    ids = {x["external_id"]: x["record_id"] for x in api.get("/api/campaigns/renew/records", "sup")["records"]}
    api.clock.advance(6 * 3600)  # 15:00 UTC, 10:00 in New York: inside the calling window
    api.post("/api/campaigns/renew/start", "sup")
    api.agent_login("a1")

    def call(k: str, rec: str, at: float) -> list[Any]:
        return [CallPlaced(at=at, campaign_id="renew", call_id=k, record_id=ids[rec], phone="+1212555010" + rec[1],
                           mode="predictive")]

    rt = api.container.runtime
    rt.execute(lambda _e, at: [
        *call("k1", "r1", at),
        CallAnswered(at=at + 5, campaign_id="renew", call_id="k1", record_id=ids["r1"], answered_by="human"),
        CallConnected(at=at + 6, campaign_id="renew", call_id="k1", record_id=ids["r1"], contact_id="oc1",
                      agent_id="a1"),
        *call("k2", "r2", at + 10),
        CallFailed(at=at + 40, campaign_id="renew", call_id="k2", record_id=ids["r2"], outcome="no_answer"),
        *call("k3", "r3", at + 20),
        CallAnswered(at=at + 25, campaign_id="renew", call_id="k3", record_id=ids["r3"], answered_by="human"),
        CallAbandoned(at=at + 27, campaign_id="renew", call_id="k3", record_id=ids["r3"], reason="no_agent"),
    ])
    svc = api.container.campaigns
    now = api.clock.now()  # the loop counts each attempt on the record as it dials (dialer.outcomes.start_attempt)
    svc.repo.put_records([start_attempt(svc.record("renew", ids[r]), now) for r in ("r1", "r2", "r3")])
    svc.record_outcome("renew", ids["r1"], "human")
    svc.record_outcome("renew", ids["r2"], "no_answer")
    svc.record_outcome("renew", ids["r3"], "abandoned")
    api.clock.advance(60)
    rows = api.get("/api/dialing/monitor", "sup")
    assert [r["campaign_id"] for r in rows] == ["idle", "renew"]
    idle, renew = rows
    assert (idle["name"], idle["state"], idle["mode"], idle["records"], idle["penetration"]) == (
        "idle", "stopped", "preview", 0, None)
    assert (renew["name"], renew["state"], renew["mode"], renew["agents_staffed"]) == ("Renewals", "running",
                                                                                       "predictive", 1)
    # three dials: one connected, one unanswered, one live answer abandoned
    assert (renew["attempts_24h"], renew["live_answers_24h"], renew["connected_24h"], renew["abandoned_24h"]) == (
        3, 2, 1, 1)
    assert renew["live_answer_rate_24h"] == pytest.approx(2 / 3)
    assert renew["abandon_rate_24h"] == 0.5 and renew["abandon_rate_30d"] == 0.5
    assert renew["regulatory_rate"] == 0.5 and renew["abandon_cap"] == 0.03 and renew["over_cap"] is True
    assert (renew["records"], renew["records_attempted"], renew["penetration"]) == (4, 3, 0.75)
    assert sum(renew["records_by_state"].values()) == 4 and renew["records_by_state"]["pending"] == 1
    assert renew["outcomes_24h"] == {"human": 1, "no_answer": 1, "abandoned": 1}
    # no dialing loop in this deployment: no live pacing figures
    assert renew["dial_level"] is None and renew["calls_in_progress"] is None
    api.post("/api/campaigns/renew/pause", "sup", json={"reason": "too many abandons"})
    paused = api.get("/api/dialing/monitor", "sup")[1]
    assert (paused["state"], paused["reason"]) == ("paused", "too many abandons")
    api.error("GET", "/api/dialing/monitor", 403, "ann")


class Loop:
    """The dialing loop's live pacing state, as DialingService.pacing_state answers it, for one campaign."""

    def pacing_state(self, campaign_id: str) -> dict[str, Any]:
        if campaign_id != "renew":
            raise NotFound(f"campaign {campaign_id} is not started")
        return {"ringing": 3, "waiting_for_agent": 1, "connected": 2, "p_live": 0.35}


def test_dial_level_is_calls_in_progress_per_staffed_agent(centre: Any) -> None:
    centre.put("/api/campaigns/renew", json=CAMPAIGN)
    centre.put("/api/campaigns/idle", json=CAMPAIGN)
    centre.agent_login("a1")
    centre.agent_login("a2")  # both serve sales, the campaigns' queue
    rows = {r["campaign_id"]: r for r in monitor(centre.container.campaigns, Loop(),  # type: ignore[arg-type]
                                                 centre.container.views.staffed)}
    renew = rows["renew"]
    assert (renew["calls_in_progress"], renew["agents_staffed"], renew["dial_level"]) == (6, 2, 3.0)
    assert (renew["ringing"], renew["waiting_for_agent"], renew["p_live"]) == (3, 1, 0.35)
    assert rows["idle"]["dial_level"] is None and rows["idle"]["calls_in_progress"] is None
    centre.set_status("a1", "aux", "break")
    centre.set_status("a2", "aux", "break")  # nobody staffed: no level to show, not a division by zero
    renew = monitor(centre.container.campaigns, Loop(), centre.container.views.staffed)[1]  # type: ignore[arg-type]
    assert (renew["agents_staffed"], renew["dial_level"]) == (0, None)

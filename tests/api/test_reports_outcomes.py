"""The report's outcome figures on a scripted centre, against hand-computed KPIS.md values: dispositions in
Pareto order (dimension ``disposition``), the resolution rate (FCR) with its repeat window, forecast accuracy
(WAPE, MAPE of the seasonal-naive baseline) and CSAT's columns.

The script (seconds after T0 = Monday 2024-01-15 09:00 UTC; queue sales; agent a1 handles every contact; a customer
is known by the caller's number, c3 comes without one):

    contact  customer  queued  wrap-up disposition
    c1       cu1       0       billing
    c2       cu2       100     billing
    c3       (none)    200     sale
    c4       cu1       3600    billing      a repeat of c1 (same customer and reason, same day)
    c5       cu2       3700    sale         not a repeat of c2 (another reason)
    c6       cu2       2 days  billing      a repeat of c2 within 7 days, not within 1 day (Wednesday)

History for the forecast: sales was offered 1, 2, 3 and 2 contacts at 09:10 on the four Mondays before
(2023-12-18 .. 2024-01-08), nothing at other times: the baseline forecasts 2 for 09:00-10:00 on 01-15, 0 else.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from pytest import approx

from blendcc.domain.conversation_events import SurveyAnswered
from blendcc.domain.events import ContactQueued

DAY = {"grain": "day", "from": "2024-01-15", "to": "2024-01-15"}
PHONES = {"cu1": "+14155550101", "cu2": "+14155550102"}  # the customers, known by their numbers
MONDAYS = ((2023, 12, 18, 1), (2023, 12, 25, 2), (2024, 1, 1, 3), (2024, 1, 8, 2))


@pytest.fixture
def week(centre: Any) -> Any:
    api = centre
    t0 = api.T0

    def at(t: float) -> None:
        api.advance(t0 + t - api.clock.now())

    api.container.store.append([
        ContactQueued(at=datetime(y, m, d, 9, 10, tzinfo=UTC).timestamp() + i, contact_id=f"h{y}{m}{d}{i}",
                      queue_id="sales", channel="voice", step_index=0, priority=0)
        for y, m, d, n in MONDAYS for i in range(n)])
    api.agent_login("a1")

    def handle(cid: str, customer: str | None, t: float, disposition: str) -> None:
        at(t)
        body = {"contact_id": cid} | ({"caller_id": PHONES[customer]} if customer else {})
        made = api.new_contact(**body)
        assert made["offered_to"] == "a1" and bool(made.get("customer_id")) == bool(customer)
        at(t + 10)
        api.act("a1", cid, "accept")
        at(t + 70)
        api.act("a1", cid, "end")
        at(t + 80)
        api.act("a1", cid, "wrapup", disposition=disposition)

    handle("c1", "cu1", 0, "billing")
    handle("c2", "cu2", 100, "billing")
    handle("c3", None, 200, "sale")
    handle("c4", "cu1", 3600, "billing")
    handle("c5", "cu2", 3700, "sale")
    handle("c6", "cu2", 2 * 86400, "billing")
    at(2 * 86400 + 3600)
    return api


def run(api: Any, **b: Any) -> dict[str, Any]:
    out: dict[str, Any] = api.post("/api/reports/run", "sup", json=b)
    return out


def test_dispositions_in_pareto_order_with_export_and_drill_down(week: Any) -> None:
    api, t0 = week, week.T0
    day = run(api, **DAY, by="disposition")
    assert [c["key"] for c in day["columns"]] == ["wrapups", "share", "cumulative_share", "pareto_rank"]
    assert [(r["key"], r["wrapups"], r["share"], r["cumulative_share"], r["pareto_rank"]) for r in day["rows"]] == [
        ("billing", 3, approx(3 / 5), approx(3 / 5), 1), ("sale", 2, approx(2 / 5), approx(1.0), 2)]
    assert day["total"]["wrapups"] == 5
    hourly = run(api, **DAY | {"grain": "interval"}, by="disposition")
    assert [(r["period"], r["key"], r["wrapups"], r["cumulative_share"]) for r in hourly["rows"]] == [
        ("2024-01-15 09:00", "billing", 2, approx(2 / 3)), ("2024-01-15 09:00", "sale", 1, approx(1.0)),
        ("2024-01-15 10:00", "billing", 1, approx(1 / 2)), ("2024-01-15 10:00", "sale", 1, approx(1.0))]
    assert run(api, **DAY, by="disposition", filters={"agent_id": "a2"})["rows"] == []
    text = api.client.get("/api/reports/export?format=csv&grain=day&by=disposition&from=2024-01-15&to=2024-01-15",
                          headers=api.headers("sup")).text
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][3:] == ["wrapups", "share", "cumulative_share", "pareto_rank"]
    assert [(r[1], r[3], float(r[5])) for r in table[1:3]] == [("billing", "3", 0.6), ("sale", "2", 1.0)]
    start = day["rows"][0]["period_start"]
    drill = api.get(f"/api/reports/contacts?grain=day&by=disposition&from=2024-01-15&to=2024-01-15&key=billing"
                    f"&period_start={start}&kpi=wrapups", "sup")
    assert sorted(c["contact_id"] for c in drill["contacts"]) == ["c1", "c2", "c4"]
    assert start == t0 - 9 * 3600


def test_resolution_rate_counts_repeats_within_n_days(week: Any) -> None:
    api = week
    for by, key in (("queue", "sales"), ("channel", "voice"), ("agent", "a1"), ("team", "t1")):
        row = {r["key"]: r for r in run(api, **DAY, by=by)["rows"]}[key]
        # c1 repeated by c4, c2 by c6 (2 days later); c4, c5 resolved; c3 has no customer
        assert (row["fcr_rate"], row["fcr_contacts"], row["fcr_unknown_customer"]) == (approx(2 / 4), 4, 1), by
    day = run(api, **DAY, by="queue")["rows"][0]
    q = "grain=day&by=queue&from=2024-01-15&to=2024-01-15&key=sales"
    for kpi, want in (("fcr_contacts", ["c1", "c2", "c4", "c5"]), ("fcr_unknown_customer", ["c3"])):
        drill = api.get(f"/api/reports/contacts?{q}&period_start={day['period_start']}&kpi={kpi}", "sup")
        assert sorted(c["contact_id"] for c in drill["contacts"]) == want, kpi
    one = run(api, **DAY, by="queue", fcr_days=1)
    assert one["rows"][0]["fcr_rate"] == approx(3 / 4) and one["total"]["fcr_rate"] == approx(3 / 4)
    assert one["query"]["fcr_days"] == 1
    text = api.client.get("/api/reports/export?format=csv&grain=day&by=queue&from=2024-01-15&to=2024-01-15"
                          "&fcr_days=1", headers=api.headers("sup")).text
    head, first = list(csv.reader(io.StringIO(text)))[:2]
    assert float(first[head.index("fcr_rate")]) == 0.75 and first[head.index("fcr_unknown_customer")] == "1"
    for bad in (0, 91):
        api.error("POST", "/api/reports/run", 422, "sup", json={**DAY, "by": "queue", "fcr_days": bad})
    api.error("GET", "/api/reports/export?grain=day&by=queue&from=2024-01-15&to=2024-01-15&fcr_days=x", 422, "sup")
    api.error("POST", "/api/reports/run", 422, "sup", json={**DAY, "by": "disposition",
                                                             "filters": {"campaign_id": "renew"}})


def test_forecast_accuracy_per_queue(week: Any) -> None:
    api = week
    row = run(api, **DAY, by="queue")["rows"][0]
    # actual 3 (09:00) and 2 (10:00); forecast 2 and 0: |3-2| + |2-0| = 3 over 5; MAPE mean(1/3, 2/2)
    assert (row["forecast_offered"], row["forecast_wape"]) == (approx(2.0), approx(3 / 5))
    assert row["forecast_mape"] == approx((1 / 3 + 1) / 2)
    hourly = {r["period"]: r for r in run(api, **DAY | {"grain": "interval"}, by="queue")["rows"]}
    assert hourly["2024-01-15 09:00"]["forecast_wape"] == approx(1 / 3)
    assert hourly["2024-01-15 10:00"]["forecast_wape"] == approx(1.0)
    # the first Monday has no history before it: no forecast, no figure
    first = run(api, grain="day", by="queue", **{"from": "2023-12-18", "to": "2023-12-18"})
    assert [(r["offered"], r["forecast_wape"], r["forecast_offered"]) for r in first["rows"]] == [(1, None, None)]
    assert "forecast_wape" not in [c["key"] for c in run(api, **DAY, by="channel")["columns"]]
    book = openpyxl.load_workbook(io.BytesIO(api.client.get(
        "/api/reports/export?format=xlsx&grain=day&by=queue&from=2024-01-15&to=2024-01-15",
        headers=api.headers("sup")).content))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[4]]
    assert sheet.cell(5, header.index("forecast_wape") + 1).value == approx(0.6)


def test_csat_per_queue_agent_and_channel(week: Any) -> None:
    api, t0 = week, week.T0
    api.container.store.append([
        SurveyAnswered(at=t0 + 300 + i, contact_id=cid, survey="csat", score=score, agent_id="a1",
                       queue_id="sales", channel="voice")
        for i, (cid, score) in enumerate((("c1", 5), ("c2", 3), ("c4", 4)))])
    for by, key in (("queue", "sales"), ("channel", "voice"), ("agent", "a1")):
        row = {r["key"]: r for r in run(api, **DAY, by=by)["rows"]}[key]
        # top-two-box: 5 and 4 of 5, 4 and 3 => 2 of 3; mean (5 + 3 + 4) / 3 = 4
        assert (row["csat"], row["csat_mean"], row["csat_count"]) == (approx(2 / 3), approx(4.0), 3), by

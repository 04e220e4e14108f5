"""POST /api/reports/run, its CSV/XLSX export, drill-down and saved definitions on a scripted centre,
checked against hand-computed KPIS.md figures.

The script (seconds after T0 = Monday 2024-01-15 09:00 UTC; the centre's time zone is UTC; sales: T = 20 s,
short abandon < 5 s; a1 and a2 are in team t1):

    t=0     a1, a2 log in; c1 -> offered to a1          t=1   c2 -> offered to a2
    t=10    a1 answers c1 (wait 10, within SL)          t=31  c2 hangs up (waited 30 s: abandoned)
    t=70    a1 ends c1 (talk 60)                        t=80  a1 wraps c1 up (ACW 10)
    t=3600  c3 -> offered to a1 (longest idle)          t=3605 a1 answers c3 (wait 5)
    t=3665  a1 ends c3 (talk 60)                        t=3670 a1 wraps c3 up (ACW 5, disposition resolved)
    t=3700  the report is run (a1 and a2 still logged in: open states count up to now)
    campaign 'renew' (queue sales): two calls placed at t=100 and t=200, one answered by a person and
    connected to a1 (its contact is c1, for the drill-down)
    a1's published schedule: work 09:00-10:00 (adherence and conformance)
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from pytest import approx

from blendcc.domain import dialer_events as de
from conftest import seeded_api

DAY = "from=2024-01-15&to=2024-01-15"


def body(grain: str, by: str, **extra: Any) -> dict[str, Any]:
    return {"grain": grain, "by": by, "from": "2024-01-15", "to": "2024-01-15", **extra}


@pytest.fixture
def day(centre: Any) -> Any:
    api = centre
    t0 = api.T0

    def at(t: float) -> None:
        api.advance(t0 + t - api.clock.now())

    api.put("/api/wfm/schedules", "sup", json={"schedules": [{"agent_id": "a1", "date": "2024-01-15", "segments": [
        {"activity": "work", "start": "2024-01-15T09:00:00+00:00", "end": "2024-01-15T10:00:00+00:00"}]}]})
    api.agent_login("a1")
    api.agent_login("a2")
    assert api.new_contact(contact_id="c1")["offered_to"] == "a1"
    at(1)
    assert api.new_contact(contact_id="c2")["offered_to"] == "a2"
    at(10)
    api.act("a1", "c1", "accept")
    at(31)
    api.post("/api/contacts/c2/hangup", "sup")
    at(70)
    api.act("a1", "c1", "end")
    at(80)
    api.act("a1", "c1", "wrapup", disposition="sale")
    api.put("/api/config/campaigns/renew", json={"name": "Renewals", "queue_id": "sales",
                                                  "caller_id": "+14155550100"})
    api.container.store.append([
        de.CallPlaced(at=t0 + 100, campaign_id="renew", call_id="k1", record_id="r1", phone="+14155550111",
                      mode="progressive"),
        de.CallPlaced(at=t0 + 200, campaign_id="renew", call_id="k2", record_id="r2", phone="+14155550112",
                      mode="progressive"),
        de.CallAnswered(at=t0 + 210, campaign_id="renew", call_id="k2", record_id="r2", answered_by="human"),
        de.CallConnected(at=t0 + 211, campaign_id="renew", call_id="k2", record_id="r2", contact_id="c1",
                         agent_id="a1"),
    ])
    at(3600)
    assert api.new_contact(contact_id="c3")["offered_to"] == "a1"
    at(3605)
    api.act("a1", "c3", "accept")
    at(3665)
    api.act("a1", "c3", "end")
    at(3670)
    api.act("a1", "c3", "wrapup", disposition="resolved")
    at(3700)
    return api


def run(api: Any, **b: Any) -> dict[str, Any]:
    out: dict[str, Any] = api.post("/api/reports/run", "sup", json=b)
    return out


def test_queue_and_channel_kpis_at_every_grain(day: Any) -> None:
    api, t0 = day, day.T0
    hourly = run(api, **body("interval", "queue", interval_minutes=60))
    assert hourly["timezone"] == "UTC" and hourly["start"] == t0 - 9 * 3600 and hourly["end"] == t0 + 15 * 3600
    assert [(r["period"], r["key"], r["name"], r["offered"]) for r in hourly["rows"]] == [
        ("2024-01-15 09:00", "sales", "Sales", 2), ("2024-01-15 10:00", "sales", "Sales", 1)]
    first, second = hourly["rows"]
    assert (first["handled"], first["abandoned"], first["short_abandoned"]) == (1, 1, 0)
    assert first["service_level"] == approx(1 / 2) and first["abandon_rate"] == approx(1 / 2)
    assert (first["asa_s"], first["aht_s"], first["avg_talk_s"], first["avg_acw_s"]) == (10, 70, 60, 10)
    assert first["avg_abandon_wait_s"] == 30
    assert first["resolved_disposition_rate"] == 0 and second["resolved_disposition_rate"] == 1  # c1 'sale'
    assert (second["offered"], second["handled"], second["service_level"], second["asa_s"], second["aht_s"]) == (
        1, 1, 1, 5, 65)
    assert first["first_response_s"] is None  # a voice queue has no digital figures
    quarter = run(api, **body("interval", "queue", interval_minutes=15))
    assert [r["period"] for r in quarter["rows"]] == ["2024-01-15 09:00", "2024-01-15 10:00"]
    for grain, label in (("day", "2024-01-15"), ("week", "2024-01-15"), ("month", "2024-01")):
        r = run(api, **body(grain, "queue"))
        assert [(x["period"], x["key"]) for x in r["rows"]] == [(label, "sales")], grain
        row = r["rows"][0]
        assert (row["offered"], row["handled"], row["abandoned"]) == (3, 2, 1)
        assert row["service_level"] == approx(2 / 3) and row["asa_s"] == approx(7.5) and row["aht_s"] == 67.5
        assert r["total"]["offered"] == 3 and row["resolved_disposition_rate"] == approx(1 / 2)
    channel = run(api, **body("day", "channel"))
    assert [(r["key"], r["offered"], r["handled"]) for r in channel["rows"]] == [("voice", 3, 2)]
    assert run(api, **body("day", "queue", filters={"queue_id": "billing"}))["rows"] == []
    assert run(api, **body("day", "channel", filters={"channel": "chat"}))["rows"] == []


def test_agent_team_and_campaign_kpis(day: Any) -> None:
    api = day
    agents = run(api, **body("day", "agent"))
    rows = {r["key"]: r for r in agents["rows"]}
    a1, a2 = rows["a1"], rows["a2"]
    assert a1["name"] == "Ann"
    # a1: reserved 0-10, 3600-3605; busy 10-70, 3605-3665; wrap-up 70-80, 3665-3670; available the rest to 3700
    assert (a1["logged_in_s"], a1["reserved_s"], a1["handling_s"], a1["available_s"]) == (3700, 15, 135, 3550)
    assert (a1["handled"], a1["completed"], a1["aht_s"], a1["avg_talk_s"]) == (2, 2, 67.5, 60)
    assert a1["occupancy"] == approx(135 / 3700) and a1["contacts_per_hour"] == approx(2 / (3700 / 3600))
    assert a1["resolved_disposition_rate"] == approx(1 / 2)
    # conformance: logged in 3700 s of the day so far / 3600 s of scheduled work; a2 has no schedule
    assert (a1["conformance"], a2["conformance"], a2["adherence"]) == (approx(3700 / 3600), None, None)
    wfm = api.get(f"/api/wfm/adherence?start={api.T0}&end={api.T0 + 3600}&agent_id=a1", "sup")["agents"][0]
    assert a1["adherence"] == approx(wfm["adherence"])  # the WFM adherence report's own figure
    # a2: available 0-1, reserved 1-21 (c2 rang until the 20 s offer timeout), then aux (ring no answer)
    assert (a2["logged_in_s"], a2["reserved_s"], a2["handled"], a2["occupancy"]) == (3700, 20, 0, 0)
    hourly = run(api, **body("interval", "agent", interval_minutes=60, filters={"agent_id": "a1"}))
    assert [(r["period"], r["handled"], r["handling_s"], r["logged_in_s"]) for r in hourly["rows"]] == [
        ("2024-01-15 09:00", 1, 70, 3600), ("2024-01-15 10:00", 1, 65, 100)]
    assert [r["conformance"] for r in hourly["rows"]] == [1, None]  # scheduled 09:00-10:00 only
    team = run(api, **body("week", "team"))
    assert [(r["key"], r["name"], r["handled"], r["logged_in_s"]) for r in team["rows"]] == [
        ("t1", "Team one", 2, 7400)]
    assert team["rows"][0]["occupancy"] == approx(135 / (3700 + 1 + 20))  # a2's aux is not in occupancy
    assert team["rows"][0]["conformance"] == approx(3700 / 3600) == team["total"]["conformance"]
    campaign = run(api, **body("month", "campaign"))
    assert [(r["key"], r["name"], r["attempts"], r["connected"]) for r in campaign["rows"]] == [
        ("renew", "Renewals", 2, 1)]
    assert campaign["rows"][0]["connect_rate"] == approx(1 / 2)
    assert campaign["total"]["attempts"] == 2


def test_csv_and_xlsx_exports_read_back(day: Any) -> None:
    api = day
    q = f"grain=interval&interval_minutes=60&by=queue&{DAY}"
    r = api.client.get(f"/api/reports/export?format=csv&{q}", headers=api.headers("sup"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "report-queue-interval-2024-01-15-2024-01-15.csv" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["period"], x["key"], x["offered"], x["service_level"]) for x in table] == [
        ("2024-01-15T09:00:00+00:00", "sales", "2", "0.5"), ("2024-01-15T10:00:00+00:00", "sales", "1", "1.0"),
        ("total", "", "3", str(2 / 3))]
    assert table[0]["first_response_s"] == ""  # no figure: empty, not zero
    r = api.client.get(f"/api/reports/export?format=xlsx&{q}", headers=api.headers("sup"))
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    assert "UTC" in str(ws["A1"].value) and "2024-01-15 to 2024-01-15" in str(ws["A1"].value)
    assert ws.freeze_panes == "D5"
    header = [c.value for c in ws[4]]
    assert header[:4] == ["period start (UTC)", "key", "name", "offered"]
    first = {h: c.value for h, c in zip(header, ws[5], strict=True)}
    assert first["key"] == "sales" and first["offered"] == 2 and first["service_level"] == 0.5
    assert isinstance(first["asa_s"], int | float) and first["asa_s"] == 10
    assert ws.cell(5, header.index("service_level") + 1).number_format == "0.0%"
    assert str(first["period start (UTC)"]) == "2024-01-15 09:00:00"
    assert ws.cell(7, 1).value == "total" and ws.cell(7, 4).value == 3


def test_drill_down_to_contacts_and_timeline(day: Any) -> None:
    api, t0 = day, day.T0
    base = f"/api/reports/contacts?grain=day&by=queue&{DAY}&key=sales&period_start={t0 - 9 * 3600}"
    assert [c["contact_id"] for c in api.get(f"{base}&kpi=offered", "sup")["contacts"]] == ["c1", "c2", "c3"]
    assert [c["contact_id"] for c in api.get(f"{base}&kpi=abandoned", "sup")["contacts"]] == ["c2"]
    handled = api.get(f"{base}&kpi=service_level", "sup")
    assert [c["contact_id"] for c in handled["contacts"]] == ["c1", "c3"]
    assert handled["period"] == "2024-01-15" and handled["truncated"] is False
    hour = api.get(f"/api/reports/contacts?grain=interval&interval_minutes=60&by=agent&{DAY}&key=a1"
                   f"&period_start={t0 + 3600}&kpi=handled", "sup")
    assert [c["contact_id"] for c in hour["contacts"]] == ["c3"]
    resolved = api.get(f"{base}&kpi=resolved_disposition_rate", "sup")["contacts"]
    assert [c["contact_id"] for c in resolved] == ["c3"]
    assert "ContactConnected" in api.timeline("c3")
    # a week from Wednesday: its row starts on Monday (before 'from'), and drills down from there
    week = f"grain=week&by=queue&from=2024-01-17&to=2024-01-19&key=sales&period_start={t0 - 9 * 3600}"
    assert api.get(f"/api/reports/contacts?{week}&kpi=offered", "sup")["contacts"] == []
    api.error("GET", f"{base}&kpi=nonsense", 422, "sup")
    api.error("GET", base.replace(f"period_start={t0 - 9 * 3600}", f"period_start={t0}") + "&kpi=offered", 422, "sup")


def test_saved_definitions_crud(centre: Any) -> None:
    api = centre
    query = body("interval", "queue", interval_minutes=30, filters={"queue_id": "sales"})
    saved = api.post("/api/reports/definitions", "sup", 201, json={"name": "Sales by half hour", "query": query})
    assert saved["name"] == "Sales by half hour" and saved["by"] == "sup" and saved["version"] == 1
    assert saved["query"] == {**query, "fcr_days": 7, "log_kpis": True, "filters": {
        "queue_id": "sales", "channel": None, "agent_id": None, "team_id": None, "campaign_id": None}}
    listed = api.get("/api/reports/definitions", "sup")
    assert [d["id"] for d in listed] == [saved["id"]]
    changed = api.put(f"/api/reports/definitions/{saved['id']}", "sup",
                      json={"name": "Sales daily", "query": body("day", "queue")})
    assert changed["version"] == 2 and changed["query"]["grain"] == "day"
    assert api.get(f"/api/reports/definitions/{saved['id']}", "sup")["name"] == "Sales daily"
    api.error("POST", "/api/reports/definitions", 422, "sup", json={"name": "x", "query": body("hour", "queue")})
    api.delete(f"/api/reports/definitions/{saved['id']}", "sup")
    api.error("GET", f"/api/reports/definitions/{saved['id']}", 404, "sup")
    assert api.get("/api/reports/definitions", "sup") == []
    api.error("GET", "/api/reports/definitions", 403, "ann")


def test_bad_queries_are_refused_with_a_clear_message(centre: Any) -> None:
    api = centre
    e = api.error("POST", "/api/reports/run", 422, "sup", json=body("hour", "queue"))
    assert "grain" in e["detail"] and "interval" in e["detail"]
    e = api.error("POST", "/api/reports/run", 422, "sup",
                  json={**body("day", "queue"), "from": "2024-02-01", "to": "2024-01-01"})
    assert e["detail"] == "from (2024-02-01) is after to (2024-01-01)"
    e = api.error("POST", "/api/reports/run", 422, "sup",
                  json={**body("interval", "queue"), "from": "2024-01-01", "to": "2024-02-15"})
    assert "at most 31 days" in e["detail"] and "day, week or month" in e["detail"]
    e = api.error("POST", "/api/reports/run", 422, "sup", json=body("day", "nation"))
    assert "by" in e["detail"]
    e = api.error("POST", "/api/reports/run", 422, "sup", json=body("day", "queue", filters={"team_id": "t1"}))
    assert "team_id does not apply" in e["detail"]
    e = api.error("GET", "/api/reports/export?format=csv&grain=day&by=queue&from=2024-01-40&to=2024-01-15", 422, "sup")
    assert "from" in e["detail"]
    e = api.error("POST", "/api/reports/run", 422, "sup", json={**body("day", "queue"), "from": "9999-12-30",
                                                                  "to": "9999-12-31"})
    assert "between 1970-01-02 and 2999-12-31" in e["detail"]
    e = api.error("GET", f"/api/reports/contacts?grain=day&by=queue&{DAY}&key=sales&period_start=1e300&kpi=offered",
                  422, "sup")
    assert "period_start" in e["detail"]
    api.error("POST", "/api/reports/run", 403, "ann", json=body("day", "queue"))


def test_periods_follow_the_centres_time_zone(sqlite_url: str, clock: Any, fast_passwords: None) -> None:
    """Kolkata (+05:30): T0 (09:00 UTC) is 14:30 on the 15th; ten hours later it is 00:30 on the 16th."""
    with seeded_api(sqlite_url, clock, timezone="Asia/Kolkata") as api:
        assert api.new_contact(contact_id="k1")["state"] == "queued"
        api.advance(10 * 3600)
        assert api.new_contact(contact_id="k2")["state"] == "queued"
        days = run(api, grain="day", by="queue", **{"from": "2024-01-15", "to": "2024-01-16"})
        assert days["timezone"] == "Asia/Kolkata"
        assert days["start"] == api.T0 - 14.5 * 3600  # local midnight of the 15th
        assert [(r["period"], r["offered"]) for r in days["rows"]] == [("2024-01-15", 1), ("2024-01-16", 1)]
        hours = run(api, grain="interval", interval_minutes=60, by="queue", **{"from": "2024-01-15",
                                                                               "to": "2024-01-16"})
        assert [r["period"] for r in hours["rows"]] == ["2024-01-15 14:00", "2024-01-16 00:00"]
        assert hours["rows"][0]["period_start"] == api.T0 - 1800  # 14:00 local is 08:30 UTC
        text = api.client.get("/api/reports/export?format=csv&grain=day&by=queue&from=2024-01-16&to=2024-01-16",
                              headers=api.headers("sup")).text
        assert text.splitlines()[1].startswith("2024-01-16T00:00:00+05:30,sales,Sales,1,")


def test_csv_names_are_never_formulas() -> None:
    from blendcc.app.reporting.report_export import to_csv

    report = {"timezone": "UTC", "columns": [{"key": "offered", "kind": "count"}], "total": {"offered": 2},
              "query": {}, "rows": [{"period_start": 0.0, "key": "q1", "name": "=HYPERLINK(1)", "offered": 2}]}
    assert to_csv(report).splitlines()[1] == "1970-01-01T00:00:00+00:00,q1,'=HYPERLINK(1),2"


def test_digital_kpis_by_channel_agent_and_queue(day: Any) -> None:
    """A chat: the customer writes at t=4000, a1 answers at t=4030 (first response 30 s), CSAT 5 of 5."""
    from blendcc.domain import conversation_events as cv

    api, t0 = day, day.T0
    api.container.store.append([
        cv.MessageReceived(at=t0 + 4000, contact_id="d1", message_id="m1", channel="chat",
                           channel_instance="default", body="hello"),
        cv.MessageSent(at=t0 + 4030, contact_id="d1", message_id="m2", channel="chat", channel_instance="default",
                       author_kind="agent", author_id="a1", body="hi, how can I help?"),
        cv.SurveyAnswered(at=t0 + 4100, contact_id="d1", survey="csat", score=5, agent_id="a1", queue_id="sales",
                          channel="chat"),
    ])
    api.advance(500)
    rows = {r["key"]: r for r in run(api, **body("day", "channel"))["rows"]}
    assert set(rows) == {"voice", "chat"}
    chat = rows["chat"]
    assert (chat["conversations_started"], chat["first_response_s"], chat["csat"], chat["csat_count"]) == (
        1, 30, 1, 1)
    assert chat["offered"] == 0 and chat["service_level"] is None  # never queued
    assert rows["voice"]["first_response_s"] is None and rows["voice"]["offered"] == 3
    a1 = next(r for r in run(api, **body("day", "agent"))["rows"] if r["key"] == "a1")
    assert (a1["first_response_s"], a1["csat_mean"], a1["csat_count"]) == (30, 5, 1)
    sales = run(api, **body("day", "queue"))["rows"][0]
    assert (sales["key"], sales["csat_count"], sales["offered"]) == ("sales", 1, 3)

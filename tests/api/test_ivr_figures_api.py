"""IVR figures over the API: the report, today's live figures, the wallboard's ``ivr``, roles, and a restart."""

from __future__ import annotations

from typing import Any

from blendcc.domain.ivr_events import IvrCallEnded
from blendcc.routing.commands import AppendEvents


def _ended(cid: str, reason: str, dialled: str = "0800", ivr_s: float = 10.0) -> IvrCallEnded:
    return IvrCallEnded(at=0.0, contact_id=cid, channel="voice", reason=reason, flow_id="bank", caller_id=None,
                        dialled=dialled, ivr_s=ivr_s, path=("welcome", "menu"), last_node="menu")


def _calls(api: Any) -> None:
    """Two abandoned and one contained call on 0800, one contained on 0900, and one call that reached sales."""
    api.container.runtime.execute(AppendEvents((
        _ended("i1", "ivr_abandoned", ivr_s=4.0), _ended("i2", "ivr_abandoned", ivr_s=8.0),
        _ended("i3", "ivr_contained", ivr_s=30.0), _ended("i4", "ivr_contained", dialled="0900")), stamp=True))
    api.new_contact(contact_id="q1", caller_id="+442079460001", dialled_number="0800",
                    attributes={"ivr_flow": "bank"}, ivr={"menu": "1"})


def test_report_live_figures_and_wallboard(centre: Any) -> None:
    api = centre
    t = api.clock.now()
    _calls(api)
    report = api.get(f"/api/reports/ivr?start={t - 3600}&end={t + 3600}&interval=day", "sup")
    rows = {r["dialled"]: r for r in report["rows"]}
    assert (rows["0800"]["ivr_calls"], rows["0800"]["to_queue"], rows["0800"]["ivr_abandoned"],
            rows["0800"]["ivr_contained"]) == (4, 1, 2, 1)
    assert rows["0800"]["avg_ivr_abandon_s"] == 6.0 and rows["0800"]["ivr_containment"] == 0.25
    assert rows["0900"]["ivr_contained"] == 1 and report["total"]["ivr_calls"] == 5
    merged = api.get(f"/api/reports/ivr?start={t - 3600}&end={t + 3600}&interval=day&by_dialled=false", "sup")
    assert [(r["dialled"], r["ivr_calls"]) for r in merged["rows"]] == [("*", 5)]
    only = api.get(f"/api/reports/ivr?start={t - 3600}&end={t + 3600}&interval=day&dialled=0900", "sup")
    assert only["total"]["ivr_calls"] == 1
    live = api.get("/api/stats/live/ivr", "sup")
    assert [(r["dialled"], r["ivr_calls"]) for r in live["flows"]] == [("0800", 4), ("0900", 1)]
    board = api.get("/api/stats/live", "sup")
    assert board["ivr"]["total"] == live["total"] and board["ivr"]["total"]["ivr_abandoned"] == 2
    sales = next(q for q in board["queues"] if q["id"] == "sales")["today"]
    assert sales["offered"] == 1 and sales["abandoned"] == 0  # only the call that reached the queue
    contacts = {r["contact_id"]: r["outcome"] for r in api.container.store.interactions(limit=10)}
    assert {k: contacts[k] for k in ("i1", "i3")} == {"i1": "ivr_abandoned", "i3": "ivr_contained"}


def test_only_supervisors_read_them(centre: Any) -> None:
    t = centre.clock.now()
    centre.error("GET", f"/api/reports/ivr?start={t - 3600}&end={t}", 403, user="ann")
    centre.error("GET", "/api/stats/live/ivr", 403, user="ann")


def test_todays_ivr_figures_survive_a_restart(centre: Any, containers: Any, make_api: Any) -> None:
    _calls(centre)
    before = centre.get("/api/stats/live/ivr", "sup")
    again = make_api(containers(centre.container.settings.database_url, centre.clock), centre.clock)
    assert again.get("/api/stats/live/ivr", "sup") == before
    assert before["total"]["ivr_calls"] == 5


def test_a_call_routed_without_a_flow_is_no_ivr_call(centre: Any) -> None:
    centre.new_contact(contact_id="x1", caller_id="+442079460002", dialled_number="0800")
    assert centre.get("/api/stats/live/ivr", "sup")["total"]["ivr_calls"] == 0

"""Dialing API on SQLite and PostgreSQL: agent preview (next, skip, dial), live pacing state, refusals."""

from __future__ import annotations

import random
from typing import Any

from blendcc.adapters.telephony.fake import FakeTelephony, ScriptedCall
from blendcc.api import routes_dialing
from blendcc.bootstrap.dialing import wire_dialing
from blendcc.dialer.records import DialRecord
from blendcc.domain import dialer_events as dev

CAMPAIGN = {"name": "Win-back", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100"}


def include(centre: Any) -> None:
    """The dialing router on the test app (whether or not the app already serves it)."""
    app = centre.client.app
    if not any(getattr(r, "path", "") == "/api/dialing/pacing" for r in app.routes):
        app.include_router(routes_dialing.router)


def setup(centre: Any) -> FakeTelephony:
    include(centre)
    centre.put("/api/campaigns/winback", json=CAMPAIGN)
    # 09:00 in London at the test clock's start: inside the default 08:00-21:00 calling window
    centre.container.campaigns.repo.insert_records([
        DialRecord(campaign_id="winback", record_id=f"r{i}", phone=f"+4420794600{i:02d}", tz="Europe/London",
                   fields={"name": f"Customer {i}"}) for i in range(1, 4)])
    telephony = FakeTelephony(centre.clock, random.Random(7),
                              script={"+442079460002": [ScriptedCall("human", 4.0, 90.0)]})
    wire_dialing(centre.container, telephony, ticker=False)
    return telephony


def test_preview_skip_dial_connect_and_pacing_state(centre: Any) -> None:
    telephony = setup(centre)
    centre.agent_login("a1")
    centre.post("/api/campaigns/winback/start", "sup", json={})
    first = centre.get("/api/agent/preview/winback", "ann")
    assert first["record"]["record_id"] == "r1" and first["record"]["fields"] == {"name": "Customer 1"}
    assert centre.agent("a1")["state"] == "aux"  # held while reading: no inbound offered
    centre.post("/api/agent/preview/winback/skip", "ann", 422, json={"record_id": "r1", "reason": ""})
    centre.post("/api/agent/preview/winback/skip", "ann", json={"record_id": "r1", "reason": "wrong person"})
    centre.post("/api/agent/preview/winback/skip", "ann", 409, json={"record_id": "r1", "reason": "again"})
    second = centre.get("/api/agent/preview/winback", "ann")
    assert second["record"]["record_id"] == "r2"
    dialled = centre.post("/api/agent/preview/winback/dial", "ann", json={"record_id": "r2"})
    centre.clock.advance(4)
    telephony.deliver_due()
    centre.container.dialing.tick()
    assert centre.work("a1") == {dialled["call_id"]: "busy"}
    state = centre.get("/api/campaigns/winback/pacing", "sup")
    assert state["state"] == "running" and state["mode"] == "preview"
    assert state["connected"] == 1 and state["counts"]["skipped"] == 1
    assert state["live_answered_in_window"] == 1 and state["abandoned_in_window"] == 0
    assert [s["campaign_id"] for s in centre.get("/api/dialing/pacing", "sup")] == ["winback"]
    stored = [s.event for s in centre.container.store.read()]
    assert [type(e).__name__ for e in stored if isinstance(e, dev.PreviewSkipped | dev.CallConnected)] == \
        ["PreviewSkipped", "CallConnected"]


def test_refusals(centre: Any) -> None:
    include(centre)
    assert centre.get("/api/dialing/pacing", "sup", 503)["error"] == "unavailable"  # no telephony wired yet
    setup(centre)
    centre.agent_login("a1")
    assert centre.get("/api/agent/preview/winback", "ann", 404)["error"] == "not_found"  # not started
    centre.post("/api/campaigns/winback/start", "sup", json={})
    centre.get("/api/campaigns/winback/pacing", "ann", 403)
    centre.get("/api/agent/preview/winback", "sup", 403)  # not an agent user
    centre.get("/api/agent/preview/bad id!", "ann", 422)
    centre.post("/api/agent/preview/winback/dial", "ann", 409, json={"record_id": "r9"})  # not previewing it
    centre.post("/api/agent/preview/winback/dial", "ann", 422, json={"record_id": "r1", "extra": 1})
    centre.post("/api/campaigns/winback/pause", "sup", json={})
    assert centre.get("/api/agent/preview/winback", "ann", 409)["error"] == "conflict"

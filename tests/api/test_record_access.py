"""Who may change an outbound record: the agent holding its call or preview, or a supervisor; agents outside
the campaign's queue get 403 for everything; record ids are opaque (not phone numbers) and old ids still work."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from blendcc.adapters.storage.dialer_repo import SqlDialerRepository
from blendcc.adapters.storage.dialer_tables import dial_records
from blendcc.adapters.storage.migrate import migrate
from blendcc.adapters.telephony.fake import FakeTelephony, ScriptedCall
from blendcc.bootstrap.dialing import wire_dialing
from blendcc.dialer.records import DialRecord

from .test_dialing_api import include

CAMPAIGN = {"name": "Win-back", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100"}
# 09:00 in London at the test clock's start: inside the default calling window
LIST = "id,phone,name\nc1,+442079460001,One\nc2,+442079460002,Two\nc3,+442079460003,Three\n"


def setup(centre: Any) -> dict[str, str]:
    """The preview campaign with its list imported and the dialing loop wired; external id -> record id."""
    include(centre)
    centre.put("/api/campaigns/winback", json=CAMPAIGN)
    centre.post("/api/campaigns/winback/lists", "sup", content=LIST.encode(), headers={"content-type": "text/csv"})
    telephony = FakeTelephony(centre.clock, random.Random(7),
                              script={"+442079460001": [ScriptedCall("human", 4.0, 90.0)]})
    wire_dialing(centre.container, telephony, ticker=False)
    centre.telephony = telephony
    records = centre.get("/api/campaigns/winback/records", user="sup")["records"]
    return {r["external_id"]: r["record_id"] for r in records}


def record(centre: Any, rid: str) -> dict[str, Any]:
    result: dict[str, Any] = centre.get(f"/api/campaigns/winback/records/{rid}", user="sup")
    return result


def dispose(centre: Any, rid: str, user: str, status: int, **body: Any) -> Any:
    path = f"/api/campaigns/winback/records/{rid}/disposition"
    if status == 200:
        return centre.post(path, user, json=body)
    return centre.error("POST", path, status, user=user, json=body)


def test_only_the_agent_holding_the_call_may_dispose_it(centre: Any) -> None:
    ids = setup(centre)
    centre.agent_login("a1")
    centre.agent_login("a2")
    centre.post("/api/campaigns/winback/start", "sup", json={})
    assert centre.get("/api/agent/preview/winback", "ann")["record"]["record_id"] == ids["c1"]
    call = centre.post("/api/agent/preview/winback/dial", "ann", json={"record_id": ids["c1"]})["call_id"]
    centre.clock.advance(4)
    centre.telephony.deliver_due()
    centre.container.dialing.tick()
    assert centre.work("a1") == {call: "busy"}  # ann talks to c1's callee
    before = record(centre, ids["c1"])

    # bob serves the queue but does not hold the call; cy does not serve the queue (403 before validation)
    assert "does not hold" in dispose(centre, ids["c1"], "bob", 403, disposition="dnc")["detail"]
    dispose(centre, ids["c2"], "bob", 403, disposition="wrong_number")  # never offered to anyone
    dispose(centre, ids["c1"], "cy", 403, disposition="dnc")
    dispose(centre, ids["c1"], "cy", 403, disposition="teleport", callback_at=1e300)
    centre.error("GET", f"/api/campaigns/winback/records/{ids['c1']}", 403, user="cy")
    assert record(centre, ids["c1"]) == before
    assert centre.get("/api/dnc/winback", user="sup") == []  # nobody put the number on the DNC list

    # the holder: not for another agent, not for an agent that does not exist
    assert "only for itself" in dispose(centre, ids["c1"], "ann", 403, disposition="callback",
                                        callback_at=centre.T0 + 7200, personal=True, agent_id="a2")["detail"]
    dispose(centre, ids["c1"], "ann", 404, disposition="callback", callback_at=centre.T0 + 7200, personal=True,
            agent_id="ghost")
    done = dispose(centre, ids["c1"], "ann", 200, disposition="callback", callback_at=centre.T0 + 7200,
                   personal=True)
    assert (done["state"], done["callback_agent_id"]) == ("callback", "a1")

    # once the call is wrapped up it is no longer ann's to change
    centre.act("a1", call, "end")
    centre.act("a1", call, "wrapup", disposition="not_interested")
    assert centre.work("a1") == {}
    dispose(centre, ids["c1"], "ann", 403, disposition="dnc")


def test_the_previewing_agent_may_mark_its_record_dnc(centre: Any) -> None:
    ids = setup(centre)
    centre.agent_login("a1")
    centre.agent_login("a2")
    centre.post("/api/campaigns/winback/start", "sup", json={})
    assert centre.get("/api/agent/preview/winback", "ann")["record"]["record_id"] == ids["c1"]
    dispose(centre, ids["c1"], "bob", 403, disposition="dnc")  # ann's preview, not bob's
    assert centre.get("/api/dnc/winback", user="sup") == []
    marked = dispose(centre, ids["c1"], "ann", 200, disposition="dnc")
    assert (marked["state"], marked["final_reason"]) == ("done", "dnc")
    assert [e["phone"] for e in centre.get("/api/dnc/winback", user="sup")] == ["+442079460001"]


def test_supervisor_personal_callbacks_need_a_real_agent_of_the_queue(centre: Any) -> None:
    ids = setup(centre)
    at = centre.T0 + 3600
    assert "ghost" in dispose(centre, ids["c2"], "sup", 404, disposition="callback", callback_at=at, personal=True,
                              agent_id="ghost")["detail"]
    dispose(centre, ids["c2"], "sup", 422, disposition="callback", callback_at=at, personal=True, agent_id="a3")
    assert record(centre, ids["c2"])["state"] == "pending"
    booked = dispose(centre, ids["c2"], "sup", 200, disposition="callback", callback_at=at, personal=True,
                     agent_id="a2")
    assert (booked["state"], booked["callback_agent_id"]) == ("callback", "a2")


def test_record_ids_are_opaque_and_old_records_keep_theirs(centre: Any) -> None:
    include(centre)
    centre.put("/api/campaigns/winback", json=CAMPAIGN)
    centre.post("/api/campaigns/winback/lists", "sup", content=b"phone\n+442079460001\n+442079460002\n")
    records = centre.get("/api/campaigns/winback/records", user="sup")["records"]
    assert [r["external_id"] for r in records] == [None, None]
    for r in records:
        assert r["record_id"] != r["phone"] and r["phone"][1:] not in r["record_id"]
        assert r["record_id"].startswith("rec_") and len(r["record_id"]) == 20
    centre.error("GET", "/api/campaigns/winback/records/%2B442079460001", 404, user="sup")
    # a re-import finds the same callees (by number, as before) and adds nothing
    again = centre.post("/api/campaigns/winback/lists", "sup", content=b"phone\n+442079460001\n+442079460002\n")
    assert (again["accepted"], again["duplicates"]) == (0, 2)

    # records stored before opaque ids (id = number, or the list's id) are still found and still deduplicated
    repo = centre.container.campaigns.repo
    repo.insert_records([
        DialRecord(campaign_id="winback", record_id="+442079460009", phone="+442079460009", tz="Europe/London"),
        DialRecord(campaign_id="winback", record_id="crm-7", phone="+442079460008", tz="Europe/London",
                   external_id="crm-7")])
    assert record(centre, "%2B442079460009")["phone"] == "+442079460009"
    assert dispose(centre, "%2B442079460009", "sup", 200, disposition="wrong_number")["state"] == "bad"
    old = centre.post("/api/campaigns/winback/lists", "sup",
                      content=b"id,phone\n,+442079460009\ncrm-7,+442079460008\n")
    assert (old["accepted"], old["duplicates"]) == (0, 2), old


def test_migration_keeps_old_ids_and_copies_list_ids_to_external_id(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, revision="0002")
    engine = create_engine(url)
    row = {"campaign_id": "c", "seq": 1, "tz": "Europe/London", "fields": {}, "state": "pending", "attempts": 0,
           "attempts_today": 0}
    with engine.begin() as conn:
        conn.execute(insert(dial_records).values(
            [{**row, "record_id": "+442079460001", "phone": "+442079460001"},
             {**row, "seq": 2, "record_id": "crm-7", "phone": "+442079460002"}]))
    migrate(url)
    try:
        stored = {r.record_id: r for r in SqlDialerRepository(engine).records("c")}
    finally:
        engine.dispose()
    assert set(stored) == {"+442079460001", "crm-7"}
    assert stored["+442079460001"].external_id is None
    assert stored["crm-7"].external_id == "crm-7"
    assert {r.natural_key for r in stored.values()} == {"+442079460001", "crm-7"}

"""Manual dialling from the desktop on SQLite and PostgreSQL: every check shown before dialling (number,
DNC global and campaign, calling window in the callee's zone, agent state, campaign), refusal with the failed
checks, and a dial through the dialing loop (fake telephony) that connects to the agent."""

from __future__ import annotations

import random
from typing import Any

from blendcc.adapters.telephony.fake import FakeTelephony, ScriptedCall
from blendcc.bootstrap.dialing import wire_dialing

CAMPAIGN = {"name": "Win-back", "mode": "preview", "queue_id": "sales", "caller_id": "+14155550100",
            "default_region": "GB"}
LONDON = "+442079460002"  # 09:00 in London at the test clock's start: inside the default 08:00-21:00 window
CALIFORNIA = "+14155552671"  # 01:00 in California then: outside it


def setup(centre: Any) -> FakeTelephony:
    centre.put("/api/campaigns/winback", json=CAMPAIGN)
    telephony = FakeTelephony(centre.clock, random.Random(7), script={LONDON: [ScriptedCall("human", 4.0, 90.0)]})
    wire_dialing(centre.container, telephony, ticker=False)
    return telephony


def checks(result: dict[str, Any]) -> dict[str, bool]:
    return {c["check"]: c["ok"] for c in result["checks"]}


def test_checks_are_shown_before_dialling(centre: Any) -> None:
    setup(centre)
    centre.agent_login("a1")
    stopped = centre.post("/api/agent/dial/check", "ann", json={"phone": LONDON, "campaign_id": "winback"})
    assert checks(stopped) == {"number": True, "dnc": True, "calling_window": True, "agent_state": True,
                               "campaign": False}
    assert stopped["ok"] is False and "stopped" in stopped["checks"][-1]["message"]
    centre.post("/api/campaigns/winback/start", "sup", json={})
    ok = centre.post("/api/agent/dial/check", "ann", json={"phone": "020 7946 0002"})  # national, GB campaign
    assert ok["ok"] is True and ok["phone"] == LONDON and ok["campaign_id"] == "winback"  # the one running
    assert ok["timezone"] == "Europe/London"
    assert "Mon 09:00 in Europe/London is inside" in ok["checks"][2]["message"]
    bad = centre.post("/api/agent/dial/check", "ann", json={"phone": "12"})
    assert checks(bad) == {"number": False, "agent_state": True, "campaign": True}
    night = centre.post("/api/agent/dial/check", "ann", json={"phone": CALIFORNIA})
    assert checks(night)["calling_window"] is False and night["timezone"] == "America/Los_Angeles"
    centre.container.campaigns.add_dnc("*", LONDON)  # the global list
    assert checks(centre.post("/api/agent/dial/check", "ann", json={"phone": LONDON}))["dnc"] is False
    centre.container.campaigns.remove_dnc("*", LONDON)
    centre.container.campaigns.add_dnc("winback", LONDON)  # the campaign's own list
    listed = centre.post("/api/agent/dial/check", "ann", json={"phone": LONDON})
    assert checks(listed)["dnc"] is False and "campaign winback" in listed["checks"][1]["message"]
    centre.set_status("a1", "aux", "break")
    assert checks(centre.post("/api/agent/dial/check", "ann", json={"phone": CALIFORNIA}))["agent_state"] is False
    cy = centre.post("/api/agent/dial/check", "cy", json={"phone": LONDON, "campaign_id": "winback"})
    assert cy["checks"][-1]["message"] == "campaign winback dials for queue sales, not one of yours"
    nope = centre.post("/api/agent/dial/check", "ann", json={"phone": LONDON, "campaign_id": "nope"})
    assert checks(nope)["campaign"] is False and nope["checks"][-1]["message"] == "campaign nope does not exist"
    assert "does not exist" in centre.error("POST", "/api/agent/dial", 409, user="ann",
                                            json={"phone": LONDON, "campaign_id": "nope"})["detail"]
    centre.error("POST", "/api/agent/dial/check", 403, user="sup", json={"phone": LONDON})
    centre.error("POST", "/api/agent/dial/check", 422, user="ann", json={"phone": LONDON, "x": 1})


def test_dial_refuses_on_a_failed_check_else_connects_to_me(centre: Any) -> None:
    telephony = setup(centre)
    centre.agent_login("a1")
    earlier = centre.new_contact(caller_id=LONDON)  # ann's customer, from an inbound call
    centre.act("a1", earlier["contact_id"], "accept")
    centre.act("a1", earlier["contact_id"], "end")
    centre.act("a1", earlier["contact_id"], "wrapup")
    customer = earlier["customer_id"]
    centre.post("/api/campaigns/winback/start", "sup", json={})
    centre.error("POST", "/api/agent/dial", 403, user="bob", json={"phone": LONDON, "customer_id": customer})
    refused = centre.error("POST", "/api/agent/dial", 409, user="ann", json={"phone": CALIFORNIA})
    assert "outside the calling window" in refused["detail"]
    assert centre.work("a1") == {} and centre.agent("a1")["state"] == "available"  # nothing happened
    placed = centre.post("/api/agent/dial", "ann", 201, json={"phone": LONDON, "campaign_id": "winback",
                                                             "customer_id": customer})
    cid = placed["contact_id"]
    assert cid and placed["ok"] is True
    assert centre.agent("a1")["reason"] == "outbound"  # held for the call while it rings
    again = centre.error("POST", "/api/agent/dial", 409, user="ann", json={"phone": LONDON})
    assert "dialling needs available" in again["detail"]
    centre.clock.advance(4)
    telephony.deliver_due()
    centre.container.dialing.tick()
    assert centre.work("a1") == {cid: "busy"}  # the answered call is my connected outbound contact
    assert centre.contact(cid)["direction"] == "outbound"
    assert centre.contact(cid)["customer_id"] == customer  # the screen pop knows whom I called
    records = centre.container.campaigns.repo.records("winback")
    assert [(r.phone, r.fields.get("manual"), r.fields.get("customer_id")) for r in records] == [
        (LONDON, "true", customer)]


def test_a_campaign_call_wraps_up_with_the_campaign_codes(centre: Any) -> None:
    telephony = setup(centre)
    centre.agent_login("a1")
    centre.post("/api/campaigns/winback/start", "sup", json={})
    cid = centre.post("/api/agent/dial", "ann", 201, json={"phone": LONDON})["contact_id"]
    centre.clock.advance(4)
    telephony.deliver_due()
    centre.container.dialing.tick()
    centre.act("a1", cid, "end")
    opts = centre.get(f"/api/agent/contacts/{cid}/wrapup-options", "ann")
    assert opts["campaign_id"] == "winback" and opts["disposition_required"] is True
    codes = {d["code"]: d["action"] for d in opts["dispositions"]}
    assert codes["sale"] == "done" and codes["callback"] == "callback"
    assert opts["callback"] == {"possible": True, "phone": LONDON, "reason": None, "disposition": "callback"}
    centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann", json={"disposition": "resolved"})
    centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann", json={"disposition": "callback"})
    due = centre.T0 + 86400
    done = centre.act("a1", cid, "wrapup", disposition="callback", callback_at=due, callback_personal=True)
    assert "callback_id" not in done  # a dialer call keeps its callback on its record
    centre.container.dialing.tick()
    rows = centre.get("/api/agent/callbacks", "ann")
    assert [(r["source"], r["campaign_id"], r["phone"], r["due_at"]) for r in rows] == [
        ("dialer", "winback", LONDON, due)]

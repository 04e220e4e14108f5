"""Contact lifecycle over REST on both backends: routing by workflow, agent controls, timers, transfers,
supervisor actions, hang-ups and idempotent creation."""

from __future__ import annotations

from typing import Any

import pytest


def login_all(api: Any) -> None:
    for aid in ("a1", "a2", "a3"):
        api.agent_login(aid)


def test_full_lifecycle_create_accept_hold_resume_end_wrapup(centre: Any) -> None:
    t0 = centre.T0
    centre.agent_login("a1")
    out = centre.new_contact(caller_id="+44 20 7946 0000", ivr={"menu": "2"}, language="en",
                             attributes={"order": "A-17"})
    cid = out["contact_id"]
    assert out == {"contact_id": cid, "customer_id": out["customer_id"], "state": "offered",
                   "queue_id": "support", "offered_to": "a1"}
    assert out["customer_id"].startswith("cu-")
    assert centre.agent("a1")["state"] == "reserved"

    centre.clock.advance(5)
    assert centre.act("a1", cid, "accept")["events"][:1] == ["ContactConnected"]
    assert centre.agent("a1")["state"] == "busy"
    centre.clock.advance(30)
    centre.act("a1", cid, "hold")
    assert centre.contact(cid)["state"] == "held"
    centre.clock.advance(10)
    centre.act("a1", cid, "resume")
    centre.clock.advance(20)
    centre.act("a1", cid, "end")
    agent = centre.agent("a1")
    assert agent["state"] == "wrap_up"
    assert agent["work"][0]["stage"] == "wrap_up"
    assert agent["work"][0]["wrap_until"] is None  # support: wrap-up until the agent completes it
    assert centre.contact(cid)["state"] == "wrap_up"
    centre.clock.advance(15)
    done = centre.act("a1", cid, "wrapup", disposition="resolved", notes="reset the router")
    assert done["events"][:2] == ["WrapUpCompleted", "ContactClosed"]

    row = centre.contact(cid)
    assert row["state"] == "closed" and row["outcome"] == "completed"
    assert row["channel"] == "voice" and row["direction"] == "inbound"
    assert row["customer_id"] == out["customer_id"]
    assert row["workflow_id"] == "main" and row["filter_name"] == "tech"
    assert row["queue_id"] == "support" and row["first_queue_id"] == "support"
    assert row["agent_id"] == "a1"
    assert row["created_at"] == t0
    assert row["first_queued_at"] == t0
    assert row["offered_at"] == t0
    assert row["connected_at"] == t0 + 5
    assert row["ended_at"] == t0 + 65
    assert row["closed_at"] == t0 + 80
    assert row["wait_s"] == 5
    assert row["talk_s"] == 50  # 60 s from answer to end minus 10 s on hold
    assert row["hold_s"] == 10
    assert row["acw_s"] == 15
    assert row["disposition"] == "resolved" and row["notes"] == "reset the router"
    assert row["offers"] == 1 and row["transfers"] == 0 and row["overflows"] == 0
    assert row["attributes"]["order"] == "A-17"
    assert row["attributes"]["ivr"] == {"menu": "2"}
    assert row["attributes"]["language"] == "en"

    events = centre.get(f"/api/contacts/{cid}/events")
    assert [e["type"] for e in events] == [
        "ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered", "ContactConnected",
        "ContactHeld", "ContactResumed", "ContactEnded", "WrapUpCompleted", "ContactClosed"]
    assert [e["at"] - t0 for e in events] == [0, 0, 0, 0, 5, 35, 45, 65, 80, 80]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert all(e["contact_id"] == cid for e in events)
    wrap = events[-2]
    assert (wrap["talk_s"], wrap["hold_s"], wrap["acw_s"]) == (50, 10, 15)
    # the agent is free again and holds nothing
    agent = centre.agent("a1")
    assert agent["state"] == "available" and agent["work"] == []
    # the customer history shows the contact
    customer = centre.get(f"/api/customers/{out['customer_id']}", user="sup")
    assert [i["contact_id"] for i in customer["interactions"]] == [cid]
    # a second contact from the same number is the same customer
    again = centre.new_contact(caller_id="+442079460000")
    assert again["customer_id"] == out["customer_id"]


def test_workflow_rules_pick_queue_and_agent(centre: Any) -> None:
    login_all(centre)  # all idle since T0: ties go to the lowest agent id
    billing = centre.new_contact(ivr={"menu": "3"})
    assert (billing["queue_id"], billing["offered_to"]) == ("billing", "a2")  # a1 does not serve billing
    tech = centre.new_contact(channel="voice", text="my router is broken")
    assert (tech["queue_id"], tech["offered_to"]) == ("support", "a1")
    tech2 = centre.new_contact(ivr={"menu": "2"})
    assert (tech2["queue_id"], tech2["offered_to"]) == ("support", "a3")  # a1 is ringing already
    sales = centre.new_contact()
    assert (sales["queue_id"], sales["state"], sales["offered_to"]) == ("sales", "queued", None)
    assert centre.contact(billing["contact_id"])["filter_name"] == "money"
    assert centre.contact(sales["contact_id"])["filter_name"] == "default"
    # the first agent freed takes the waiting sales contact
    centre.act("a2", billing["contact_id"], "decline")
    assert centre.work("a2") == {sales["contact_id"]: "reserved"}
    # the declined contact went back to billing and waits (a3 is ringing, a2 declined it)
    assert centre.contact(billing["contact_id"])["state"] == "queued"
    centre.act("a3", tech2["contact_id"], "decline")
    assert centre.work("a3") == {billing["contact_id"]: "reserved"}


def test_decline_offers_to_the_next_agent_and_never_back(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    out = centre.new_contact()
    cid = out["contact_id"]
    assert out["offered_to"] == "a1"
    result = centre.act("a1", cid, "decline")
    assert result["events"][:2] == ["OfferRevoked", "ContactOffered"]
    assert centre.work("a1") == {}
    assert centre.work("a2") == {cid: "reserved"}
    assert centre.agent("a1")["state"] == "available"  # declining does not make the agent unavailable
    centre.act("a2", cid, "decline")
    assert centre.contact(cid)["state"] == "queued"
    assert centre.work("a1") == {} and centre.work("a2") == {}
    # declining again or accepting what is no longer offered is a clean 404
    body = centre.error("POST", f"/api/agent/contacts/{cid}/accept", 404, user="ann")
    assert f"has no contact {cid}" in body["detail"]
    timeline = centre.timeline(cid)
    assert timeline.count("ContactOffered") == 2 and timeline.count("OfferRevoked") == 2
    revoked = [e for e in centre.get(f"/api/contacts/{cid}/events") if e["type"] == "OfferRevoked"]
    assert [(e["agent_id"], e["reason"]) for e in revoked] == [("a1", "declined"), ("a2", "declined")]


def test_ring_no_answer_puts_agent_in_missed_aux_and_reoffers(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    out = centre.new_contact()
    cid = out["contact_id"]
    assert out["offered_to"] == "a1"
    offer = centre.agent("a1")["work"][0]
    assert offer["offer_expires"] == centre.T0 + 20
    assert centre.advance(19.9) == []
    assert centre.work("a1") == {cid: "reserved"}
    fired = centre.advance(0.1)
    names = [e.type for e in fired]
    assert names[:3] == ["OfferRevoked", "AgentStatusChanged", "ContactOffered"]
    a1 = centre.agent("a1")
    assert (a1["state"], a1["reason"], a1["presence"]) == ("aux", "missed", "aux")
    assert a1["work"] == []
    assert centre.work("a2") == {cid: "reserved"}
    revoked = [e for e in centre.get(f"/api/contacts/{cid}/events") if e["type"] == "OfferRevoked"]
    assert [(e["agent_id"], e["reason"]) for e in revoked] == [("a1", "timeout")]
    # a2 also lets it ring: nobody is left, the contact waits; a1 comes back and gets it again
    centre.advance(20)
    assert centre.agent("a2")["reason"] == "missed"
    assert centre.contact(cid)["state"] == "queued"
    centre.set_status("a1", "available")
    assert centre.work("a1") == {cid: "reserved"}
    centre.act("a1", cid, "accept")
    row = centre.contact(cid)
    assert row["wait_s"] == 40 and row["offers"] == 3


def test_timed_wrap_up_completes_on_tick(centre: Any) -> None:
    centre.agent_login("a1")
    cid = centre.new_contact()["contact_id"]  # sales: 30 s timed wrap-up
    centre.act("a1", cid, "accept")
    centre.clock.advance(60)
    centre.act("a1", cid, "end")
    assert centre.agent("a1")["work"][0]["wrap_until"] == centre.T0 + 90
    assert centre.advance(29) == []
    fired = [e.type for e in centre.advance(1)]
    assert fired[:2] == ["WrapUpCompleted", "ContactClosed"]
    row = centre.contact(cid)
    assert (row["state"], row["talk_s"], row["acw_s"]) == ("closed", 60, 30)
    timed_out = next(e for e in centre.get(f"/api/contacts/{cid}/events") if e["type"] == "WrapUpCompleted")
    assert timed_out["timed_out"] is True
    assert centre.agent("a1")["state"] == "available"


def test_wrapup_during_conversation_ends_it(centre: Any) -> None:
    centre.agent_login("a1")
    cid = centre.new_contact()["contact_id"]
    centre.act("a1", cid, "accept")
    centre.clock.advance(42)
    result = centre.act("a1", cid, "wrapup", disposition="sale")
    assert result["events"][:3] == ["ContactEnded", "WrapUpCompleted", "ContactClosed"]
    row = centre.contact(cid)
    assert (row["talk_s"], row["acw_s"], row["disposition"], row["notes"]) == (42, 0, "sale", None)


def test_wrong_order_of_agent_actions_is_409(centre: Any) -> None:
    centre.agent_login("a1")
    cid = centre.new_contact()["contact_id"]
    for action, detail in (("hold", "is not connected"), ("resume", "is not on hold"),
                           ("end", "is not in conversation"), ("wrapup", "was not accepted yet")):
        body = centre.error("POST", f"/api/agent/contacts/{cid}/{action}", 409, user="ann",
                            json={} if action == "wrapup" else None)
        assert detail in body["detail"], body
    centre.act("a1", cid, "accept")
    body = centre.error("POST", f"/api/agent/contacts/{cid}/accept", 409, user="ann")
    assert "is not on offer" in body["detail"]
    centre.error("POST", f"/api/agent/contacts/{cid}/decline", 409, user="ann")
    centre.error("POST", f"/api/agent/contacts/{cid}/resume", 409, user="ann")
    # logging out with a contact in progress is refused
    body = centre.error("POST", "/api/agent/logout", 409, user="ann")
    assert "handling 1 contact" in body["detail"]
    centre.error("POST", "/api/agent/login", 409, user="ann")
    # aux without a reason is refused
    body = centre.error("POST", "/api/agent/status", 422, user="ann", json={"status": "aux"})
    assert "reason" in body["detail"]


def test_transfer_to_queue(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    cid = centre.new_contact()["contact_id"]
    centre.act("a1", cid, "accept")
    centre.clock.advance(30)
    result = centre.act("a1", cid, "transfer", queue_id="billing")
    assert result["events"][:2] == ["ContactTransferred", "ContactEnded"]
    # a1 is in (timed) wrap-up for its part, a2 (billing) is offered the contact
    assert centre.work("a1") == {cid: "wrap_up"}
    assert centre.work("a2") == {cid: "reserved"}
    centre.clock.advance(4)
    centre.act("a2", cid, "accept")
    centre.act("a1", cid, "wrapup", disposition="transferred")
    assert centre.contact(cid)["state"] == "connected"  # a1 finishing its part does not close the contact
    centre.clock.advance(20)
    centre.act("a2", cid, "wrapup", disposition="paid")
    row = centre.contact(cid)
    assert (row["state"], row["agent_id"], row["queue_id"], row["first_queue_id"]) == (
        "closed", "a2", "billing", "sales")
    assert row["transfers"] == 1 and row["wait_s"] == 0 and row["disposition"] == "paid"
    assert row["talk_s"] == 50  # 30 s with a1 and 20 s with a2
    transferred = next(e for e in centre.get(f"/api/contacts/{cid}/events") if e["type"] == "ContactTransferred")
    assert (transferred["from_agent_id"], transferred["to_queue_id"], transferred["to_agent_id"]) == (
        "a1", "billing", None)


def test_transfer_to_agent_and_fallback_to_queue(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a3")
    cid = centre.new_contact(ivr={"menu": "2"})["contact_id"]  # support -> a1
    centre.act("a1", cid, "accept")
    centre.act("a1", cid, "transfer", agent_id="a3")
    assert centre.work("a3") == {cid: "reserved"}
    centre.act("a3", cid, "accept")
    assert centre.contact(cid)["agent_id"] == "a3"
    # transfer to a busy agent waits for that agent, then falls back to the queue after 30 s
    cid2 = centre.new_contact()["contact_id"]  # sales: a1 is still in (manual) wrap-up of cid
    assert centre.contact(cid2)["state"] == "queued"
    centre.act("a1", cid, "wrapup")
    assert centre.work("a1") == {cid2: "reserved"}
    centre.act("a1", cid2, "accept")
    centre.act("a1", cid2, "transfer", agent_id="a3")  # a3 is busy with cid
    assert centre.contact(cid2)["state"] == "queued"
    centre.act("a3", cid, "wrapup")
    assert centre.work("a3") == {cid2: "reserved"}  # the personal step wins as soon as a3 is free
    centre.act("a3", cid2, "decline")
    # declined by the wanted agent: after the personal step times out, the sales queue takes over
    centre.act("a1", cid2, "wrapup")
    assert centre.work("a1") == {}
    centre.advance(30)
    assert centre.work("a1") == {cid2: "reserved"}
    # transfer errors
    centre.act("a1", cid2, "accept")
    for body, status, detail in (
        ({"agent_id": "a1"}, 422, "yourself"),
        ({"agent_id": "zz"}, 404, "agent zz is not configured"),
        ({"queue_id": "nowhere"}, 404, "queue nowhere does not exist"),
        ({}, 422, "exactly one"),
        ({"queue_id": "sales", "agent_id": "a2"}, 422, "exactly one"),
    ):
        answer = centre.error("POST", f"/api/agent/contacts/{cid2}/transfer", status, user="ann", json=body)
        assert detail in answer["detail"], answer
    answer = centre.error("POST", f"/api/agent/contacts/{cid2}/transfer", 409, user="ann", json={"agent_id": "a2"})
    assert "not logged in" in answer["detail"]


def test_supervisor_forces_agent_state(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2")
    view = centre.post("/api/supervisor/agents/a2/state", "sup", json={"status": "aux", "reason": "coaching"})
    assert (view["state"], view["reason"]) == ("aux", "coaching")
    out = centre.new_contact()
    assert out["offered_to"] == "a1"
    centre.act("a1", out["contact_id"], "accept")
    queued = centre.new_contact()
    assert queued["state"] == "queued"
    # back to available: the waiting contact is offered at once
    centre.post("/api/supervisor/agents/a2/state", "sup", json={"status": "available"})
    assert centre.work("a2") == {queued["contact_id"]: "reserved"}
    assert centre.timeline(queued["contact_id"])[-1] == "ContactOffered"
    # forced logout ends the conversation in progress and logs the agent out
    view = centre.post("/api/supervisor/agents/a1/state", "sup", json={"status": "offline"})
    assert (view["logged_in"], view["state"], view["work"]) == (False, "offline", [])
    row = centre.contact(out["contact_id"])
    assert row["state"] == "closed" and row["outcome"] == "completed"
    # forced logout of a ringing agent sends the offer back to the queue
    view = centre.post("/api/supervisor/agents/a2/state", "sup", json={"status": "offline"})
    assert view["logged_in"] is False
    assert centre.contact(queued["contact_id"])["state"] == "queued"
    detail = centre.get("/api/supervisor/agents/a2", "sup")
    assert detail["state"] == "offline"
    # forcing an agent that is not logged in
    body = centre.error("POST", "/api/supervisor/agents/a2/state", 409, user="sup", json={"status": "available"})
    assert "not logged in" in body["detail"]
    body = centre.error("POST", "/api/supervisor/agents/zz/state", 404, user="sup", json={"status": "available"})
    assert "agent zz is not configured" in body["detail"]
    centre.error("GET", "/api/supervisor/agents/zz", 404, user="sup")


def test_supervisor_moves_waiting_contact(centre: Any) -> None:
    out = centre.new_contact()
    cid = out["contact_id"]
    centre.clock.advance(10)
    moved = centre.post(f"/api/supervisor/contacts/{cid}/move", "sup", json={"queue_id": "billing"})
    assert (moved["state"], moved["queue_id"]) == ("queued", "billing")
    centre.agent_login("a2")
    assert centre.work("a2") == {cid: "reserved"}
    centre.clock.advance(5)
    centre.act("a2", cid, "accept")
    row = centre.contact(cid)
    assert (row["queue_id"], row["first_queue_id"], row["overflows"]) == ("billing", "sales", 1)
    assert row["wait_s"] == 5  # wait in the queue that answered (the contact belongs to each visit)
    assert "ContactOverflowed" in centre.timeline(cid)
    # a connected contact cannot be moved; unknown targets are 404
    body = centre.error("POST", f"/api/supervisor/contacts/{cid}/move", 409, user="sup", json={"queue_id": "sales"})
    assert "only waiting contacts" in body["detail"]
    waiting = centre.new_contact()["contact_id"]
    centre.error("POST", f"/api/supervisor/contacts/{waiting}/move", 404, user="sup", json={"queue_id": "nowhere"})
    centre.error("POST", "/api/supervisor/contacts/nope/move", 404, user="sup", json={"queue_id": "sales"})
    # moving an offered contact revokes the offer first
    centre.agent_login("a1")
    assert centre.work("a1") == {waiting: "reserved"}
    centre.post(f"/api/supervisor/contacts/{waiting}/move", "sup", json={"queue_id": "support"})
    assert centre.contact(waiting)["queue_id"] == "support"
    assert centre.work("a1") == {waiting: "reserved"}  # a1 serves support too: offered again


def test_customer_hangup_while_queued_is_abandoned_with_wait(centre: Any) -> None:
    out = centre.new_contact(caller_id="+15550001")
    cid = out["contact_id"]
    centre.clock.advance(12)
    result = centre.post(f"/api/contacts/{cid}/hangup", "sup")
    assert result["events"] == ["ContactAbandoned", "ContactClosed"]
    row = centre.contact(cid)
    assert (row["state"], row["outcome"], row["wait_s"], row["ended_at"]) == (
        "closed", "abandoned", 12, centre.T0 + 12)
    abandoned = next(e for e in centre.get(f"/api/contacts/{cid}/events") if e["type"] == "ContactAbandoned")
    assert (abandoned["queue_id"], abandoned["wait_s"]) == ("sales", 12)
    # hanging up a closed contact
    body = centre.error("POST", f"/api/contacts/{cid}/hangup", 404, user="sup")
    assert "is not active" in body["detail"]


def test_customer_hangup_while_ringing_and_while_connected(centre: Any) -> None:
    centre.agent_login("a1")
    ringing = centre.new_contact()["contact_id"]
    centre.clock.advance(3)
    centre.post(f"/api/contacts/{ringing}/hangup", "sup")
    assert centre.timeline(ringing)[-3:] == ["OfferRevoked", "ContactAbandoned", "ContactClosed"]
    assert centre.agent("a1")["state"] == "available"
    talking = centre.new_contact()["contact_id"]
    centre.act("a1", talking, "accept")
    centre.clock.advance(25)
    result = centre.post(f"/api/contacts/{talking}/hangup", "sup")
    assert result["events"][:1] == ["ContactEnded"]
    assert centre.work("a1") == {talking: "wrap_up"}
    ended = next(e for e in centre.get(f"/api/contacts/{talking}/events") if e["type"] == "ContactEnded")
    assert ended["reason"] == "customer"


def test_contact_id_is_idempotent(centre: Any) -> None:
    first = centre.new_contact(contact_id="call-0001", caller_id="+15550002")
    assert first["contact_id"] == "call-0001"
    body = centre.error("POST", "/api/contacts", 409, user="sup",
                        json={"channel": "voice", "contact_id": "call-0001", "caller_id": "+15550002"})
    assert body["detail"] == "contact call-0001 already exists"
    # still exactly one contact and one creation event
    assert [c["contact_id"] for c in centre.get("/api/contacts", "sup")] == ["call-0001"]
    assert centre.timeline("call-0001").count("ContactCreated") == 1
    # also after the contact is closed
    centre.post("/api/contacts/call-0001/hangup", "sup")
    centre.error("POST", "/api/contacts", 409, user="sup", json={"channel": "chat", "contact_id": "call-0001"})


def test_no_workflow_for_channel_is_a_clean_error(api: Any) -> None:
    body = api.error("POST", "/api/contacts", 422, json={"channel": "voice"})
    assert "no routing workflow serves channel 'voice'" in body["detail"]


@pytest.mark.parametrize("channel", ["chat", "email", "sms", "social"])
def test_digital_channels_route_and_close(centre: Any, channel: str) -> None:
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1}}})
    centre.agent_login("a1")
    address = {"chat": "web-123", "email": "Jane@Example.com", "sms": "+15550003", "social": "@jane"}[channel]
    out = centre.new_contact(channel=channel, caller_id=address, subject="hello")
    assert out["offered_to"] is None and out["state"] == "queued"  # a1 is voice-only now
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": {"limits": {"voice": 1, channel: 2}}})
    assert centre.work("a1") == {out["contact_id"]: "reserved"}
    centre.act("a1", out["contact_id"], "accept")
    centre.act("a1", out["contact_id"], "wrapup")
    assert centre.contact(out["contact_id"])["channel"] == channel


def test_contact_list_filters(centre: Any) -> None:
    centre.agent_login("a1")
    c1 = centre.new_contact()["contact_id"]
    centre.clock.advance(1)
    c2 = centre.new_contact(ivr={"menu": "3"})["contact_id"]
    listed = centre.get("/api/contacts", "sup")
    assert [c["contact_id"] for c in listed] == [c2, c1]  # newest first
    assert [c["contact_id"] for c in centre.get("/api/contacts?queue_id=billing", "sup")] == [c2]
    assert [c["contact_id"] for c in centre.get("/api/contacts?state=offered", "sup")] == [c1]
    assert [c["contact_id"] for c in centre.get("/api/contacts?agent_id=a1", "sup")] == []  # not yet connected
    assert [c["contact_id"] for c in centre.get(f"/api/contacts?start={centre.T0 + 1}", "sup")] == [c2]
    assert [c["contact_id"] for c in centre.get("/api/contacts?limit=1&offset=1", "sup")] == [c1]

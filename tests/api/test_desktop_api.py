"""The agent desktop's API on SQLite and PostgreSQL: today's own figures, disposition codes and wrap-up
options, the directory for the transfer pickers."""

from __future__ import annotations

from typing import Any

import pytest

PHONE = "+442079460123"  # a valid UK number (the Ofcom drama range)


def _handle(centre: Any, agent: str, talk_s: float, wrap_s: float, **contact: Any) -> str:
    out = centre.new_contact(**contact)
    assert out["offered_to"] == agent, out
    cid: str = out["contact_id"]
    centre.act(agent, cid, "accept")
    centre.advance(talk_s)
    centre.act(agent, cid, "end")
    centre.advance(wrap_s)
    return cid


def test_today_counts_my_own_handled_aht_occupancy_and_state(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2", "aux", "break")
    centre.advance(40)  # a1 idle (available) for 40 s
    cid = _handle(centre, "a1", 60, 10, caller_id=PHONE)
    centre.act("a1", cid, "wrapup", disposition=None)
    centre.advance(5)
    mine = centre.get("/api/agent/today", "ann")
    assert mine["agent_id"] == "a1" and mine["timezone"] == "UTC"
    assert mine["handled"] == 1 and mine["handled_by_channel"] == {"voice": 1} and mine["completed"] == 1
    assert mine["talk_s"] == pytest.approx(60) and mine["acw_s"] == pytest.approx(10)
    assert mine["aht_s"] == pytest.approx(70)
    # handling 70 s / (handling 70 + available 45 + reserved 0)
    assert mine["occupancy"] == pytest.approx(70 / 115)
    assert mine["state"]["state"] == "available" and mine["state"]["seconds"] == pytest.approx(5)
    assert mine["day_start"] == centre.T0 - 9 * 3600  # midnight UTC of the test day
    bob = centre.get("/api/agent/today", "bob")  # another agent sees only its own figures
    assert bob["agent_id"] == "a2" and bob["handled"] == 0 and bob["aht_s"] is None
    assert bob["state"] == {"state": "aux", "reason": "break", "since": centre.T0, "seconds": pytest.approx(115)}
    assert bob["aux_by_reason"] == {"break": pytest.approx(115)}
    centre.error("GET", "/api/agent/today", 403, user="sup")  # not an agent user
    centre.error("GET", "/api/agent/today", 401, user=None)


SALES_CODES = [{"code": "resolved", "label": "Resolved"}, {"code": "escalated", "label": "Escalated"}]


def test_disposition_codes_are_validated_offered_and_enforced(centre: Any) -> None:
    base = {"name": "Sales", "wrap_up_s": 30, "offer_timeout_s": 20}
    centre.error("PUT", "/api/config/queues/sales", 422, json={**base, "dispositions": SALES_CODES * 2})
    centre.error("PUT", "/api/config/queues/sales", 422, json={**base, "dispositions": [{"code": "", "label": "x"}]})
    centre.error("PUT", "/api/config/queues/sales", 422, json={**base, "dispositions": [{"code": "ok", "label": ""}]})
    centre.put("/api/config/queues/sales", json={**base, "dispositions": SALES_CODES, "notes_required": True})
    centre.agent_login("a1")
    cid = _handle(centre, "a1", 30, 1, caller_id=PHONE)
    opts = centre.get(f"/api/agent/contacts/{cid}/wrapup-options", "ann")
    assert [d["code"] for d in opts["dispositions"]] == ["resolved", "escalated"]
    assert opts["dispositions"][0]["label"] == "Resolved" and opts["disposition_required"] is True
    assert opts["notes_required"] is True and opts["wrap_up_timed"] is True
    assert opts["wrap_up_until"] == pytest.approx(centre.T0 + 30 + 30)
    assert opts["campaign_id"] is None and opts["stage"] == "wrap_up"
    assert opts["callback"] == {"possible": True, "phone": PHONE, "reason": None, "disposition": None}
    centre.error("GET", f"/api/agent/contacts/{cid}/wrapup-options", 404, user="bob")  # not bob's contact
    assert "not one of" in centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann",
                                        json={"disposition": "sale", "notes": "n"})["detail"]
    assert "choose a disposition" in centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann",
                                                  json={"notes": "n"})["detail"]
    assert "notes" in centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann",
                                   json={"disposition": "resolved", "notes": "  "})["detail"]
    assert centre.work("a1") == {cid: "wrap_up"}  # nothing refused changed anything
    done = centre.act("a1", cid, "wrapup", disposition="resolved", notes="sorted out")
    assert done["events"][0] == "WrapUpCompleted" and "callback_id" not in done
    assert centre.contact(cid)["disposition"] == "resolved"


def test_queue_without_codes_accepts_any_disposition(centre: Any) -> None:
    centre.agent_login("a1")
    cid = _handle(centre, "a1", 5, 1)
    opts = centre.get(f"/api/agent/contacts/{cid}/wrapup-options", "ann")
    assert opts["dispositions"] == [] and opts["disposition_required"] is False
    assert opts["callback"]["possible"] is False and "phone" in opts["callback"]["reason"]
    centre.act("a1", cid, "wrapup", disposition="anything")
    assert centre.contact(cid)["disposition"] == "anything"


def test_directory_lists_queues_and_agents_without_customer_data(centre: Any) -> None:
    centre.agent_login("a1")
    centre.agent_login("a2", "aux", "lunch")
    busy = centre.new_contact(caller_id=PHONE)  # offered to a1 (sales)
    centre.act("a1", busy["contact_id"], "accept")
    waiting = centre.new_contact(caller_id="+442079460124")  # nobody free in sales: waits
    assert waiting["state"] == "queued"
    centre.advance(12)
    d = centre.get("/api/agent/directory", "bob")
    queues = {q["id"]: q for q in d["queues"]}
    assert queues["sales"] == {"id": "sales", "name": "Sales", "waiting": 1, "longest_wait_s": pytest.approx(12),
                               "agents_available": 0, "agents_logged_in": 2}
    assert queues["billing"]["agents_logged_in"] == 1 and queues["support"]["agents_logged_in"] == 1
    agents = {a["id"]: a for a in d["agents"]}
    assert agents["a1"]["state"] == "busy" and agents["a1"]["free"]["voice"] == 0
    assert agents["a1"]["free"]["chat"] == 0  # voice is exclusive
    assert agents["a2"]["state"] == "aux" and agents["a2"]["reason"] == "lunch" and agents["a2"]["free"]["voice"] == 1
    assert agents["a3"]["logged_in"] is False and agents["a3"]["free"] == {}
    text = str(d)
    assert PHONE not in text and busy["contact_id"] not in text and "customer" not in text
    centre.error("GET", "/api/agent/directory", 403, user="sup")


def test_email_modes_are_refused_on_other_channels(centre: Any) -> None:
    centre.agent_login("a1")
    out = centre.new_contact(channel="chat", caller_id="web-9", text="router broken")
    assert out["offered_to"] == "a1"
    cid = out["contact_id"]
    centre.act("a1", cid, "accept")
    path = f"/api/contacts/{cid}/messages"
    assert "email" in centre.error("POST", path, 422, user="ann", json={"body": "hi", "mode": "reply_all"})["detail"]
    centre.error("POST", path, 422, user="ann", json={"body": "hi", "cc": ["x@example.com"]})
    centre.error("POST", path, 422, user="ann", json={"body": "hi", "mode": "bcc"})
    sent = centre.post(path, "ann", 201, json={"body": "hi"})
    assert sent["cc"] == [] and sent["direction"] == "outbound"

"""Live monitoring over the API: the live contacts of every channel, a supervisor joining a chat (audited,
delivered by the channel), and alerts raised from the wallboard tick, pushed on topic 'alert', listed,
acknowledged (audited, who and when) and cleared when the condition ends."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.testing.fake_channel import ManualTimers


def tick(centre: Any) -> None:
    """What the background job does once a second: publish the wallboard on topic 'stats'."""
    c = centre.container
    c.bus.publish("stats", {"type": "Stats", **c.views.wallboard()})


@pytest.fixture
def alerts_seen(centre: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    centre.container.bus.subscribe("alert", lambda _t, m: seen.append(dict(m)))
    return seen


def test_live_contacts_show_queue_agent_channel_and_time(centre: Any) -> None:
    centre.agent_login("a1")
    talking = centre.new_contact(channel="voice", caller_id="+15550001")
    centre.act("a1", talking["contact_id"], "accept")
    centre.advance(30)
    waiting = centre.new_contact(channel="chat", caller_id="web-1", text="hello")  # a1 takes no chats
    centre.advance(10)
    rows = {r["contact_id"]: r for r in centre.get("/api/supervisor/live-contacts", "sup")}
    t = rows[talking["contact_id"]]
    assert (t["channel"], t["state"], t["queue_id"], t["agent_id"], t["agent_name"]) == (
        "voice", "connected", "sales", "a1", "Ann")
    assert t["duration_s"] == 40.0 and t["waiting_s"] is None and t["caller_id"] == t["customer"] == "+15550001"
    w = rows[waiting["contact_id"]]
    assert w["channel"] == "chat" and w["queue_id"] == "sales" and w["duration_s"] == 10.0
    assert w["state"] == "queued" and w["waiting_s"] == 10.0 and w["agent_id"] is None
    centre.error("GET", "/api/supervisor/live-contacts", 403, user="ann")


def test_a_supervisor_joins_a_chat_the_customer_gets_it_and_it_is_audited(centre: Any) -> None:
    centre.container.conversations.later = ManualTimers(centre.clock)
    centre.put("/api/config/agents/a1", json={"queues": ["sales"], "capacity": {"limits": {"voice": 1, "chat": 2}}})
    centre.agent_login("a1")
    cid = centre.new_contact(channel="chat", caller_id="web-42", text="my bill is wrong")["contact_id"]
    centre.act("a1", cid, "accept")
    sent = centre.post(f"/api/supervisor/contacts/{cid}/messages", "sup", 201, json={"body": "Supervisor here."})
    assert sent["direction"] == "outbound" and sent["author"] == {"kind": "agent", "id": "supervisor:sup"}
    assert centre.container.conversations.later.run_due() == 1  # delivered by the chat channel
    thread = centre.get(f"/api/contacts/{cid}/messages", "ann")["messages"]
    assert [(m["body"], m["status"]) for m in thread] == [("my bill is wrong", None), ("Supervisor here.", "sent")]
    (entry,) = centre.get("/api/audit?action=conversation_joined")
    assert entry["actor"] == "sup" and entry["target"] == cid and entry["detail"]["message_id"] == sent["id"]
    # refused cleanly: an agent, an empty message, an unknown contact, a voice call
    centre.error("POST", f"/api/supervisor/contacts/{cid}/messages", 403, user="ann", json={"body": "x"})
    centre.error("POST", f"/api/supervisor/contacts/{cid}/messages", 422, user="sup", json={"body": "  "})
    centre.error("POST", "/api/supervisor/contacts/nope/messages", 404, user="sup", json={"body": "x"})
    voice = centre.new_contact(channel="voice", caller_id="+15550002")["contact_id"]
    centre.error("POST", f"/api/supervisor/contacts/{voice}/messages", 409, user="sup", json={"body": "x"})


def test_long_wait_raises_an_alert_that_is_acknowledged_then_clears(centre: Any,
                                                                    alerts_seen: list[dict[str, Any]]) -> None:
    centre.put("/api/config/queues/sales", json={"name": "Sales", "wrap_up_s": 30, "long_wait_s": 45})
    cid = centre.new_contact(channel="voice", caller_id="+15550003")["contact_id"]  # nobody logged in: it waits
    centre.advance(45)
    tick(centre)
    assert centre.get("/api/supervisor/alerts", "sup")["alerts"] == []  # 45 s is not above 45 s
    centre.advance(5)
    tick(centre)
    (alert,) = centre.get("/api/supervisor/alerts", "sup")["alerts"]
    assert (alert["kind"], alert["subject"], alert["value"], alert["threshold"]) == ("long_wait", "sales", 50.0, 45.0)
    assert alert["acknowledged"] is False and alert["raised_at"] == centre.clock.now()
    assert [m["type"] for m in alerts_seen] == ["AlertRaised"] and alerts_seen[0]["id"] == alert["id"]
    # acknowledged: who and when, audited, pushed; it stays acknowledged while the caller keeps waiting
    centre.advance(2)
    acked = centre.post(f"/api/supervisor/alerts/{alert['id']}/ack", "sup")
    assert acked["acknowledged"] and acked["acked_by"] == "sup" and acked["acked_at"] == centre.clock.now()
    (entry,) = centre.get("/api/audit?action=alert_acknowledged")
    assert entry["actor"] == "sup" and entry["target"] == alert["id"] and entry["detail"]["kind"] == "long_wait"
    centre.advance(1)
    tick(centre)
    (still,) = centre.get("/api/supervisor/alerts", "sup")["alerts"]
    assert still["id"] == alert["id"] and still["acked_by"] == "sup" and still["value"] == 53.0
    # the caller is answered: the alert clears; a second long wait is a new alert, not acknowledged
    centre.agent_login("a1")
    centre.act("a1", cid, "accept")
    tick(centre)
    assert centre.get("/api/supervisor/alerts", "sup")["alerts"] == []
    assert alerts_seen[-1]["type"] == "AlertCleared" and alerts_seen[-1]["id"] == alert["id"]
    centre.error("POST", f"/api/supervisor/alerts/{alert['id']}/ack", 404, user="sup")
    centre.new_contact(channel="voice", caller_id="+15550004")
    centre.advance(46)
    tick(centre)
    (again,) = centre.get("/api/supervisor/alerts", "sup")["alerts"]
    assert again["id"] != alert["id"] and not again["acknowledged"]
    centre.error("GET", "/api/supervisor/alerts", 403, user="ann")
    centre.error("POST", f"/api/supervisor/alerts/{again['id']}/ack", 403, user="ann")


def test_sl_breach_abandon_spike_and_out_of_adherence(centre: Any, alerts_seen: list[dict[str, Any]]) -> None:
    centre.put("/api/config/queues/sales", json={"name": "Sales", "wrap_up_s": 30, "sl_target": 0.9,
                                                 "long_wait_s": 3600})
    ids = [centre.new_contact(channel="voice", caller_id=f"+1555001{i}")["contact_id"] for i in range(4)]
    centre.advance(30)  # past the 20 s SL threshold and the 5 s short abandon
    for cid in ids:
        centre.post(f"/api/contacts/{cid}/hangup", "sup")  # the callers hang up
    tick(centre)
    kinds = {(a["kind"], a["subject"]) for a in centre.get("/api/supervisor/alerts", "sup")["alerts"]}
    assert kinds == {("sl_breach", "sales"), ("abandon_spike", "sales")}
    # out of adherence: the adherence monitor's alert becomes one of ours, and clears with it
    bus = centre.container.bus
    bus.publish("wfm", {"type": "AdherenceAlertRaised", "agent_id": "a2", "activity": "work", "state": "aux",
                        "reason": "personal", "team_id": "t1", "out_for_s": 400.0, "at": centre.clock.now()})
    tick(centre)
    adh = next(a for a in centre.get("/api/supervisor/alerts", "sup")["alerts"] if a["kind"] == "out_of_adherence")
    assert adh["subject"] == "a2" and adh["detail"]["activity"] == "work" and adh["detail"]["state"] == "aux"
    bus.publish("wfm", {"type": "AdherenceAlertCleared", "agent_id": "a2", "at": centre.clock.now()})
    tick(centre)
    assert "out_of_adherence" not in {a["kind"] for a in centre.get("/api/supervisor/alerts", "sup")["alerts"]}
    # the window moves on: 15 minutes later the abandons no longer count
    centre.advance(901)
    tick(centre)
    assert {a["kind"] for a in centre.get("/api/supervisor/alerts", "sup")["alerts"]} == {"sl_breach"}


def test_whisper_and_barge_are_refused_cleanly_without_voice_or_with_a_bad_mode(centre: Any) -> None:
    body = {"phone": "sup", "mode": "whisper"}
    assert "voice is not enabled" in centre.error("POST", "/api/supervisor/calls/c1/mode", 409, user="sup",
                                                  json=body)["detail"]
    centre.error("POST", "/api/supervisor/calls/c1/mode", 403, user="ann", json=body)
    centre.error("POST", "/api/supervisor/calls/c1/mode", 422, user="sup", json={"phone": "sup", "mode": "shout"})
    centre.error("POST", "/api/supervisor/calls/c1/mode", 422, user="sup", json={"mode": "barge"})

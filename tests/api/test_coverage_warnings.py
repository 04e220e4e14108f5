"""The "nobody can ever take it" warning: saving configuration answers with every queue/channel no configured
agent could take (GET /api/config/warnings lists them), and the wallboard names a waiting contact that no
logged-in agent could take, with the reason."""

from __future__ import annotations

from typing import Any

VOICE_ONLY = {"limits": {"voice": 1}}


def test_the_seeded_centre_has_no_warnings_and_the_readme_agent_takes_chats(centre: Any) -> None:
    assert centre.get("/api/config/warnings", "sup") == []
    saved = centre.put("/api/config/agents/a9", json={"name": "Ann", "skills": {"billing": 4}, "queues": ["billing"]})
    assert saved["document"]["capacity"]["limits"] == {"voice": 1, "chat": 3, "email": 2, "sms": 3, "social": 3}
    assert saved["warnings"] == []


def test_saving_voice_only_agents_flags_the_digital_channels_but_succeeds(centre: Any) -> None:
    for aid in ("a1", "a3"):  # support's only members
        saved = centre.put(f"/api/config/agents/{aid}", json={"queues": ["support"], "skills": {"tech": 3},
                                                              "capacity": VOICE_ONLY})
    assert saved["version"] >= 1 and saved["document"]["capacity"]["limits"] == {"voice": 1}
    flagged = {(w["queue_id"], w["channel"]): w["reason"] for w in saved["warnings"]}
    assert flagged[("support", "chat")] == "no configured agent of queue support has chat capacity"
    assert {ch for q, ch in flagged if q == "support"} == {"chat", "email", "sms", "social"}
    assert centre.get("/api/config/warnings", "sup") == saved["warnings"]
    centre.error("GET", "/api/config/warnings", 403, user="ann")
    # a queue whose skills nobody has is flagged on the queue's own save
    saved = centre.put("/api/config/queues/billing", json={"skills": {"billing": 5}})
    assert ("billing", "voice") in {(w["queue_id"], w["channel"]) for w in saved["warnings"]}


def test_the_wallboard_reports_a_chat_no_logged_in_agent_could_take(centre: Any) -> None:
    centre.put("/api/config/agents/a1", json={"queues": ["sales", "support"], "skills": {"tech": 3},
                                              "capacity": VOICE_ONLY})
    centre.agent_login("a1")
    out = centre.new_contact(channel="chat", caller_id="web-7", text="my router is broken")
    assert "offered_to" not in out or out["offered_to"] is None
    centre.advance(30)
    stranded = centre.get("/api/stats/live", "sup")["stranded"]
    assert [(s["contact_id"], s["channel"], s["reason"]) for s in stranded] == [
        (out["contact_id"], "chat", f"no logged-in agent of queue {out['queue_id']} has chat capacity")]
    assert stranded[0]["waiting_s"] == 30
    centre.agent_login("a3")  # a3 has the default capacity: it takes the chat
    assert centre.get("/api/stats/live", "sup")["stranded"] == []


def test_per_channel_service_level_thresholds_in_the_live_and_historical_service_level(centre: Any) -> None:
    """support answers chats within 30 s (its own chat threshold), email within the 1 h default."""
    centre.put("/api/config/queues/support", json={"name": "Support", "skills": {"tech": 1}, "wrap_up_s": None,
                                                   "sl_thresholds_s": {"chat": 30}})
    centre.agent_login("a1")
    centre.set_status("a1", "aux", "break")
    chat = centre.new_contact(channel="chat", caller_id="web-1", text="router broken")["contact_id"]
    mail = centre.new_contact(channel="email", caller_id="jane@example.com", text="router broken")["contact_id"]
    assert centre.contact(chat)["queue_id"] == centre.contact(mail)["queue_id"] == "support"
    centre.advance(45)  # over the chat's 30 s, well within email's hour
    centre.set_status("a1", "available")
    for cid in (chat, mail):
        centre.act("a1", cid, "accept")
    live = {q["id"]: q["today"] for q in centre.get("/api/stats/live", "sup")["queues"]}
    assert live["support"]["handled"] == 2 and live["support"]["service_level"] == 0.5
    t0 = centre.T0
    report = centre.get(f"/api/reports/queues?start={t0 - 3600}&end={t0 + 86400}&interval=day&queue_id=support"
                        "&by_channel=true", "sup")
    by_channel = {r["channel"]: r["service_level"] for r in report["rows"]}
    assert by_channel == {"chat": 0.0, "email": 1.0}
    centre.error("PUT", "/api/config/queues/support", 422, json={"sl_thresholds_s": {"chat": 0}})
    centre.error("PUT", "/api/config/queues/support", 422, json={"sl_thresholds_s": {"fax": 30}})

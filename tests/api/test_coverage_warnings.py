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

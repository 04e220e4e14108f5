"""The audit log over the API: what is recorded (users, roles, logins, configuration, forced states,
exports), with actor, time and client address; readable by admins only, filtered and paginated."""

from __future__ import annotations

from typing import Any

from blendcc.ports import AuditEvent


def test_audit_entries_are_written_and_readable_by_admins_only(centre: Any) -> None:
    t0 = centre.clock.now()
    seeded = len(centre.get("/api/audit?limit=1000"))  # the seed's own entries (configuration, users)
    centre.put("/api/users/eve.smith", json={"password": "a-good-password", "role": "supervisor"})
    centre.patch("/api/users/eve.smith", json={"role": "admin"})
    centre.patch("/api/users/eve.smith", json={"active": False})
    centre.delete("/api/users/eve.smith")
    r = centre.client.post("/api/auth/token", json={"username": "sup", "password": "wrong-password"})
    assert r.status_code == 401
    centre.clock.advance(60)
    centre.put("/api/config/queues/sales", json={"name": "Sales EN"})
    centre.delete("/api/config/workflows/main")
    centre.agent_login("a1")
    centre.post("/api/supervisor/agents/a1/state", "sup", json={"status": "aux", "reason": "coaching"})
    centre.put("/api/campaigns/renew", json={"name": "Renewals", "mode": "preview", "queue_id": "sales",
                                             "caller_id": "+14155550100"})
    centre.get("/api/campaigns/renew/records.csv", user="sup")
    centre.get(f"/api/reports/queues?start={t0}&end={t0 + 3600}", user="sup")

    events = centre.get("/api/audit?limit=1000")[:-seeded]  # newest first
    seen = [(e["actor"], e["action"], e["target"]) for e in reversed(events)]
    expected = [
        ("admin", "user_created", "eve.smith"), ("admin", "user_changed", "eve.smith"),
        ("admin", "role_changed", "eve.smith"), ("admin", "user_deactivated", "eve.smith"),
        ("admin", "user_deleted", "eve.smith"), ("sup", "login_failed", "sup"),
        ("admin", "config_changed", "queues/sales"), ("admin", "config_deleted", "workflows/main"),
        ("sup", "agent_state_forced", "a1"), ("admin", "config_changed", "campaigns/renew"),
        ("sup", "data_exported", "campaigns/renew/records.csv"), ("sup", "data_exported", "reports/queues"),
    ]
    assert [s for s in seen if s in expected] == expected
    forced = next(e for e in events if e["action"] == "agent_state_forced")
    assert forced["detail"] == {"status": "aux", "reason": "coaching"}
    assert forced["client"] == "testclient" and forced["at"] == t0 + 60
    assert any(e["action"] == "login_succeeded" and e["actor"] == "ann" for e in events)
    # filters and pages
    assert {e["actor"] for e in centre.get("/api/audit?actor=sup")} == {"sup"}
    changed = centre.get("/api/audit?action=config_changed&limit=2")
    assert [(e["actor"], e["target"]) for e in changed] == [("admin", "campaigns/renew"), ("admin", "queues/sales")]
    assert [e["action"] for e in centre.get("/api/audit?target=eve.smith&limit=2&offset=1")] == [
        "user_deactivated", "role_changed"]
    late = centre.get(f"/api/audit?since={t0 + 60}")
    assert late and all(e["at"] >= t0 + 60 for e in late)
    assert all(e["at"] < t0 + 60 for e in centre.get(f"/api/audit?until={t0 + 60}"))
    # admins only
    assert centre.error("GET", "/api/audit", 403, user="sup")["error"] == "forbidden"
    centre.error("GET", "/api/audit", 403, user="ann")
    centre.error("GET", "/api/audit", 401, user=None)
    centre.error("GET", "/api/audit?limit=0", 422)


def test_the_audit_event_is_a_frozen_record(centre: Any) -> None:
    event = centre.container.audit.record("admin", "data_exported", "x", rows=3, when=object())
    assert isinstance(event, AuditEvent) and event.detail["rows"] == 3 and isinstance(event.detail["when"], str)
    try:
        event.action = "other"
    except AttributeError:
        pass
    else:
        raise AssertionError("AuditEvent must be frozen")


def test_recording_and_voicemail_downloads_are_audited(centre: Any, tmp_path: Any) -> None:
    import wave

    from blendcc.bootstrap.voice import VoiceStack
    from blendcc.config import Settings

    settings = Settings(database_url="sqlite://", admin_password="x-admin-pw", secret_key="k", sip_enabled=True,
                        sip_port=0, recording_dir=str(tmp_path / "rec"))
    stack = VoiceStack(centre.container, settings)
    centre.container.voice = stack
    try:
        for folder, name in ((tmp_path / "rec", "c1.wav"), (tmp_path / "rec" / "voicemail" / "sales", "v1.wav")):
            folder.mkdir(parents=True, exist_ok=True)
            with wave.open(str(folder / name), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(8000)
                w.writeframes(bytes(1600))
        for url in ("/api/voice/recordings/c1.wav", "/api/voice/voicemail/sales/v1.wav"):
            assert centre.client.get(url, headers=centre.headers("sup")).status_code == 200
        centre.error("GET", "/api/voice/recordings/nope.wav", 404, user="sup")  # nothing fetched, nothing audited
    finally:
        centre.container.voice = None
        stack.close()
    got = [(e["actor"], e["action"], e["target"]) for e in centre.get("/api/audit?actor=sup")
           if e["action"].endswith("_downloaded")]
    assert got == [("sup", "voicemail_downloaded", "sales/v1.wav"), ("sup", "recording_downloaded", "c1.wav")]

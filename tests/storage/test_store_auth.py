"""Auth storage contracts (memory, SQLite, PostgreSQL): case-insensitive users, sessions, the audit log."""

from __future__ import annotations

import dataclasses

import pytest
from storage_backend import Backend

from blendcc.domain.errors import InvalidState
from blendcc.ports import AuditEvent, AuthSession, User


def test_users_are_found_case_insensitively_and_unique_by_key(backend: Backend) -> None:
    repo = backend.users()
    repo.put(User("Admin", "admin", None, "h1"))
    fullwidth = "\uff21\uff44\uff4d\uff49\uff4e"  # ADMIN in fullwidth letters
    assert repo.get("admin") == repo.get("ADMIN") == repo.get(fullwidth) == User("Admin", "admin", None, "h1")
    with pytest.raises(InvalidState):
        repo.put(User("ADMIN", "agent", "a1", "h2"))  # a lookalike of an existing user
    assert [u.username for u in repo.list()] == ["Admin"]
    # the new columns round-trip
    full = User("Admin", "admin", None, "h3", active=False, totp_secret="JBSWY3DPEHPK3PXP", totp_confirmed=True,
                totp_last_step=123)
    repo.put(full)
    assert repo.get("admin") == full
    assert repo.delete("ADMIN") is False  # delete takes the stored name
    assert repo.delete("Admin") is True
    assert repo.get("admin") is None and repo.list() == []


def test_sessions_rotate_compare_and_set_and_revoke(backend: Backend) -> None:
    repo = backend.sessions()
    s1 = AuthSession("s1", "ann", 100.0, 1000.0, "hash-a")
    repo.create(s1)
    repo.create(AuthSession("s2", "ann", 100.0, 1000.0, "hash-x"))
    repo.create(AuthSession("s3", "bob", 100.0, 150.0, "hash-y"))
    assert repo.get("s1") == s1 and repo.get("nope") is None
    assert repo.rotate("s1", "hash-a", "hash-b") is True
    assert repo.rotate("s1", "hash-a", "hash-c") is False  # the old hash no longer matches
    assert repo.get("s1") == dataclasses.replace(s1, refresh_hash="hash-b")
    assert repo.revoke("s1", 200.0) is True
    assert repo.revoke("s1", 300.0) is False
    assert repo.rotate("s1", "hash-b", "hash-d") is False  # a revoked session never rotates
    assert repo.get("s1") == dataclasses.replace(s1, refresh_hash="hash-b", revoked_at=200.0)
    assert repo.revoke_user("ann", 250.0) == 1  # s2 (s1 was already revoked)
    assert repo.get("s2").revoked_at == 250.0
    assert repo.get("s3").revoked_at is None
    assert repo.purge(before=220.0) == 2  # s1 (revoked at 200), s3 (expired at 150); s2 revoked at 250 stays
    assert repo.get("s1") is None and repo.get("s3") is None and repo.get("s2") is not None


def test_audit_log_filters_and_pages_newest_first(backend: Backend) -> None:
    log = backend.audit()
    events = [AuditEvent("admin", "user_created", "ann", {"role": "agent"}, 10.0, "10.0.0.1"),
              AuditEvent("admin", "config_changed", "queues/sales", {"version": 2}, 20.0, "10.0.0.1"),
              AuditEvent("sup", "agent_state_forced", "a1", {"status": "aux", "reason": None}, 30.0, None),
              AuditEvent("admin", "config_deleted", "queues/sales", {}, 40.0, "10.0.0.2")]
    for e in events:
        log.record(e)
    assert log.query() == events[::-1]
    assert log.query(actor="admin") == [events[3], events[1], events[0]]
    assert log.query(action="config_changed") == [events[1]]
    assert log.query(target="queues/sales") == [events[3], events[1]]
    assert log.query(since=20.0, until=40.0) == [events[2], events[1]]
    assert log.query(limit=2) == [events[3], events[2]]
    assert log.query(limit=2, offset=2) == [events[1], events[0]]
    assert log.query(actor="nobody") == []

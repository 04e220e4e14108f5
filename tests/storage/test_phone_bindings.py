"""Stored SIP registrations contract (memory, SQLite, PostgreSQL): save replaces, remove, expired ones dropped."""

from __future__ import annotations

from storage_backend import Backend

from blendcc.state_ports import PhoneBinding


def test_save_replace_remove_and_only_unexpired_are_active(backend: Backend) -> None:
    repo = backend.phone_bindings()
    assert repo.active(0.0) == []
    a1 = PhoneBinding("a1", "sip:a1@10.0.0.5:5070;transport=udp", "10.0.0.5", 5070, 1600.0)
    a2 = PhoneBinding("a2", "sip:a2@10.0.0.6:5062", "10.0.0.6", 5062, 1060.0)
    repo.save(a1)
    repo.save(a2)
    assert repo.active(1000.0) == [a1, a2]
    moved = PhoneBinding("a1", "sip:a1@10.0.0.9:5080", "10.0.0.9", 5080, 1700.0)  # re-registered elsewhere
    repo.save(moved)
    assert repo.active(1000.0) == [moved, a2]
    assert repo.active(1060.0) == [moved]  # a2 lapsed at 1060
    assert repo.active(1000.0) == [moved]  # the lapsed binding was dropped, not kept
    repo.remove("a1")
    repo.remove("nobody")
    assert repo.active(1000.0) == []

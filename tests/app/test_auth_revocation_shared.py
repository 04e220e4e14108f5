"""Verified tokens are trusted for ``VERIFIED_TTL_S`` (30 s, ADR 0060), so a revocation made on one node of a cluster
must reach the others at once: it is announced on the bus (topic "auth") and every other node forgets its cached
verifications and wakes its sockets; the announcing node does not hear itself twice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import MemoryUserRepository
from blendcc.app.admin.auth import AuthService
from blendcc.bootstrap.cluster import share_revocations
from blendcc.domain.errors import Unauthenticated

PASSWORD = "correct horse battery"


def _nodes(shared: bool) -> tuple[AuthService, AuthService, list[str], list[str]]:
    users, bus, clock = MemoryUserRepository(), MemoryBus(), FakeClock(1000.0)  # one database, one Redis
    a = AuthService(users, "s3cret-for-tests", 3600, clock=clock)
    b = AuthService(users, "s3cret-for-tests", 3600, clock=clock)
    woken_a: list[str] = []
    woken_b: list[str] = []
    a.on_revoked.append(woken_a.append)
    b.on_revoked.append(woken_b.append)
    if shared:
        share_revocations(SimpleNamespace(auth=a, bus=bus))  # type: ignore[arg-type]
        share_revocations(SimpleNamespace(auth=b, bus=bus))  # type: ignore[arg-type]
    a.set_user("alice", PASSWORD, "agent", "a1")
    return a, b, woken_a, woken_b


def test_a_password_change_on_one_node_refuses_the_token_on_the_other_at_once() -> None:
    a, b, woken_a, woken_b = _nodes(shared=True)
    token = a.login("alice", PASSWORD).access_token
    assert a.verify(token).username == "alice"  # cached on node a
    woken_a.clear()
    woken_b.clear()
    b.update_user("alice", password="another long passphrase")
    assert woken_b == ["alice"] and woken_a == ["alice"]  # each node's sockets told once
    with pytest.raises(Unauthenticated):
        a.verify(token)


def test_without_sharing_the_other_node_trusts_its_cache() -> None:
    a, b, _, _ = _nodes(shared=False)
    token = a.login("alice", PASSWORD).access_token
    a.verify(token)
    b.update_user("alice", password="another long passphrase")
    assert a.verify(token).username == "alice"  # what the announcement is for
    with pytest.raises(Unauthenticated):
        b.verify(token)

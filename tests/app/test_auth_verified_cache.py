"""A verified bearer token is trusted briefly without re-reading its user; any change through the service ends that."""

from __future__ import annotations

import pytest

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import MemoryUserRepository
from blendcc.app.admin import auth as auth_module
from blendcc.app.admin.auth import AuthService
from blendcc.domain.errors import Unauthenticated
from blendcc.ports import User


class CountingUsers(MemoryUserRepository):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, username: str) -> User | None:
        self.reads += 1
        return super().get(username)


@pytest.fixture
def service() -> tuple[AuthService, CountingUsers]:
    users = CountingUsers()
    svc = AuthService(users, "s3cret-for-tests", 3600, clock=FakeClock(1000.0))
    svc.set_user("alice", "correct horse battery", "agent", "a1")
    return svc, users


def test_a_verified_token_is_not_read_again_within_the_window(service: tuple[AuthService, CountingUsers]) -> None:
    svc, users = service
    token = svc.login("alice", "correct horse battery").access_token
    before = users.reads
    first = svc.verify(token)
    assert users.reads == before + 1
    assert svc.verify(token) == first
    assert users.reads == before + 1


def test_the_window_ends(service: tuple[AuthService, CountingUsers], monkeypatch: pytest.MonkeyPatch) -> None:
    svc, users = service
    token = svc.login("alice", "correct horse battery").access_token
    monkeypatch.setattr(auth_module, "VERIFIED_TTL_S", 0.0)
    svc.verify(token)
    before = users.reads
    svc.verify(token)
    assert users.reads == before + 1


def test_a_password_change_or_deactivation_refuses_the_cached_token_at_once(
        service: tuple[AuthService, CountingUsers]) -> None:
    svc, _ = service
    token = svc.login("alice", "correct horse battery").access_token
    svc.verify(token)
    svc.update_user("alice", password="another long passphrase")
    with pytest.raises(Unauthenticated):
        svc.verify(token)
    token = svc.login("alice", "another long passphrase").access_token
    svc.verify(token)
    svc.update_user("alice", active=False)
    with pytest.raises(Unauthenticated):
        svc.verify(token)


def test_a_revocation_clears_the_cache(service: tuple[AuthService, CountingUsers]) -> None:
    svc, users = service
    token = svc.login("alice", "correct horse battery").access_token
    svc.verify(token)
    svc.revoke_user("alice")  # what logout, refresh-family revocation and user changes end with
    before = users.reads
    svc.verify(token)  # no session store here: the token stays valid, but it is read again
    assert users.reads == before + 1
    svc.delete_user("alice")
    with pytest.raises(Unauthenticated):
        svc.verify(token)

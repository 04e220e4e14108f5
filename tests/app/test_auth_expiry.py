"""A temporary user's login stops at its ``expires_at``: sign-in, its access tokens and its refresh token."""

from __future__ import annotations

import time

import pytest

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.storage.memory.store import MemoryUserRepository
from blendcc.app.admin.auth import AuthService
from blendcc.domain.errors import Unauthenticated

PASSWORD = "correct horse battery"


class Sessions:
    """The smallest in-memory SessionRepository (create, get, rotate, revoke)."""

    def __init__(self) -> None:
        self.rows: dict[str, object] = {}

    def create(self, session: object) -> None:
        self.rows[session.id] = session  # type: ignore[attr-defined]

    def get(self, sid: str) -> object | None:
        return self.rows.get(sid)

    def rotate(self, sid: str, old: str, new: str) -> bool:
        import dataclasses

        s = self.rows.get(sid)
        if s is None or s.refresh_hash != old:  # type: ignore[attr-defined]
            return False
        self.rows[sid] = dataclasses.replace(s, refresh_hash=new)  # type: ignore[type-var]
        return True

    def revoke(self, sid: str, at: float) -> bool:
        import dataclasses

        s = self.rows.get(sid)
        if s is not None:
            self.rows[sid] = dataclasses.replace(s, revoked_at=at)  # type: ignore[type-var]
        return s is not None

    def revoke_user(self, username: str, at: float) -> int:
        return 0

    def purge(self, before: float) -> int:
        return 0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def svc(clock: FakeClock) -> AuthService:
    s = AuthService(MemoryUserRepository(), "s3cret-for-tests", 24 * 3600, clock=clock,
                    sessions=Sessions())  # type: ignore[arg-type]
    s.set_user("temp", PASSWORD, "agent", "a1", expires_at=1000.0 + 3600)
    s.set_user("perm", PASSWORD, "agent", "a2")
    return s


def test_sign_in_tokens_and_refresh_stop_at_the_expiry(svc: AuthService, clock: FakeClock) -> None:
    tokens = svc.login("temp", PASSWORD)
    assert svc.verify(tokens.access_token).username == "temp"
    clock.advance(3599)
    refreshed = svc.refresh(tokens.refresh_token)
    svc.forget_verified()
    assert svc.verify(refreshed.access_token).username == "temp"
    clock.advance(1)  # exactly at expires_at
    svc.forget_verified()
    with pytest.raises(Unauthenticated, match="expired"):
        svc.verify(refreshed.access_token)
    with pytest.raises(Unauthenticated, match="expired"):
        svc.refresh(refreshed.refresh_token)
    with pytest.raises(Unauthenticated, match="expired"):
        svc.login("temp", PASSWORD)
    with pytest.raises(Unauthenticated):
        svc.login_external("temp", method="oidc")
    assert svc.login("perm", PASSWORD).principal.username == "perm"  # others are untouched


def test_a_wrong_password_says_nothing_about_the_expiry(svc: AuthService, clock: FakeClock) -> None:
    clock.advance(7200)
    with pytest.raises(Unauthenticated) as exc:
        svc.login("temp", "not the password")
    assert "expired" not in exc.value.message


def test_a_cached_verification_never_outlives_the_expiry(svc: AuthService, clock: FakeClock) -> None:
    token = svc.login("temp", PASSWORD).access_token
    clock.advance(3600 - 0.5)  # half a second of login left: the cache may trust the token that long only
    svc.forget_verified()
    svc.verify(token)
    until, _ = svc._verified[token]
    assert until <= time.monotonic() + 0.5


def test_replacing_the_password_keeps_the_expiry_unless_given(svc: AuthService) -> None:
    assert svc.set_user("temp", PASSWORD + "!", "agent", "a1").expires_at == 1000.0 + 3600
    assert svc.set_user("temp", PASSWORD, "agent", "a1", expires_at=None).expires_at is None

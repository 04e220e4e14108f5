"""Users, roles, login sessions and signed bearer tokens (agent, supervisor, admin); throttled logins."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blendcc.app.admin import totp
from blendcc.app.admin.audit import Auditor
from blendcc.app.admin.passwords import check_password
from blendcc.domain.errors import DomainError, Forbidden, InvalidState, NotFound, Unauthenticated, ValidationFailed
from blendcc.domain.throttle import Throttle, ThrottlePolicy
from blendcc.domain.usernames import USERNAME_MAX, normalise, username_key, validate_new
from blendcc.ports import AuthSession, Clock, SessionRepository, User, UserRepository

log = logging.getLogger(__name__)

ROLES = ("agent", "supervisor", "admin")
_RANK = {"agent": 0, "supervisor": 1, "admin": 2}
#: Failed logins: a user gets 5 free tries, an address 20 (a whole centre may share one NAT address).
LOGIN_POLICIES = {"login-user": ThrottlePolicy(free_failures=5),
                  "login-addr": ThrottlePolicy(free_failures=20)}
_WRONG = "wrong username or password"
#: A verified token is trusted this long (seconds) without reading its user and session again: every
#: REST call and every open socket's periodic re-check verifies its bearer token, and 1,000 agents made
#: those reads a tenth of the server's work (ADR 0060). Any change made through this service (logout,
#: revocation, user change) clears the cache at once, on every node of a cluster too (``announce``: bus
#: topic "auth"); a change written by another process that does not announce it (``blendcc user``) is seen
#: within this time. Never past the token's own expiry nor a temporary user's.
VERIFIED_TTL_S = 30.0
_UNSET: Any = object()


class TotpRequired(DomainError):
    """The password was right but the user has a second factor: send ``totp`` too."""

    code = "totp_required"


class RateLimited(DomainError):
    """Too many failures: try again after ``retry_after_s`` seconds (HTTP 429 with Retry-After)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: str
    agent_id: str | None
    session_id: str | None = None

    def at_least(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: str) -> None:
        if not self.at_least(role):
            raise Forbidden(f"this action needs the {role} role; you are {self.role}")


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a login or a refresh hands out."""

    access_token: str
    refresh_token: str
    expires_in: int
    principal: Principal


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1, dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class AuthService:
    """Users and their sessions. ``on_revoked`` handlers are called with a username whenever tokens of that
    user may have stopped being valid (password, role or agent change, deactivation, deletion, logout,
    refresh-family revocation); the WebSocket hub closes that user's sockets."""

    def __init__(self, users: UserRepository, secret: str, ttl_s: int, *, clock: Clock,
                 sessions: SessionRepository | None = None, audit: Auditor | None = None,
                 throttle: Throttle | None = None, refresh_ttl_s: int = 12 * 3600,
                 password_min_length: int = 8, totp_issuer: str = "blendcc") -> None:
        self.users = users
        self.ttl_s = ttl_s
        self.clock = clock
        self.sessions = sessions
        self.audit = audit
        self.throttle = throttle or Throttle(clock, LOGIN_POLICIES)
        self.refresh_ttl_s = refresh_ttl_s
        self.password_min_length = password_min_length
        self.totp_issuer = totp_issuer
        #: called with a username after that user's tokens may have stopped verifying (open sockets close)
        self.on_revoked: list[Callable[[str], None]] = []
        #: tells the other nodes of a cluster about a revocation made here (bootstrap: bus topic "auth"); they
        #: call ``revoked_elsewhere``
        self.announce: Callable[[str], None] | None = None
        self._signer = URLSafeTimedSerializer(secret, salt="blendcc-token")
        # an unknown user's login costs the same scrypt work as a wrong password
        self._dummy_hash = hash_password("blendcc-no-such-user")
        #: token -> (monotonic time it stops being trusted, its principal); see ``VERIFIED_TTL_S``
        self._verified: dict[str, tuple[float, Principal]] = {}
        self._verified_lock = threading.Lock()

    # ------------------------------------------------------------------ users

    def set_user(self, username: str, password: str, role: str, agent_id: str | None, *,
                 actor: str | None = None, enforce_policy: bool = True, expires_at: Any = _UNSET,
                 email: Any = _UNSET, phone: Any = _UNSET) -> User:
        """Create or replace a user. A name that differs from an existing one only by case or Unicode
        compatibility form ('ADMIN' beside 'admin') is refused as a duplicate (409)."""
        current = self.users.get(username)
        if current is None:
            name = validate_new(username)
        elif current.username != normalise(username):
            raise InvalidState(f"user {current.username!r} already exists (user names ignore case)")
        else:
            name = current.username
        self._check_role(name, role, agent_id, current)
        if enforce_policy:
            check_password(password, name, self.password_min_length)
        base = current or User(name, role, agent_id, "")
        until = base.expires_at if expires_at is _UNSET else expires_at  # kept unless given
        user = dataclasses.replace(base, role=role, agent_id=agent_id, password_hash=hash_password(password),
                                   expires_at=until, email=base.email if email is _UNSET else email,
                                   phone=base.phone if phone is _UNSET else phone)
        self.users.put(user)
        if current is None:
            extra = {} if until is None else {"expires_at": until}
            self._audit(actor, "user_created", name, role=role, agent_id=agent_id, **extra)
        else:
            self._audit(actor, "user_changed", name, password=True, role=role, agent_id=agent_id)
            if current.role != role:
                self._audit(actor, "role_changed", name, old=current.role, new=role)
            self.revoke_user(name)
        return user

    def update_user(self, username: str, *, actor: str | None = None, password: str | None = None,
                    role: str | None = None, agent_id: Any = _UNSET, active: bool | None = None,
                    email: Any = _UNSET, phone: Any = _UNSET) -> User:
        """Change some of a user's password, role, agent, active flag, email and phone (deactivating revokes at
        once; the email and phone are only addresses, they revoke nothing)."""
        current = self._existing(username)
        new_role = current.role if role is None else role
        new_agent = current.agent_id if agent_id is _UNSET else agent_id
        new_active = current.active if active is None else active
        self._check_role(current.username, new_role, new_agent, current, active=new_active)
        user = dataclasses.replace(current, role=new_role, agent_id=new_agent, active=new_active,
                                   email=current.email if email is _UNSET else email,
                                   phone=current.phone if phone is _UNSET else phone)
        if password is not None:
            check_password(password, current.username, self.password_min_length)
            user = dataclasses.replace(user, password_hash=hash_password(password))
        self.users.put(user)
        changed = {k: v for k, v in (("password", password is not None), ("role", new_role),
                                     ("agent_id", new_agent)) if v != getattr(current, k, False)}
        addresses = {k: True for k in ("email", "phone") if getattr(user, k) != getattr(current, k)}
        if changed or addresses:
            self._audit(actor, "user_changed", user.username, **changed, **addresses)
        if new_role != current.role:
            self._audit(actor, "role_changed", user.username, old=current.role, new=new_role)
        if new_active != current.active:
            self._audit(actor, "user_reactivated" if new_active else "user_deactivated", user.username)
        if changed or not new_active:
            self.revoke_user(user.username)
        return user

    def delete_user(self, username: str, *, actor: str | None = None) -> None:
        current = self._existing(username)
        if current.role == "admin" and current.active and self._active_admins() == [current.username]:
            raise ValidationFailed(f"{current.username} is the last admin; make another admin first")
        self.users.delete(current.username)
        self._audit(actor, "user_deleted", current.username, role=current.role)
        self.revoke_user(current.username)

    def _existing(self, username: str) -> User:
        user = self.users.get(username)
        if user is None:
            raise NotFound(f"user {username!r} not found")
        return user

    def _active_admins(self) -> list[str]:
        return [u.username for u in self.users.list() if u.role == "admin" and u.active]

    def _check_role(self, name: str, role: str, agent_id: str | None, current: User | None,
                    active: bool = True) -> None:
        if role not in ROLES:
            raise ValidationFailed(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if role == "agent" and not agent_id:
            raise ValidationFailed("an agent user needs agent_id")
        demoted = current is not None and current.role == "admin" and current.active \
            and (role != "admin" or not active)
        if demoted and current is not None and self._active_admins() == [current.username]:
            raise ValidationFailed(f"{name} is the last admin; make another admin first")

    def revoke_user(self, username: str) -> None:
        """End every session of ``username`` now and tell the on_revoked handlers."""
        if self.sessions is not None:
            self.sessions.revoke_user(username, self.clock.now())
        self._revoked(username)

    def _revoked(self, username: str) -> None:
        self.revoked_elsewhere(username)
        if self.announce is not None:
            try:
                self.announce(username)
            except Exception:
                log.exception("announcing the revocation of %s failed", username)

    def revoked_elsewhere(self, username: str) -> None:
        """``username``'s tokens may have stopped verifying (here, or on another node that announced it): forget
        every cached verification and tell the ``on_revoked`` handlers (this node's sockets re-check)."""
        self.forget_verified()
        for fn in list(self.on_revoked):
            try:
                fn(username)
            except Exception:
                log.exception("on_revoked handler failed for %s", username)

    def _audit(self, actor: str | None, action: str, target: str | None, **detail: Any) -> None:
        if self.audit is not None:
            self.audit.record(actor, action, target, **detail)

    # ------------------------------------------------------------------ login, tokens, sessions

    def login(self, username: str, password: str, *, client: str | None = None,
              totp_code: str | None = None) -> Tokens:
        """Check the password (and the TOTP code when the user has one); throttled per user and address.

        Every failure answers the same message after the same scrypt work, whether the user is unknown,
        inactive or the password is wrong."""
        keys = [("login-user", username_key(username)[: USERNAME_MAX * 4])]
        if client:
            keys.append(("login-addr", client))
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            raise RateLimited(f"too many failed logins; try again in {int(wait + 0.999)} s", wait)
        user = self.users.get(username) if len(username) <= USERNAME_MAX else None
        ok = verify_password(password, user.password_hash if user is not None else self._dummy_hash)
        if user is None or not ok or not user.active:
            self._login_failed(keys, username, "password")
            raise Unauthenticated(_WRONG)
        if self.expired(user):
            self._audit(user.username, "login_failed", user.username, reason="expired")
            raise Unauthenticated("this temporary login has expired")
        if user.totp_confirmed and user.totp_secret:
            step = totp.matching_step(user.totp_secret, totp_code or "", self.clock.now(), user.totp_last_step)
            if step is None:
                self._login_failed(keys, user.username, "totp")
                if not totp_code:
                    raise TotpRequired("this user has a second factor: send the current code as 'totp'")
                raise Unauthenticated("wrong or reused one-time code")
            self.users.put(dataclasses.replace(user, totp_last_step=step))
        self.throttle.succeeded(keys[:1])
        self._audit(user.username, "login_succeeded", user.username)
        return self._new_session(user)

    def login_external(self, username: str, *, method: str, subject: str | None = None) -> Tokens:
        """A login vouched for by an identity provider (single sign-on): an existing, active user only."""
        user = self.users.get(username) if len(username) <= USERNAME_MAX else None
        name = username[:USERNAME_MAX]
        if user is None or not user.active or self.expired(user):
            self._audit(name, "login_failed", name, reason=method, subject=subject)
            raise Unauthenticated(f"no active blendcc user {name!r} for this identity")
        self._audit(user.username, "login_succeeded", user.username, method=method, subject=subject)
        return self._new_session(user)

    def _login_failed(self, keys: list[tuple[str, str]], username: str, reason: str) -> None:
        blocked = self.throttle.failed(keys)
        name = username[:USERNAME_MAX]
        self._audit(name, "login_failed", name, reason=reason)
        if blocked > 0:
            self._audit(name, "login_locked_out", name, retry_after_s=blocked)

    def _new_session(self, user: User) -> Tokens:
        now = self.clock.now()
        sid, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        if self.sessions is not None:
            self.sessions.purge(now - self.refresh_ttl_s)
            self.sessions.create(AuthSession(sid, user.username, now, now + self.refresh_ttl_s, _sha256(secret)))
        return self._tokens(user, sid, secret)

    def _tokens(self, user: User, sid: str, secret: str) -> Tokens:
        access = self._signer.dumps({"u": user.username, "h": _fingerprint(user), "s": sid})
        return Tokens(access, f"{sid}.{secret}", self.ttl_s, Principal(user.username, user.role, user.agent_id, sid))

    def refresh(self, refresh_token: str) -> Tokens:
        """Rotate a refresh token: the old one stops working; presenting a rotated one again revokes the
        whole session (someone else has a copy)."""
        sid, _, secret = refresh_token.partition(".")
        session = self.sessions.get(sid) if self.sessions is not None and sid and secret else None
        if session is None or self.sessions is None:
            raise Unauthenticated("invalid refresh token")
        if session.revoked_at is not None:
            raise Unauthenticated("this session has ended; log in again")
        if session.expires_at <= self.clock.now():
            raise Unauthenticated("this session has expired; log in again")
        user = self.users.get(session.username)
        new_secret = secrets.token_urlsafe(32)
        if not hmac.compare_digest(_sha256(secret), session.refresh_hash) \
                or not self.sessions.rotate(sid, session.refresh_hash, _sha256(new_secret)):
            self.sessions.revoke(sid, self.clock.now())
            self._audit(session.username, "refresh_token_reused", session.username, session=sid[:6])
            self._revoked(session.username)
            raise Unauthenticated("this refresh token was already used; the session is revoked, log in again")
        if user is None or not user.active or self.expired(user):
            self.sessions.revoke(sid, self.clock.now())
            raise Unauthenticated("user no longer exists, is inactive or its temporary login has expired")
        return self._tokens(user, sid, new_secret)

    def logout(self, principal: Principal) -> None:
        """End the session of the presented token (its access and refresh tokens stop working at once)."""
        if self.sessions is not None and principal.session_id is not None:
            self.sessions.revoke(principal.session_id, self.clock.now())
        self._audit(principal.username, "logged_out", principal.username)
        self._revoked(principal.username)

    def forget_verified(self) -> None:
        """Drop every cached verification (the next request of every token reads its user and session)."""
        with self._verified_lock:
            self._verified.clear()

    def verify(self, token: str) -> Principal:
        now = time.monotonic()
        with self._verified_lock:
            cached = self._verified.get(token)
        if cached is not None and now < cached[0]:
            return cached[1]
        principal, signed_at, expires_at = self._verify(token)
        # trusted for VERIFIED_TTL_S, never past the token's own expiry nor a temporary user's
        until = min(now + VERIFIED_TTL_S, now + signed_at + self.ttl_s - time.time())
        if expires_at is not None:
            until = min(until, now + expires_at - self.clock.now())
        with self._verified_lock:
            if len(self._verified) > 10_000:
                self._verified = {k: v for k, v in self._verified.items() if v[0] > now}
            self._verified[token] = (until, principal)
        return principal

    def expired(self, user: User) -> bool:
        """A temporary user whose login time is over (its ``expires_at`` has passed)."""
        return user.expires_at is not None and self.clock.now() >= user.expires_at

    def _verify(self, token: str) -> tuple[Principal, float, float | None]:
        try:
            data, signed = self._signer.loads(token, max_age=self.ttl_s, return_timestamp=True)
        except SignatureExpired:
            raise Unauthenticated("token expired; log in again") from None
        except BadSignature:
            raise Unauthenticated("invalid token") from None
        if not isinstance(data, dict):
            raise Unauthenticated("invalid token")
        user = self.users.get(str(data.get("u")))
        if user is None or user.username != data.get("u"):
            raise Unauthenticated("user no longer exists")
        if not user.active:
            raise Unauthenticated("this user is deactivated")
        if self.expired(user):
            raise Unauthenticated("this temporary login has expired")
        if data.get("h") != _fingerprint(user):
            raise Unauthenticated("password or role changed since this token was issued; log in again")
        sid = data.get("s")
        if self.sessions is not None:
            session = self.sessions.get(str(sid)) if sid else None
            if session is None or session.revoked_at is not None or session.username != user.username:
                raise Unauthenticated("this session has ended; log in again")
        principal = Principal(user.username, user.role, user.agent_id, str(sid) if sid else None)
        return principal, signed.timestamp(), user.expires_at

    # ------------------------------------------------------------------ second factor (supervisors, admins)

    def totp_enrol(self, principal: Principal) -> tuple[str, str]:
        """A new secret (not in force until confirmed with a code): (secret, otpauth URI)."""
        principal.require("supervisor")
        user = self._existing(principal.username)
        if user.totp_confirmed:
            raise InvalidState("a second factor is already enabled; disable it first")
        secret = totp.new_secret()
        self.users.put(dataclasses.replace(user, totp_secret=secret, totp_confirmed=False, totp_last_step=0))
        self._audit(user.username, "totp_enrolled", user.username)
        return secret, totp.provisioning_uri(secret, user.username, self.totp_issuer)

    def totp_confirm(self, principal: Principal, code: str) -> None:
        principal.require("supervisor")
        user = self._existing(principal.username)
        if not user.totp_secret or user.totp_confirmed:
            raise InvalidState("nothing to confirm: enrol first (POST /api/auth/totp)")
        step = self._code_step(user, user.totp_secret, code)
        self.users.put(dataclasses.replace(user, totp_confirmed=True, totp_last_step=step))
        self._audit(user.username, "totp_enabled", user.username)

    def totp_disable(self, username: str, *, actor: Principal, code: str | None = None) -> None:
        """A user turns off its own second factor with a current code; an admin may turn off anyone's."""
        user = self._existing(username)
        if actor.username != user.username:
            actor.require("admin")
        elif user.totp_confirmed and user.totp_secret:
            self._code_step(user, user.totp_secret, code or "")
        self.users.put(dataclasses.replace(user, totp_secret=None, totp_confirmed=False))
        self._audit(actor.username, "totp_disabled", user.username)

    def _code_step(self, user: User, secret: str, code: str) -> int:
        """The time step of a correct code; wrong codes count as failed logins of the user (throttled)."""
        key = [("login-user", username_key(user.username))]
        wait = self.throttle.retry_after(key)
        if wait > 0:
            raise RateLimited(f"too many wrong codes; try again in {int(wait + 0.999)} s", wait)
        step = totp.matching_step(secret, code, self.clock.now(), user.totp_last_step)
        if step is None:
            self.throttle.failed(key)
            raise ValidationFailed("wrong one-time code")
        return step


def _fingerprint(user: User) -> str:
    """Ties a token to the password, role and agent it was issued under: changing any revokes it."""
    return hashlib.sha256(f"{user.password_hash}|{user.role}|{user.agent_id}".encode()).hexdigest()[:16]

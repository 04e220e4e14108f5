"""Users, roles and signed bearer tokens (agent, supervisor, admin)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blendcc.domain.errors import DomainError, Forbidden, ValidationFailed
from blendcc.ports import User, UserRepository

ROLES = ("agent", "supervisor", "admin")
_RANK = {"agent": 0, "supervisor": 1, "admin": 2}


class Unauthenticated(DomainError):
    code = "unauthenticated"


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: str
    agent_id: str | None

    def at_least(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: str) -> None:
        if not self.at_least(role):
            raise Forbidden(f"this action needs the {role} role; you are {self.role}")


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


class AuthService:
    def __init__(self, users: UserRepository, secret: str, ttl_s: int):
        self.users = users
        self.ttl_s = ttl_s
        self._signer = URLSafeTimedSerializer(secret, salt="blendcc-token")
        #: called with a username after that user's tokens may have stopped verifying (open sockets close)
        self.on_revoked: list[Callable[[str], None]] = []

    def set_user(self, username: str, password: str, role: str, agent_id: str | None) -> User:
        if role not in ROLES:
            raise ValidationFailed(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if role == "agent" and not agent_id:
            raise ValidationFailed("an agent user needs agent_id")
        if len(password) < 4:
            raise ValidationFailed("password must have at least 4 characters")
        current = self.users.get(username)
        if current is not None and current.role == "admin" and role != "admin":
            admins = [u for u in self.users.list() if u.role == "admin"]
            if len(admins) == 1:
                raise ValidationFailed(f"{username} is the last admin; make another admin first")
        user = User(username=username, role=role, agent_id=agent_id, password_hash=hash_password(password))
        self.users.put(user)
        if current is not None:  # a new password hash (and maybe role or agent) revokes the old tokens
            self._revoked(username)
        return user

    def _revoked(self, username: str) -> None:
        for callback in list(self.on_revoked):
            callback(username)

    def login(self, username: str, password: str) -> tuple[str, Principal]:
        user = self.users.get(username)
        if user is None or not verify_password(password, user.password_hash):
            raise Unauthenticated("wrong username or password")
        principal = Principal(user.username, user.role, user.agent_id)
        token = self._signer.dumps({"u": user.username, "h": _fingerprint(user)})
        return token, principal

    def verify(self, token: str) -> Principal:
        try:
            data = self._signer.loads(token, max_age=self.ttl_s)
        except SignatureExpired:
            raise Unauthenticated("token expired; log in again") from None
        except BadSignature:
            raise Unauthenticated("invalid token") from None
        user = self.users.get(str(data.get("u")))
        if user is None:
            raise Unauthenticated("user no longer exists")
        if data.get("h") != _fingerprint(user):
            raise Unauthenticated("password or role changed since this token was issued; log in again")
        return Principal(user.username, user.role, user.agent_id)


def _fingerprint(user: User) -> str:
    """Ties a token to the password and role it was issued under: changing either revokes it."""
    return hashlib.sha256(f"{user.password_hash}|{user.role}|{user.agent_id}".encode()).hexdigest()[:16]

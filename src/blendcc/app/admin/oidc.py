"""Single sign-on: starts OpenID Connect logins (state, nonce, PKCE) and turns verified identities into sessions."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass

from blendcc.app.admin.auth import AuthService, Tokens
from blendcc.domain.errors import Unauthenticated
from blendcc.ports import Clock, IdentityProvider

#: A sign-in must come back from the provider within this long.
PENDING_TTL_S = 600.0
MAX_PENDING = 10_000


@dataclass(frozen=True, slots=True)
class _Pending:
    nonce: str
    verifier: str
    started_at: float


class OidcLogin:
    """Matches the provider's ``username_claim`` (default ``preferred_username``) to an existing, active
    blendcc user, case-insensitively; the role stays the local user's. No user is created on the fly."""

    def __init__(self, provider: IdentityProvider, auth: AuthService, clock: Clock,
                 username_claim: str = "preferred_username") -> None:
        self.provider = provider
        self.auth = auth
        self.clock = clock
        self.username_claim = username_claim
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        """A new sign-in: the provider URL to send the browser to."""
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        now = self.clock.now()
        with self._lock:
            for key in [k for k, p in self._pending.items() if now - p.started_at > PENDING_TTL_S]:
                del self._pending[key]
            while len(self._pending) >= MAX_PENDING:
                del self._pending[next(iter(self._pending))]
            self._pending[state] = _Pending(nonce, verifier, now)
        return self.provider.authorization_url(state, nonce, challenge)

    def finish(self, code: str, state: str) -> Tokens:
        """The provider sent the browser back: redeem the code (once per state) and open a session."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or self.clock.now() - pending.started_at > PENDING_TTL_S:
            raise Unauthenticated("unknown or expired sign-in; start again")
        claims = self.provider.exchange(code, pending.verifier, pending.nonce)
        username = claims.get(self.username_claim)
        if not isinstance(username, str) or not username:
            raise Unauthenticated(f"the identity has no {self.username_claim!r} claim")
        return self.auth.login_external(username, method="oidc", subject=str(claims.get("sub")))

"""The SIP registrar (RFC 3261 section 10): agent phones' bindings with digest authentication and throttling."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from blendcc.adapters.channels.sip.digest import DigestAuthenticator, parse_auth
from blendcc.adapters.channels.sip.message import SipMessage, param, response, uri_of, uri_user
from blendcc.domain.throttle import SIP_POLICIES, Throttle, retry_after_header
from blendcc.state_ports import PhoneBinding, PhoneBindings

log = logging.getLogger(__name__)
Addr = tuple[str, int]
MAX_EXPIRES = 3600


@dataclass
class Binding:
    user: str
    contact: str
    addr: Addr
    expires_at: float


class _CallClock:
    def __init__(self, fn: Callable[[], float]) -> None:
        self.now = fn


class Registrar:
    """Agent phones' registrations (RFC 3261 section 10) with digest authentication.

    Wrong digests are throttled per claimed user and per source address (app.throttle, shared with API
    logins): while blocked, REGISTER gets 503 Service Unavailable with Retry-After (RFC 3261 21.5.4; SIP's
    429 means "Provide Referrer Identity", not "too many requests").

    With ``store`` (``ports.PhoneBindings``) every binding and removal is written through, and the unexpired
    bindings are loaded at construction: after a restart a registered phone is rung until its expiry. A store
    that fails is logged; the binding still holds in memory (the phone re-registers on its interval)."""

    def __init__(self, realm: str, passwords: dict[str, str], clock: Callable[[], float] = time.time,
                 throttle: Throttle | None = None, store: PhoneBindings | None = None):
        self.auth = DigestAuthenticator(realm)
        self.passwords = passwords
        self.clock = clock
        self.throttle = throttle or Throttle(_CallClock(clock), SIP_POLICIES)
        self.bindings: dict[str, Binding] = {}
        self.on_change: list[Callable[[str, Binding | None], None]] = []
        self.store = store
        if store is not None:
            for b in store.active(clock()):
                if b.user in passwords:  # a user removed from the configuration is not rung any more
                    self.bindings[b.user] = Binding(b.user, b.contact, (b.host, b.port), b.expires_at)

    def lookup(self, user: str) -> Binding | None:
        b = self.bindings.get(user)
        if b is not None and b.expires_at <= self.clock():
            del self.bindings[user]
            return None
        return b

    def handle(self, req: SipMessage, addr: Addr) -> SipMessage:
        header = req.get("Authorization")
        claimed = parse_auth(header).get("username") if header else None
        keys = [("sip-addr", addr[0])] + ([("sip-user", claimed[:100])] if claimed else [])
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            return response(req, 503, "Too Many Failed Authentications", to_tag="reg",
                            extra=[("Retry-After", retry_after_header(wait))])
        user, stale = self.auth.verify(header, "REGISTER", self.passwords)
        if user is None:
            if header and not stale:
                self.throttle.failed(keys)
            return response(req, 401, to_tag="reg", extra=[("WWW-Authenticate", self.auth.challenge(stale))])
        self.throttle.succeeded([("sip-user", user)])
        aor_user = uri_user(uri_of(req.get("To") or ""))
        if aor_user != user:
            return response(req, 403, "Authenticated user does not own this address", to_tag="reg")
        contacts = req.get_all("Contact")
        header_expires = req.get("Expires")
        default = int(header_expires) if header_expires and header_expires.isdigit() else MAX_EXPIRES
        if not contacts:  # a query: answer with the current binding
            b = self.lookup(user)
            extra = [("Contact", f"<{b.contact}>;expires={int(b.expires_at - self.clock())}")] if b else []
            return response(req, 200, to_tag="reg", extra=extra)
        value = contacts[0]
        p = param(value, "expires")
        expires = min(int(p) if p and p.isdigit() else default, MAX_EXPIRES)
        if value.strip() == "*" or expires == 0:
            if self.bindings.pop(user, None) is not None:
                self._changed(user, None)
            return response(req, 200, to_tag="reg")
        binding = Binding(user, uri_of(value), addr, self.clock() + expires)
        self.bindings[user] = binding
        self._changed(user, binding)
        return response(req, 200, to_tag="reg", extra=[("Contact", f"<{binding.contact}>;expires={expires}"),
                                                       ("Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                                              time.gmtime()))])

    def _changed(self, user: str, binding: Binding | None) -> None:
        if self.store is not None:
            try:
                if binding is None:
                    self.store.remove(user)
                else:
                    self.store.save(PhoneBinding(user, binding.contact, binding.addr[0], binding.addr[1],
                                                 binding.expires_at))
            except Exception:
                log.exception("could not store the registration of %s", user)
        for fn in self.on_change:
            try:
                fn(user, binding)
            except Exception:
                log.exception("registration handler failed")

"""HTTP digest authentication for SIP (RFC 2617 / RFC 7616 with MD5): challenges, verification, answers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*("([^"\\]|\\.)*"|[^,\s]+)')


def _md5(s: str) -> str:
    return hashlib.md5(s.encode(), usedforsecurity=False).hexdigest()


def parse_auth(value: str) -> dict[str, str]:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return {}
    out = {}
    for m in _PARAM.finditer(rest):
        v = m.group(2)
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out[m.group(1).lower()] = v
    return out


def response_hash(username: str, realm: str, password: str, method: str, uri: str, nonce: str,
                  qop: str | None = None, nc: str | None = None, cnonce: str | None = None) -> str:
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    if qop in ("auth", "auth-int"):
        return _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _md5(f"{ha1}:{nonce}:{ha2}")


def authorization(challenge: str, username: str, password: str, method: str, uri: str) -> str:
    """The Authorization header value answering a WWW-Authenticate challenge (what a phone sends)."""
    c = parse_auth(challenge)
    qop = "auth" if "auth" in c.get("qop", "").split(",") else None
    cnonce, nc = secrets.token_hex(8), "00000001"
    resp = response_hash(username, c["realm"], password, method, uri, c["nonce"], qop, nc, cnonce)
    parts = [f'username="{username}"', f'realm="{c["realm"]}"', f'nonce="{c["nonce"]}"', f'uri="{uri}"',
             f'response="{resp}"', "algorithm=MD5"]
    if qop:
        parts += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
    if "opaque" in c:
        parts.append(f'opaque="{c["opaque"]}"')
    return "Digest " + ", ".join(parts)


class DigestAuthenticator:
    """Issues stateless nonces (time + HMAC) and checks digest answers against a password lookup."""

    def __init__(self, realm: str, secret: bytes | None = None, nonce_ttl_s: float = 300.0):
        self.realm = realm
        self.secret = secret or secrets.token_bytes(16)
        self.ttl = nonce_ttl_s

    def _nonce(self, ts: int) -> str:
        mac = hmac.new(self.secret, str(ts).encode(), hashlib.sha256).hexdigest()[:16]
        return f"{ts:x}{mac}"

    def challenge(self, stale: bool = False) -> str:
        nonce = self._nonce(int(time.time()))
        s = f'Digest realm="{self.realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'
        return s + (", stale=true" if stale else "")

    def verify(self, header: str | None, method: str, password_of: dict[str, str]) -> tuple[str | None, bool]:
        """(authenticated username or None, stale nonce?) for an Authorization header value."""
        if not header:
            return None, False
        p = parse_auth(header)
        user, nonce, uri, resp = p.get("username"), p.get("nonce", ""), p.get("uri"), p.get("response")
        if not user or not uri or not resp or p.get("realm") != self.realm or len(nonce) <= 16:
            return None, False
        try:
            ts = int(nonce[:-16], 16)
        except ValueError:
            return None, False
        if not hmac.compare_digest(self._nonce(ts), nonce):
            return None, False
        password = password_of.get(user)
        if password is None:
            return None, False
        want = response_hash(user, self.realm, password, method, uri, nonce, p.get("qop"), p.get("nc"),
                             p.get("cnonce"))
        if not hmac.compare_digest(want, resp.lower()):
            return None, False
        if time.time() - ts > self.ttl:
            return None, True
        return user, False

"""OpenID Connect client for single sign-on: discovery, authorization URL, code exchange, ID-token checks."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from blendcc.domain.errors import Unauthenticated

#: Signature algorithms accepted in ID tokens (never "none", never HMAC with a public key).
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class HttpOidcProvider:
    """A provider found by its issuer URL (``/.well-known/openid-configuration``); confidential client
    (client_secret_post). Discovery and keys are fetched on first use and keys again on an unknown key id."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 scopes: str = "openid profile email", timeout_s: float = 10.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self.timeout_s = timeout_s
        self._meta: dict[str, Any] | None = None
        self._keys: jwt.PyJWKSet | None = None
        self._lock = threading.Lock()

    def _get(self, url: str) -> Any:
        try:
            r = httpx.get(url, timeout=self.timeout_s)
            r.raise_for_status()
            return r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Unauthenticated(f"the identity provider is unreachable ({type(exc).__name__})") from None

    def _metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._meta is None:
                meta = self._get(f"{self.issuer}/.well-known/openid-configuration")
                if not isinstance(meta, dict) or meta.get("issuer", "").rstrip("/") != self.issuer:
                    raise Unauthenticated("the identity provider's discovery document names another issuer")
                self._meta = meta
            return self._meta

    def _key(self, kid: str | None, refresh: bool = False) -> Any:
        with self._lock:
            keys = self._keys
        if keys is None or refresh:
            keys = jwt.PyJWKSet.from_dict(self._get(self._metadata()["jwks_uri"]))
            with self._lock:
                self._keys = keys
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key
        if not refresh:
            return self._key(kid, refresh=True)
        raise Unauthenticated("the ID token is signed with an unknown key")

    def authorization_url(self, state: str, nonce: str, code_challenge: str) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "scope": self.scopes, "state": state, "nonce": nonce, "code_challenge": code_challenge,
                 "code_challenge_method": "S256"}
        return f"{self._metadata()['authorization_endpoint']}?{urlencode(query)}"

    def exchange(self, code: str, code_verifier: str, nonce: str) -> Mapping[str, Any]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier, "client_id": self.client_id, "client_secret": self.client_secret}
        try:
            r = httpx.post(self._metadata()["token_endpoint"], data=form, timeout=self.timeout_s)
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Unauthenticated(f"the identity provider is unreachable ({type(exc).__name__})") from None
        if r.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            raise Unauthenticated("the identity provider refused the sign-in code")
        token = body["id_token"]
        try:
            header = jwt.get_unverified_header(token)
            key = self._key(header.get("kid"))
            claims: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=ALGORITHMS, audience=self.client_id, issuer=self._metadata()["issuer"],
                options={"require": ["iss", "aud", "exp", "iat", "sub"]}, leeway=60)
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid ID token ({type(exc).__name__})") from None
        if claims.get("nonce") != nonce:
            raise Unauthenticated("invalid ID token (nonce)")
        return claims

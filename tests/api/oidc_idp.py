"""A stand-in OpenID Connect identity provider served over HTTP for the single sign-on tests: discovery,
JWKS, an authorization endpoint that signs in ``user`` at once, and a token endpoint checking PKCE."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException
from fastapi.responses import RedirectResponse

CLIENT_ID, CLIENT_SECRET = "blendcc", "client-secret-1"


class StandInIdp:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.user = "sup"
        self.tamper: str | None = None  # None, "key" (unknown signer), "audience", "nonce", "expired"
        self.codes: dict[str, dict[str, Any]] = {}
        self.url = ""
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"]}

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        def authorize(response_type: str, client_id: str, redirect_uri: str, scope: str, state: str, nonce: str,
                      code_challenge: str, code_challenge_method: str) -> RedirectResponse:
            if response_type != "code" or client_id != CLIENT_ID or "openid" not in scope.split() \
                    or code_challenge_method != "S256":
                raise HTTPException(400, "bad authorization request")
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": nonce, "challenge": code_challenge, "redirect_uri": redirect_uri,
                                "user": self.user}
            return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 302)

        @app.post("/token")
        def token(grant_type: str = Form(), code: str = Form(), redirect_uri: str = Form(),
                  code_verifier: str = Form(), client_id: str = Form(), client_secret: str = Form()) -> Any:
            grant = self.codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=")
            if grant is None or grant_type != "authorization_code" or client_id != CLIENT_ID \
                    or client_secret != CLIENT_SECRET or redirect_uri != grant["redirect_uri"] \
                    or challenge.decode() != grant["challenge"]:
                raise HTTPException(400, "invalid_grant")
            now = int(time.time())
            claims = {"iss": self.url, "sub": f"id-{grant['user']}", "aud": CLIENT_ID, "iat": now,
                      "exp": now + 300, "nonce": grant["nonce"], "preferred_username": grant["user"]}
            if self.tamper == "audience":
                claims["aud"] = "someone-else"
            elif self.tamper == "nonce":
                claims["nonce"] = "replayed"
            elif self.tamper == "expired":
                claims["exp"] = now - 3600
            signer = self.other_key if self.tamper == "key" else self.key
            id_token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": "k1"})
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                    "id_token": id_token}

        return app


@contextmanager
def serve_idp() -> Iterator[StandInIdp]:
    idp = StandInIdp()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    idp.url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(idp.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield idp
    finally:
        server.should_exit = True
        thread.join(10)

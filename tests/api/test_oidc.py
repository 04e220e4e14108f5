"""Single sign-on with OpenID Connect against a stand-in identity provider served over HTTP: the code flow
with PKCE opens a session for an existing user; forged, replayed or foreign tokens are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from blendcc.api.app import create_app
from blendcc.bootstrap import build_container
from conftest import Api, make_settings, seed_centre

from .oidc_idp import CLIENT_ID, CLIENT_SECRET, StandInIdp, serve_idp

CALLBACK = "http://testserver/api/auth/oidc/callback"


@pytest.fixture
def sso(db_url: str, clock: Any, fast_passwords: None) -> Iterator[tuple[Api, StandInIdp]]:
    with serve_idp() as idp:
        settings = make_settings(db_url, oidc_issuer=idp.url, oidc_client_id=CLIENT_ID,
                                 oidc_client_secret=CLIENT_SECRET, oidc_redirect_uri=CALLBACK)
        container = build_container(settings, clock=clock, run_migrations=False)
        try:
            with TestClient(create_app(container, background=False), raise_server_exceptions=False) as tc:
                api = Api(tc, container, clock)
                seed_centre(api)
                yield api, idp
        finally:
            container.store.engine.dispose()


def _sign_in(api: Api) -> Any:
    """Browser steps: blendcc -> provider -> back to blendcc's callback; the last response."""
    start = api.client.get("/api/auth/oidc/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    at_idp = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_idp.status_code == 302, at_idp.text
    back = urlsplit(at_idp.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return api.client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_single_sign_on_opens_a_session_for_an_existing_user(sso: tuple[Api, StandInIdp]) -> None:
    api, _ = sso
    done = _sign_in(api)
    assert done.status_code == 302
    fragment = parse_qs(urlsplit(done.headers["location"]).fragment)
    token, refresh = fragment["token"][0], fragment["refresh"][0]
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "sup", "role": "supervisor", "agent_id": None}
    assert api.client.post("/api/auth/refresh", json={"refresh_token": refresh}).status_code == 200
    login = api.get("/api/audit?action=login_succeeded&actor=sup")[0]
    assert login["detail"] == {"method": "oidc", "subject": "id-sup"}
    # the state works once: replaying the callback is refused
    start = api.client.get("/api/auth/oidc/login", follow_redirects=False)
    back = urlsplit(httpx.get(start.headers["location"], follow_redirects=False).headers["location"])
    assert api.client.get(f"{back.path}?{back.query}", follow_redirects=False).status_code == 302
    replay = api.client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert replay.status_code == 401 and "start again" in replay.json()["detail"]


@pytest.mark.parametrize("tamper", ["key", "audience", "nonce", "expired"])
def test_forged_or_foreign_id_tokens_are_refused(sso: tuple[Api, StandInIdp], tamper: str) -> None:
    api, idp = sso
    idp.tamper = tamper
    r = _sign_in(api)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    assert "ID token" in r.json()["detail"]


def test_identities_without_an_active_user_are_refused(sso: tuple[Api, StandInIdp]) -> None:
    api, idp = sso
    idp.user = "mallory"
    r = _sign_in(api)
    assert r.status_code == 401 and "no active blendcc user 'mallory'" in r.json()["detail"]
    idp.user = "SUP"  # matched case-insensitively; an inactive user is refused
    api.patch("/api/users/sup", json={"active": False})
    assert _sign_in(api).status_code == 401
    api.patch("/api/users/sup", json={"active": True})
    assert _sign_in(api).status_code == 302
    bad = api.client.get("/api/auth/oidc/callback?code=x&state=never-issued", follow_redirects=False)
    assert bad.status_code == 401


def test_single_sign_on_is_off_unless_configured(api: Any) -> None:
    assert api.error("GET", "/api/auth/oidc/login", 404, user=None)["error"] == "not_found"
    api.error("GET", "/api/auth/oidc/callback?code=a&state=b", 404, user=None)

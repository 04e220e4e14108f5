"""Security headers on every response (HSTS only over TLS), CORS closed unless origins are configured, and
/docs served offline (local Swagger UI assets, no inline script) with the bearer scheme in OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blendcc.api.app import create_app

PATHS = ("/health", "/", "/static/docs.js", "/docs", "/openapi.json", "/api/auth/me", "/api/nowhere",
         "/docs-assets/swagger-ui.css")


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


@pytest.fixture
def app_with(shared_centre: Any) -> Iterator[Any]:
    """``app_with(**settings)``: a TestClient on a new app over the shared container with changed settings."""
    container = shared_centre.container
    original = container.settings
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver", **changes: Any) -> TestClient:
        container.settings = original.model_copy(update=changes)
        try:
            client = TestClient(create_app(container, background=False), base_url=base_url,
                                raise_server_exceptions=False)
        finally:
            container.settings = original
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_every_response_carries_the_security_headers(shared_centre: Any) -> None:
    for path in PATHS:
        r = shared_centre.client.get(path)
        assert r.status_code in (200, 401, 404), (path, r.status_code)
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] == "no-referrer", path
        assert h["x-frame-options"] == "DENY", path
        assert "strict-transport-security" not in h, path  # plain HTTP
        csp = _directives(h["content-security-policy"])
        assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], path
        assert csp["script-src"] == ["'self'"], path  # no inline scripts, no eval
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], path
    # errors and refusals too (a 422 and a 405)
    r = shared_centre.client.post("/api/auth/token", json={})
    assert r.status_code == 422 and r.headers["x-frame-options"] == "DENY"
    assert shared_centre.client.delete("/health").headers["x-content-type-options"] == "nosniff"


def test_hsts_only_over_tls_or_when_configured(app_with: Any) -> None:
    plain = app_with()
    assert "strict-transport-security" not in plain.get("/health").headers
    tls = app_with(base_url="https://testserver")
    assert tls.get("/health").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    behind_proxy = app_with(behind_tls=True, hsts_max_age_s=600)
    assert behind_proxy.get("/health").headers["strict-transport-security"] == "max-age=600; includeSubDomains"
    off = app_with(base_url="https://testserver", hsts_max_age_s=0)
    assert "strict-transport-security" not in off.get("/health").headers


def test_cors_is_closed_by_default(shared_centre: Any) -> None:
    preflight = shared_centre.client.options("/api/contacts", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert "access-control-allow-origin" not in preflight.headers
    simple = shared_centre.client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_only_the_configured_origins(app_with: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from blendcc.config import Settings

    monkeypatch.setenv("BLENDCC_CORS_ORIGINS", "https://chat.example, https://www.example")
    assert Settings().cors_origins == ["https://chat.example", "https://www.example"]
    client = app_with(cors_origins=["https://chat.example"])
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    ok = client.options("/api/contacts", headers={"Origin": "https://chat.example", **ask})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://chat.example"
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    assert ok.headers["x-content-type-options"] == "nosniff"
    refused = client.options("/api/contacts", headers={"Origin": "https://evil.example", **ask})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    got = client.get("/health", headers={"Origin": "https://chat.example"})
    assert got.headers["access-control-allow-origin"] == "https://chat.example"
    assert "access-control-allow-origin" not in client.get("/health", headers={"Origin": "https://x.example"}).headers


def test_docs_use_only_local_assets_and_no_inline_script(shared_centre: Any) -> None:
    page = shared_centre.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http" not in page.text.lower().replace("http-equiv", "")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts), scripts
    for url in urls:
        r = shared_centre.client.get(url)
        assert r.status_code == 200, url
    bundle = shared_centre.client.get("/docs-assets/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"] and len(bundle.content) > 500_000
    assert "SwaggerUIBundle" in shared_centre.client.get("/static/docs.js").text
    assert shared_centre.client.get("/redoc").status_code == 404  # ReDoc would need a CDN: not served


def test_openapi_declares_the_bearer_scheme(shared_centre: Any) -> None:
    doc = shared_centre.client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    name, scheme = next(iter(schemes.items()))
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    ops = {(m, p): op for p, item in doc["paths"].items() for m, op in item.items()}
    assert ops[("get", "/api/auth/me")]["security"] == [{name: []}]
    assert ops[("get", "/api/contacts")]["security"] == [{name: []}]
    assert "security" not in ops[("post", "/api/auth/token")]
    assert "security" not in ops[("get", "/health")]
    secured = [op for op in ops.values() if "security" in op]
    assert len(secured) > len(ops) // 2
    # the server's own messages are unchanged
    r = shared_centre.client.get("/api/auth/me")
    assert r.status_code == 401 and r.json()["detail"].startswith("missing bearer token")
    r = shared_centre.client.get("/api/auth/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and r.json()["detail"].startswith("missing bearer token")

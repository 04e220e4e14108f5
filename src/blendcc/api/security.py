"""HTTP hardening: security headers on every response, CORS (closed unless origins are configured) and the
offline API docs (Swagger UI served from the pinned swagger-ui-bundle package, no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from blendcc.config import Settings

#: /docs and the pages without their own policy need nothing but their own origin: no inline script, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
)
DOCS_ASSETS = "/docs-assets"


class SecurityHeaders:
    """Pure ASGI middleware (streaming responses untouched) adding the headers above to every HTTP answer;
    Strict-Transport-Security only when the request came over TLS (or every request does, per settings)."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool, hsts_max_age_s: int):
        self.app = app
        self.behind_tls = behind_tls
        self.hsts = f"max-age={hsts_max_age_s}; includeSubDomains" if hsts_max_age_s > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = self.behind_tls or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers[name] = value
                if tls and self.hsts is not None:
                    headers["strict-transport-security"] = self.hsts
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the headers, CORS (only for ``settings.cors_origins``) and the offline /docs to ``app``."""
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(SecurityHeaders, behind_tls=settings.behind_tls,  # outermost: CORS answers get them too
                       hsts_max_age_s=settings.hsts_max_age_s)
    assets = _swagger_assets()
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)


def _swagger_assets() -> Path:
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path)


DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>blendcc API</title>
  <link rel="icon" type="image/png" href="{DOCS_ASSETS}/favicon-32x32.png">
  <link rel="stylesheet" href="{DOCS_ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{DOCS_ASSETS}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""

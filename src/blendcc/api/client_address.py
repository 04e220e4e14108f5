"""Makes each HTTP request's client address known to the audit trail (app.audit.current_client)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from blendcc.app.admin.audit import current_client


class ClientAddressMiddleware:
    """Pure ASGI: sets ``current_client`` for the request (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so the address is the client's, not the proxy's)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = current_client.set(str(client[0]) if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            current_client.reset(token)

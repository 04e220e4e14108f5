"""Maps domain errors and bad requests to clear JSON 4xx answers; never leaks a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from blendcc.app.admin.auth import RateLimited
from blendcc.app.admin.config_errors import InvalidDocument
from blendcc.domain.errors import DomainError
from blendcc.domain.throttle import retry_after_header

log = logging.getLogger(__name__)

STATUS = {
    "not_found": 404,
    "conflict": 409,
    "invalid": 422,
    "forbidden": 403,
    "unsupported": 422,  # the contact's channel cannot do this (e.g. send text on voice)
    "unauthenticated": 401,
    "unavailable": 503,
    "totp_required": 401,
    "rate_limited": 429,
    "closed": 409,  # web chat: the centre is closed (the widget shows the offline form)
    "too_large": 413,
    "unsupported_media_type": 415,
}


def install(app: FastAPI) -> None:
    """Error handlers; NUL, invalid Unicode and oversized bodies are refused earlier, by
    :class:`blendcc.api.guard.RequestGuard`, before any body is buffered."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        status = STATUS.get(exc.code, 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": retry_after_header(exc.retry_after_s)}
        body: dict[str, object] = {"error": exc.code, "detail": exc.message}
        if isinstance(exc, InvalidDocument):  # configuration documents: each problem at its field
            body["errors"] = exc.errors
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        located = []
        for err in exc.errors():
            path = [p for p in err.get("loc", ()) if p != "body"]
            problems.append(f"{'.'.join(str(p) for p in path) or 'body'}: {err.get('msg')}")
            located.append({"loc": path, "msg": str(err.get("msg"))})
        body: dict[str, object] = {"error": "invalid", "detail": "; ".join(problems)}
        if request.url.path.startswith("/api/config/"):  # the configuration editor shows each at its field
            body["errors"] = located
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": "http", "detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error: %s", exc.__class__.__name__)
        return JSONResponse({"error": "unavailable", "detail": "the database is unavailable; try again"},
                            status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse({"error": "internal", "detail": "internal error; it has been logged"}, status_code=500)

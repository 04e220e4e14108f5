"""The browser applications' pages and built assets: the agent desktop (/desktop) and the console (/console)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from blendcc.api.deps import C, P
from blendcc.api.models.console import ConsoleContext
from blendcc.api.routes_widget import DIST
from blendcc.domain.errors import DomainError, NotFound

#: ``npm run build`` (``make frontend``) writes each application here: index.html and assets/<name>-<hash>.<ext>
DESKTOP = DIST / "desktop"
CONSOLE = DIST / "console"
#: Asset names carry a content hash: a new build has new names, so they never need revalidating.
IMMUTABLE = "public, max-age=31536000, immutable"
_ASSET = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
          ".png": "image/png", ".woff2": "font/woff2", ".json": "application/json"}
#: The pages' policy: their own module scripts and style sheets only (nothing inline), the live sockets
#: (ws/wss), pasted or uploaded images (data:, blob:), the browser phone's and prompts' media.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_HEADERS = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP,
            "Permissions-Policy": "microphone=(self), camera=(), geolocation=()"}

router = APIRouter(tags=["pages"])


class PageNotBuilt(DomainError):
    """The front end has not been built on this machine (HTTP 503, never a 500)."""

    code = "unavailable"


def _index(root: Path, what: str) -> Path:
    path = root / "index.html"
    if not path.is_file():
        raise PageNotBuilt(f"the {what} is not built ({root.name}/index.html is missing): run `make frontend`")
    return path


def _asset(root: Path, what: str, name: str) -> FileResponse:
    _index(root, what)
    path = root / "assets" / name
    if not _ASSET.match(name) or name.startswith(".") or not path.is_file():
        raise NotFound(f"no {what} asset {name}")
    return FileResponse(path, media_type=_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": IMMUTABLE})


@router.get("/desktop", include_in_schema=False)
@router.get("/desktop/", include_in_schema=False)
def desktop_page() -> HTMLResponse:
    """The single page of the agent desktop (revalidated on every load: it names the current assets)."""
    return HTMLResponse(_index(DESKTOP, "agent desktop").read_text(encoding="utf-8"), headers=_HEADERS)


@router.get("/desktop/assets/{name}", include_in_schema=False)
def desktop_asset(name: str) -> FileResponse:
    """One built asset of the desktop (hashed name, cached for good)."""
    return _asset(DESKTOP, "desktop", name)


@router.get("/console", include_in_schema=False)
def console_redirect() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/", include_in_schema=False)
def console_page() -> HTMLResponse:
    """The supervisor's and admin's console (one page; its views are #/paths)."""
    return HTMLResponse(_index(CONSOLE, "console").read_text(encoding="utf-8"), headers=_HEADERS)


@router.get("/console/assets/{name}", include_in_schema=False)
def console_asset(name: str) -> FileResponse:
    """One built asset of the console (hashed name, cached for good)."""
    return _asset(CONSOLE, "console", name)


@router.get("/api/console/context", tags=["supervisor"], response_model=ConsoleContext,
            summary="What the console needs first: the centre's "
            "time zone, the signed-in user and role")
def console_context(c: C, p: P) -> dict[str, Any]:
    p.require("supervisor")
    return {"timezone": c.settings.timezone, "username": p.username, "role": p.role,
            "sip_enabled": bool(c.settings.sip_enabled)}

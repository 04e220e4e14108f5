"""The embeddable web-chat widget's script (``/widget.js``, built by ``make frontend``) and the demo page."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from blendcc.domain.errors import DomainError, NotFound

WEB = Path(__file__).resolve().parent.parent / "web"
#: The front-end build output (``src/blendcc/web/dist``, shipped in the wheel; never committed).
DIST = WEB / "dist"
#: The script keeps one URL on customers' sites, so it is cached briefly and revalidated by its ETag;
#: a new release reaches every visitor within five minutes.
WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=3600"
_INSTANCE = r"^[A-Za-z0-9_-]{1,64}$"
_LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"

router = APIRouter(tags=["webchat"])


class WidgetNotBuilt(DomainError):
    """The front end has not been built on this machine (HTTP 503, never a 500)."""

    code = "unavailable"


def _built(name: str) -> Path:
    path = DIST / name
    if not path.is_file():
        raise WidgetNotBuilt(f"the web-chat widget is not built ({name} is missing): run `make frontend`")
    return path


def _etag(path: Path) -> str:
    stat = path.stat()
    return '"' + hashlib.sha1(f"{stat.st_mtime_ns}-{stat.st_size}".encode()).hexdigest()[:20] + '"'


@router.get("/widget.js", include_in_schema=False)
def widget_js(request: Request) -> Response:
    """The widget: one script a customer's site embeds (``<script src=".../widget.js" data-instance=...>``)."""
    path = _built("widget.js")
    etag = _etag(path)
    headers = {"Cache-Control": WIDGET_CACHE, "ETag": etag,
               "Cross-Origin-Resource-Policy": "cross-origin"}  # embedded by other sites, even isolated ones
    wanted = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="text/javascript; charset=utf-8", headers=headers)


def _demo_only(request: Request) -> None:
    if not getattr(request.app.state, "demo", False):
        raise NotFound("the demo pages are served only by `blendcc serve --demo`")


@router.get("/demo/chat", include_in_schema=False)
def demo_chat(
    request: Request,
    instance: Annotated[str, Query(pattern=_INSTANCE)] = "default",
    lang: Annotated[str | None, Query(pattern=_LANG)] = None,
) -> HTMLResponse:
    """A customer's web site (made up) that embeds the widget exactly as a real site would."""
    _demo_only(request)
    _built("widget.js")
    page = (WEB / "demo" / "chat.html").read_text(encoding="utf-8")
    language = f' data-language="{html.escape(lang)}"' if lang else ""
    page = page.replace("__INSTANCE__", html.escape(instance)).replace(" __LANGUAGE__", language)
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


@router.get("/demo/demo.css", include_in_schema=False)
def demo_css(request: Request) -> FileResponse:
    """The demo site's own style sheet (the widget brings its own, in its shadow root)."""
    _demo_only(request)
    return FileResponse(WEB / "demo" / "demo.css", media_type="text/css; charset=utf-8")


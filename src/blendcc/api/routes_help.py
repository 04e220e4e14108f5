"""The public self-service help centre: published articles, their search and each article, as plain HTML pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from blendcc.api.deps import C
from blendcc.api.routes_kb import kb
from blendcc.domain.errors import NotFound
from blendcc.domain.knowledge import ARTICLE_ID

HELP = Path(__file__).resolve().parent.parent / "web" / "help"
STRINGS: dict[str, dict[str, str]] = json.loads((HELP / "strings.json").read_text(encoding="utf-8"))
LANGUAGES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский"), ("zh", "中文"), ("fa", "فارسی")]
_env = Environment(loader=FileSystemLoader(HELP), autoescape=select_autoescape(["html"]), auto_reload=False)

router = APIRouter(tags=["help centre"])
#: the browser's anonymous self-service session (a random id, no personal data); readable by the web-chat
#: widget on the same site so that a chat started there names it
COOKIE = "blendcc_help"


def _session(request: Request, c: C, lang: str) -> str | None:
    """The browser's help-centre session (continued or new), or None where use is not recorded."""
    if c.kb_usage is None:
        return None
    return c.kb_usage.visit(request.cookies.get(COOKIE), lang)


def _keep(response: HTMLResponse, session_id: str | None) -> HTMLResponse:
    if session_id is not None:
        response.set_cookie(COOKIE, session_id, max_age=30 * 60, path="/", samesite="lax", httponly=False)
    return response


def language(request: Request, lang: str | None) -> str:
    """The asked language, else the browser's first known one (Accept-Language), else English."""
    if lang in STRINGS:
        return lang
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in STRINGS:
            return code
    return "en"


def render(template: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A server-rendered page of ``web/help`` (autoescaped) in ``lang``, never cached."""
    html = _env.get_template(template).render(lang=lang, t=STRINGS[lang], languages=LANGUAGES, **{"q": "", **values})
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-cache"})


@router.get("/help", response_class=HTMLResponse, include_in_schema=False)  # a page, not an API
def help_centre(request: Request, c: C, lang: str | None = Query(None, max_length=16),
                q: str = Query("", max_length=200)) -> HTMLResponse:
    code = language(request, lang)
    service = kb(c)
    session = _session(request, c, code)
    if q.strip():
        if session is not None and c.kb_usage is not None:
            c.kb_usage.searched(session)
        hits = service.search(q, code, published_only=True, limit=20)
        return _keep(render("index.html", code, q=q, hits=hits), session)
    articles = sorted((v.article for v in service.list(code, published_only=True)),
                      key=lambda a: (a.category, a.title))
    categories = [(cat, list(items)) for cat, items in groupby(articles, key=lambda a: a.category)]
    return _keep(render("index.html", code, categories=categories), session)


@router.get("/help/{lang}/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def help_article(request: Request, lang: str, article_id: str, c: C) -> HTMLResponse:
    code = lang if lang in STRINGS else "en"
    service = kb(c)
    session = _session(request, c, code)
    try:
        if not re.match(ARTICLE_ID, article_id):
            raise NotFound(article_id)
        found = service.get(article_id, lang, published_only=True)
    except NotFound:
        return _keep(render("missing.html", code, status=404), session)
    if session is not None and c.kb_usage is not None:
        c.kb_usage.viewed(session, found.article.id, found.article.lang, found.article.category)
    updated = datetime.fromtimestamp(found.updated_at, UTC).isoformat()
    page = render("article.html", code, article=found.article, html=service.html(found), updated_iso=updated)
    return _keep(page, session)

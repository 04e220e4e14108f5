"""Knowledge base: articles (supervisors write, version and publish), search, and suggestions for a contact."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from blendcc.api.deps import C, P, may_see_contact
from blendcc.api.models.kb import ArticleOut, SearchOut, SuggestOut
from blendcc.app.container import Container
from blendcc.app.knowledge.markdown import to_html
from blendcc.app.knowledge.service import MAX_LIMIT, KnowledgeService
from blendcc.app.knowledge.usage import KbUsageService
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.kb_figures import KbFigures, UseAction
from blendcc.domain.knowledge import ARTICLE_ID, LANG, Article, Tag

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])

ArticleId = Annotated[str, Path(pattern=ARTICLE_ID, description="the article's slug")]
Lang = Annotated[str, Path(pattern=LANG, description="its language")]
LangFilter = Annotated[str | None, Query(pattern=LANG, description="only this language")]


class ArticleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000, description="Markdown")
    category: str = Field("", max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    status: Literal["draft", "published"] = "draft"


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["draft", "published"]


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=100_000, description="Markdown")


class PreviewOut(BaseModel):
    html: str = Field(description="the Markdown as the help centre and the desktop show it")


class UseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article_id: str = Field(pattern=ARTICLE_ID)
    lang: str = Field(pattern=LANG)
    action: UseAction = Field(description="open (read it), insert (into the reply box) or send (sent with a reply)")


class UseOut(BaseModel):
    contact_id: str
    article_id: str
    lang: str
    action: str
    agent: str | None
    at: float


ContactId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


def usage(c: Container) -> KbUsageService:
    if c.kb_usage is None:
        raise InvalidState("knowledge-base use is not recorded on this server")
    service: KbUsageService = c.kb_usage
    return service


def kb(c: Container) -> KnowledgeService:
    if c.kb is None:
        raise InvalidState("the knowledge base is not wired in this server")
    service: KnowledgeService = c.kb
    return service


@router.get("/articles", summary="Articles (current versions); drafts for supervisors only")
def list_articles(c: C, p: P, lang: LangFilter = None) -> list[ArticleOut]:
    return [ArticleOut.of(v) for v in kb(c).list(lang, published_only=not p.at_least("supervisor"))]


@router.put("/articles/{article_id}/{lang}", summary="Save an article: a new version (supervisors)")
def save_article(article_id: ArticleId, lang: Lang, body: ArticleBody, c: C, p: P) -> ArticleOut:
    p.require("supervisor")
    article = Article.model_validate({**body.model_dump(), "id": article_id, "lang": lang})
    service = kb(c)
    saved = service.save(article, p.username)
    return ArticleOut.of(saved, service.html(saved))


@router.get("/articles/{article_id}/{lang}", summary="An article with its HTML; an older version with ?version=")
def get_article(article_id: ArticleId, lang: Lang, c: C, p: P,
                version: int | None = Query(None, ge=1, le=1_000_000)) -> ArticleOut:
    service = kb(c)
    editor = p.at_least("supervisor")
    if version is not None and editor:
        found = service.version(article_id, lang, version)
    elif version is not None:
        raise NotFound(f"article {article_id} in {lang}: older versions are for supervisors")
    else:
        found = service.get(article_id, lang, published_only=not editor)
    return ArticleOut.of(found, service.html(found))


@router.get("/articles/{article_id}/{lang}/versions", summary="Every version of an article (supervisors)")
def article_versions(article_id: ArticleId, lang: Lang, c: C, p: P) -> list[ArticleOut]:
    p.require("supervisor")
    return [ArticleOut.of(v) for v in kb(c).versions(article_id, lang)]


@router.post("/articles/{article_id}/{lang}/status", summary="Publish or withdraw an article (supervisors)")
def set_article_status(article_id: ArticleId, lang: Lang, body: StatusBody, c: C, p: P) -> ArticleOut:
    p.require("supervisor")
    return ArticleOut.of(kb(c).set_status(article_id, lang, body.status, p.username))


@router.get("/search", summary="Published articles with every word of q (the last also as a prefix), best first")
def search_articles(c: C, p: P, q: str = Query(min_length=1, max_length=200), lang: LangFilter = None,
                    limit: int = Query(10, ge=1, le=MAX_LIMIT),
                    drafts: bool = Query(False, description="supervisors: drafts too")) -> SearchOut:
    if drafts:
        p.require("supervisor")
    return SearchOut(query=q, hits=kb(c).search(q, lang, published_only=not drafts, limit=limit))


@router.get("/suggest/{contact_id}", summary="Articles for what the customer wrote in this contact's conversation")
def suggest_articles(contact_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")], c: C, p: P,
                     lang: LangFilter = None, limit: int = Query(5, ge=1, le=MAX_LIMIT)) -> SuggestOut:
    if c.store.interaction(contact_id) is None:
        raise NotFound(f"contact {contact_id} does not exist")
    may_see_contact(c, p, contact_id)
    got = kb(c).suggest_for_contact(contact_id, lang, limit)
    return SuggestOut(words=got.words, hits=got.hits)


@router.post("/uses/{contact_id}", status_code=201, summary="An agent opened, inserted or sent an article on a contact")
def use_article(contact_id: ContactId, body: UseBody, c: C, p: P) -> UseOut:
    if c.store.interaction(contact_id) is None:
        raise NotFound(f"contact {contact_id} does not exist")
    may_see_contact(c, p, contact_id)
    kb(c).get(body.article_id, body.lang, published_only=not p.at_least("supervisor"))
    u = usage(c).used(contact_id, body.article_id, body.lang, body.action, p.username)
    return UseOut(contact_id=u.contact_id, article_id=u.article_id, lang=u.lang, action=u.action, agent=u.agent,
                  at=u.at)


@router.get("/uses/{contact_id}", summary="The articles agents used on a contact, in order")
def contact_uses(contact_id: ContactId, c: C, p: P) -> list[UseOut]:
    if c.store.interaction(contact_id) is None:
        raise NotFound(f"contact {contact_id} does not exist")
    may_see_contact(c, p, contact_id)
    return [UseOut(contact_id=u.contact_id, article_id=u.article_id, lang=u.lang, action=u.action, agent=u.agent,
                   at=u.at) for u in usage(c).repo.uses_of(contact_id)]


@router.get("/figures", summary="Deflection (KPIS.md), article views, agents' uses and top articles (supervisors)")
def kb_figures(c: C, p: P, start: float = Query(ge=0, le=1e11, description="epoch seconds, inclusive"),
               end: float = Query(ge=0, le=1e11, description="epoch seconds, exclusive")) -> KbFigures:
    p.require("supervisor")
    if end <= start:
        raise ValidationFailed("end must be after start")
    return usage(c).figures(start, end)


@router.post("/preview", summary="Markdown as the articles show it, without saving (supervisors)")
def preview_markdown(body: PreviewBody, c: C, p: P) -> PreviewOut:
    p.require("supervisor")
    kb(c)
    return PreviewOut(html=to_html(body.body))

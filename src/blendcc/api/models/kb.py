"""Knowledge-base response models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from blendcc.domain.knowledge import ArticleVersion, SearchHit


class ArticleOut(BaseModel):
    id: str
    lang: str
    title: str
    body: str = Field(description="Markdown")
    category: str
    tags: list[str]
    status: str
    version: int
    updated_at: float
    updated_by: str | None
    html: str | None = Field(None, description="the body as safe HTML (raw HTML in the Markdown shown as text)")

    @classmethod
    def of(cls, v: ArticleVersion, html: str | None = None) -> ArticleOut:
        return cls(**v.article.model_dump(), version=v.version, updated_at=v.updated_at, updated_by=v.updated_by,
                   html=html)


class SearchOut(BaseModel):
    query: str
    hits: list[SearchHit]


class SuggestOut(BaseModel):
    words: list[str] = Field(description="the significant words of the customer's messages that were searched")
    hits: list[SearchHit]

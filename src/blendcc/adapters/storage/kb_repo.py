"""Knowledge base in SQL (``ports.KnowledgeBase``): versions kept, search by SQLite FTS5 or PostgreSQL's own."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, text

from blendcc.adapters.storage.engine import writer
from blendcc.adapters.storage.kb_tables import PG_VECTOR, SQLITE_FTS, kb_article_versions, kb_articles
from blendcc.domain.knowledge import Article, ArticleVersion, segment

_FIELDS = ("id", "lang", "title", "body", "category", "status")


def _version(r: Mapping[Any, Any]) -> ArticleVersion:
    article = Article.model_validate({**{k: r[k] for k in _FIELDS}, "tags": json.loads(r["tags"])})
    return ArticleVersion(article=article, version=int(r["version"]), updated_at=float(r["updated_at"]),
                          updated_by=r["updated_by"])


def _fts_query(words: builtins.list[str], any_word: bool) -> str:
    """FTS5: each word a quoted phrase (words are letters and digits only), the last also as a prefix."""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


def _ts_query(words: builtins.list[str], any_word: bool) -> str:
    """PostgreSQL tsquery text: each word quoted, the last also as a prefix (``:*``)."""
    quoted = [f"'{w}'" for w in words]
    quoted[-1] += ":*"
    return (" | " if any_word else " & ").join(quoted)


class SqlKnowledgeBase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self.sqlite = engine.dialect.name == "sqlite"

    def save(self, article: Article, plain: str, at: float, by: str | None) -> ArticleVersion:
        """A new version of the article; it becomes the current one and what is searched."""
        key = and_(kb_articles.c.id == article.id, kb_articles.c.lang == article.lang)
        with self._writer.begin() as conn:
            last = conn.execute(select(func.max(kb_article_versions.c.version)).where(
                kb_article_versions.c.id == article.id, kb_article_versions.c.lang == article.lang)).scalar()
            row = {**article.model_dump(exclude={"tags"}), "tags": json.dumps(article.tags, ensure_ascii=False),
                   "version": int(last or 0) + 1, "updated_at": at, "updated_by": by}
            conn.execute(kb_article_versions.insert(), row)
            search = {"search_title": segment(article.title), "search_body": segment(plain)}
            if conn.execute(kb_articles.update().where(key).values(**row, **search)).rowcount == 0:
                conn.execute(kb_articles.insert(), {**row, **search})
            if self.sqlite:
                self._index(conn, article, search)
        return _version(row)

    @staticmethod
    def _index(conn: Connection, article: Article, search: dict[str, str]) -> None:
        conn.execute(text(f"DELETE FROM {SQLITE_FTS} WHERE article_id = :id AND lang = :lang"),
                     {"id": article.id, "lang": article.lang})
        conn.execute(text(f"INSERT INTO {SQLITE_FTS} (article_id, lang, title, body) VALUES (:id, :lang, :t, :b)"),
                     {"id": article.id, "lang": article.lang, "t": search["search_title"], "b": search["search_body"]})

    def current(self, article_id: str, lang: str) -> ArticleVersion | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(kb_articles).where(kb_articles.c.id == article_id,
                                                       kb_articles.c.lang == lang)).mappings().first()
        return None if r is None else _version(r)

    def versions(self, article_id: str, lang: str) -> builtins.list[ArticleVersion]:
        t = kb_article_versions
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.id == article_id, t.c.lang == lang)
                                .order_by(t.c.version)).mappings().all()
        return [_version(r) for r in rows]

    def list(self, lang: str | None = None, published_only: bool = False) -> builtins.list[ArticleVersion]:
        t = kb_articles
        q = select(t).order_by(t.c.category, t.c.title, t.c.id, t.c.lang)
        if lang is not None:
            q = q.where(t.c.lang == lang)
        if published_only:
            q = q.where(t.c.status == "published")
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(q).mappings().all()]

    def search(self, words: builtins.list[str], *, any_word: bool, lang: str | None, published_only: bool,
               limit: int) -> builtins.list[tuple[ArticleVersion, float]]:
        if not words:
            return []
        where = "".join([" AND a.lang = :lang" if lang is not None else "",
                         " AND a.status = 'published'" if published_only else ""])
        if self.sqlite:  # bm25: lower is better; the title weighs ten times the body
            sql = (f"SELECT a.*, -bm25({SQLITE_FTS}, 0, 0, 10.0, 1.0) AS score FROM {SQLITE_FTS} "
                   f"JOIN kb_articles a ON a.id = {SQLITE_FTS}.article_id AND a.lang = {SQLITE_FTS}.lang "
                   f"WHERE {SQLITE_FTS} MATCH :q{where} ORDER BY score DESC, a.id LIMIT :n")
            q = _fts_query(words, any_word)
        else:
            sql = (f"SELECT a.*, ts_rank({PG_VECTOR.replace('search_', 'a.search_')}, to_tsquery('simple', :q)) "
                   f"AS score FROM kb_articles a WHERE {PG_VECTOR.replace('search_', 'a.search_')} @@ "
                   f"to_tsquery('simple', :q){where} ORDER BY score DESC, a.id LIMIT :n")
            q = _ts_query(words, any_word)
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"q": q, "lang": lang, "n": limit}).mappings().all()
        return [(_version(r), float(r["score"])) for r in rows]

"""Knowledge-base use cases: save versions, publish, read as HTML, search, and suggest from a conversation."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from blendcc.app.knowledge.markdown import to_html, to_plain
from blendcc.content_ports import KnowledgeBase
from blendcc.domain.conversation import MessageDirection, Thread
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.domain.knowledge import Article, ArticleVersion, SearchHit, snippet, terms
from blendcc.ports import Clock

MAX_LIMIT = 50


@dataclass(frozen=True)
class Suggestion:
    words: builtins.list[str]
    hits: list[SearchHit]


def customer_words(threads: Sequence[Thread], last: int = 10) -> str:
    """What the customer wrote in a conversation's threads: its last ``last`` messages (what suggestions use)."""
    said = [m.body for t in threads for m in t.messages if m.direction is MessageDirection.INBOUND]
    return "\n".join(said[-last:])


class KnowledgeService:
    def __init__(self, repo: KnowledgeBase, clock: Clock,
                 conversation_text: Callable[[str], str] | None = None) -> None:
        self.repo = repo
        self.clock = clock
        #: the customer's words in a contact's conversation (NotFound for an unknown contact); from bootstrap
        self.conversation_text = conversation_text

    def save(self, article: Article, by: str | None) -> ArticleVersion:
        return self.repo.save(article, to_plain(article.body), self.clock.now(), by)

    def set_status(self, article_id: str, lang: str, status: Literal["draft", "published"],
                   by: str | None) -> ArticleVersion:
        """Publish or withdraw the current version (saved again as a new version with that status)."""
        current = self.get(article_id, lang)
        if current.article.status == status:
            return current
        return self.save(current.article.model_copy(update={"status": status}), by)

    def get(self, article_id: str, lang: str, *, published_only: bool = False) -> ArticleVersion:
        found = self.repo.current(article_id, lang)
        if found is None or (published_only and found.article.status != "published"):
            raise NotFound(f"no article {article_id} in {lang}")
        return found

    def version(self, article_id: str, lang: str, version: int) -> ArticleVersion:
        for v in self.repo.versions(article_id, lang):
            if v.version == version:
                return v
        raise NotFound(f"article {article_id} in {lang} has no version {version}")

    def versions(self, article_id: str, lang: str) -> builtins.list[ArticleVersion]:
        found = self.repo.versions(article_id, lang)
        if not found:
            raise NotFound(f"no article {article_id} in {lang}")
        return found

    def list(self, lang: str | None = None, published_only: bool = False) -> builtins.list[ArticleVersion]:
        return self.repo.list(lang, published_only)

    @staticmethod
    def html(version: ArticleVersion) -> str:
        return to_html(version.article.body)

    def search(self, query: str, lang: str | None = None, *, published_only: bool = True, limit: int = 10,
               any_word: bool = False) -> builtins.list[SearchHit]:
        """Articles with every word of ``query`` (the last as a prefix), best first."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit is 1 to {MAX_LIMIT}")
        words = terms(query)
        found = self.repo.search(words, any_word=any_word, lang=lang, published_only=published_only, limit=limit)
        return [self._hit(v, score, words) for v, score in found]

    def suggest(self, text: str, lang: str | None = None, limit: int = 5) -> Suggestion:
        """Published articles for what a customer wrote: any of its significant words, most matches first."""
        words = terms(text, drop_stop_words=True)
        if not words:
            return Suggestion([], [])
        found = self.repo.search(words, any_word=True, lang=lang, published_only=True, limit=limit)
        return Suggestion(words, [self._hit(v, score, words) for v, score in found])

    def suggest_for_contact(self, contact_id: str, lang: str | None = None, limit: int = 5) -> Suggestion:
        if self.conversation_text is None:
            raise ValidationFailed("conversations are not available on this server")
        return self.suggest(self.conversation_text(contact_id), lang, limit)

    @staticmethod
    def _hit(v: ArticleVersion, score: float, words: builtins.list[str]) -> SearchHit:
        a = v.article
        return SearchHit(id=a.id, lang=a.lang, title=a.title, category=a.category, version=v.version,
                         status=a.status, score=round(score, 6), snippet=snippet(to_plain(a.body), words))

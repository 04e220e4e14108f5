"""Knowledge-base articles (Markdown, one language each, draft or published, versioned) and search terms."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ARTICLE_ID = r"^[a-z0-9][a-z0-9-]{0,79}$"
LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
MAX_BODY = 100_000
MAX_QUERY_TERMS = 16

#: letters of scripts written without spaces: each one is a search term of its own (CJK, kana, Thai...)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\uac00-\ud7af]")
_WORD = re.compile(r"\w+", re.UNICODE)
#: words too common to help a search, of the seeds' spaced languages (a suggestion drops them)
_EN = ("a an and are as at be but by can do does for from has have how i if in is it its me my no not of on or our so "
       "that the their there this to was we what when where which who why will with you your hello hi please thanks "
       "thank im dont cant would could should just get got am been being had did")
_PL = "i w z na nie się to jest że do od po za jak ale czy mam mój moja dzień dobry proszę dziękuję"
_RU = "и в во не что на с со как а то по но из у за от о же да нет это мне мой моя здравствуйте спасибо пожалуйста"  # noqa: RUF001
_FA = "و در به از که این را با است برای آن یک تا من ما شما هم یا اما سلام لطفا ممنون"
STOP_WORDS = frozenset(" ".join((_EN, _PL, _RU, _FA)).split())


#: a tag: 1 to 40 characters once trimmed
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class Article(BaseModel):
    """What an editor writes; ``version`` and the edit stamp are given by the knowledge base when saved."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(pattern=ARTICLE_ID, description="slug: lower-case letters, digits and dashes")
    lang: str = Field(pattern=LANG, description="language code, e.g. en, fa, zh")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Markdown (raw HTML is shown as text)")
    category: str = Field("", max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    status: Literal["draft", "published"] = "draft"


class ArticleVersion(BaseModel):
    """One saved version of an article (versions count from 1; the newest is the article's current text)."""

    article: Article
    version: int
    updated_at: float
    updated_by: str | None


class SearchHit(BaseModel):
    id: str
    lang: str
    title: str
    category: str
    version: int
    status: str
    score: float = Field(description="higher is better; comparable within one search only")
    snippet: str


def segment(text: str) -> str:
    """``text`` folded for indexing: NFKC, lower case, letters of unspaced scripts set apart by spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _UNSPACED.sub(lambda m: f" {m.group(0)} ", folded)


def terms(text: str, *, drop_stop_words: bool = False) -> list[str]:
    """The distinct search terms of ``text`` in order of first use (at most MAX_QUERY_TERMS)."""
    out: list[str] = []
    for word in _WORD.findall(segment(text)):
        if word in out or (drop_stop_words and (word in STOP_WORDS or (len(word) < 3 and not _UNSPACED.match(word)))):
            continue
        out.append(word)
        if len(out) == MAX_QUERY_TERMS:
            break
    return out


def snippet(plain: str, words: list[str], width: int = 160) -> str:
    """About ``width`` characters of ``plain`` around the first place one of ``words`` appears."""
    lowered = plain.casefold()
    at = min((i for i in (lowered.find(w) for w in words) if i >= 0), default=0)
    start = max(0, at - width // 4)
    if start:
        space = plain.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    cut = plain[start:start + width].strip()
    return ("…" if start else "") + cut + ("…" if start + width < len(plain) else "")

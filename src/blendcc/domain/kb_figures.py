"""Knowledge-base figures (KPIS.md): self-service deflection, article views, agents' article use, top articles."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

#: a contact within this long of a help-centre session's start ends the session's deflection (KPIS.md)
DEFLECTION_WINDOW_S = 24 * 3600.0
USE_ACTIONS = ("open", "insert", "send")
UseAction = Literal["open", "insert", "send"]


@dataclass(frozen=True)
class HelpSession:
    """An anonymous help-centre session: its id, when it started and the page language it started in."""

    id: str
    started_at: float
    lang: str


@dataclass(frozen=True)
class HelpView:
    """An article opened in a help-centre session."""

    session_id: str
    at: float
    article_id: str
    lang: str
    category: str


@dataclass(frozen=True)
class HelpContact:
    """A contact (web chat or contact form) started from the browser of a help-centre session."""

    session_id: str
    at: float


@dataclass(frozen=True)
class ArticleUse:
    """An agent opened, inserted or sent an article on a contact."""

    contact_id: str
    article_id: str
    lang: str
    action: str
    agent: str | None
    at: float


class Rate(BaseModel):
    key: str = Field(description="the language or category ('' for articles without one)")
    sessions: int
    deflected: int
    rate: float | None = Field(description="deflected / sessions; null without sessions")


class ArticleCount(BaseModel):
    id: str
    lang: str
    views: int = 0
    open: int = 0
    insert: int = 0
    send: int = 0
    contacts: int = Field(0, description="distinct contacts (uses), or sessions that became contacts (viewed before)")


class KbFigures(BaseModel):
    start: float
    end: float
    sessions: int = Field(description="self-service sessions started in the period")
    sessions_with_article: int = Field(description="of which opened at least one article")
    searches: int
    deflected: int = Field(description="sessions that opened an article and made no contact within 24 h")
    deflection_rate: float | None = Field(description="deflected / sessions (KPIS.md); null without sessions")
    by_language: list[Rate]
    by_category: list[Rate] = Field(description="per category of the articles opened: sessions that opened one")
    article_views: list[ArticleCount] = Field(description="help-centre article views, most first")
    agent_uses: list[ArticleCount] = Field(description="articles used by agents on contacts, most first")
    top_articles: list[ArticleCount] = Field(description="views plus agents' uses, most first (at most 10)")
    viewed_before_contact: list[ArticleCount] = Field(
        description="articles opened in sessions that then made a contact (did not deflect), most first")


def _rate(n: int, d: int) -> float | None:
    return None if n == 0 else round(d / n, 4)


def figures(start: float, end: float, sessions: list[HelpSession], views: list[HelpView], searches: int,
            contacts: list[HelpContact], uses: list[ArticleUse]) -> KbFigures:
    """The figures of sessions started in [start, end) (their views and contacts may come later) and of the
    agents' uses made in [start, end)."""
    ours = {s.id: s for s in sessions if start <= s.started_at < end}
    seen: dict[str, list[HelpView]] = defaultdict(list)
    for v in views:
        if v.session_id in ours:
            seen[v.session_id].append(v)
    contacted: dict[str, float] = {}
    for c in contacts:
        s = ours.get(c.session_id)
        if s is not None and c.at - s.started_at < DEFLECTION_WINDOW_S:
            contacted[c.session_id] = min(c.at, contacted.get(c.session_id, c.at))
    deflected = {sid for sid in seen if sid not in contacted}
    by_lang: dict[str, list[str]] = defaultdict(list)
    for s in ours.values():
        by_lang[s.lang].append(s.id)
    by_cat: dict[str, set[str]] = defaultdict(set)
    for sid, vs in seen.items():
        for v in vs:
            by_cat[v.category].add(sid)

    def rates(groups: dict[str, list[str]] | dict[str, set[str]]) -> list[Rate]:
        out = []
        for key in sorted(groups):
            ids = groups[key]
            d = sum(1 for i in ids if i in deflected)
            out.append(Rate(key=key, sessions=len(ids), deflected=d, rate=_rate(len(ids), d)))
        return out

    view_count = Counter((v.article_id, v.lang) for vs in seen.values() for v in vs)
    before: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sid, at in contacted.items():
        for v in seen.get(sid, []):
            if v.at <= at:
                before[(v.article_id, v.lang)].add(sid)
    period_uses = [u for u in uses if start <= u.at < end]
    use_count: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    use_contacts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u in period_uses:
        use_count[(u.article_id, u.lang)][u.action] += 1
        use_contacts[(u.article_id, u.lang)].add(u.contact_id)

    def used(key: tuple[str, str]) -> ArticleCount:
        c = use_count.get(key, Counter())
        return ArticleCount(id=key[0], lang=key[1], views=view_count.get(key, 0), open=c["open"],
                            insert=c["insert"], send=c["send"], contacts=len(use_contacts.get(key, ())))

    def ranked(items: list[ArticleCount], weight: str) -> list[ArticleCount]:
        return sorted(items, key=lambda a: (-_weight(a, weight), a.id, a.lang))

    everything = set(view_count) | set(use_count)
    return KbFigures(
        start=start, end=end, sessions=len(ours), sessions_with_article=len(seen),
        searches=searches, deflected=len(deflected), deflection_rate=_rate(len(ours), len(deflected)),
        by_language=rates(by_lang), by_category=rates(by_cat),
        article_views=ranked([ArticleCount(id=k[0], lang=k[1], views=n) for k, n in view_count.items()], "views"),
        agent_uses=ranked([used(k) for k in use_count], "uses"),
        top_articles=ranked([used(k) for k in everything], "all")[:10],
        viewed_before_contact=ranked([ArticleCount(id=k[0], lang=k[1], contacts=len(s)) for k, s in before.items()],
                                     "contacts"))


def _weight(a: ArticleCount, what: str) -> int:
    uses = a.open + a.insert + a.send
    return {"views": a.views, "uses": uses, "contacts": a.contacts}.get(what, a.views + uses)

"""The knowledge base on SQLite (FTS5) and PostgreSQL (full-text search): versions, publishing, search ranking,
prefixes, languages written without spaces, suggestions from a customer's words."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from blendcc.adapters.storage.kb_repo import SqlKnowledgeBase
from blendcc.app.knowledge.service import KnowledgeService
from blendcc.domain.errors import NotFound
from blendcc.domain.knowledge import Article
from blendcc.testing import FakeClock


@pytest.fixture
def kb(sql_engine: Engine) -> KnowledgeService:
    return KnowledgeService(SqlKnowledgeBase(sql_engine), FakeClock(1_000.0))


def article(aid: str, title: str, body: str, lang: str = "en", status: str = "published", **kw: object) -> Article:
    return Article.model_validate({"id": aid, "lang": lang, "title": title, "body": body, "status": status, **kw})


def seed(kb: KnowledgeService) -> None:
    kb.save(article("reset-card-pin", "Reset a card PIN",
                    "If a customer forgot the **PIN** of a debit card, verify identity, then send a new PIN by post.",
                    category="cards", tags=["pin"]), "sup")
    kb.save(article("lost-card", "Report a lost card",
                    "Block the card at once. A replacement card arrives in five days; the old PIN stays valid.",
                    category="cards"), "sup")
    kb.save(article("mortgage-rates", "Mortgage rates",
                    "Fixed and variable rates are listed on the rates page, updated every Monday."), "sup")
    kb.save(article("draft-fees", "Card fees 2027", "Draft: new card fees.", status="draft"), "sup")
    kb.save(article("reset-card-pin", "Сбросить PIN-код карты",
                    "Если клиент забыл PIN-код карты, проверьте личность и отправьте новый PIN.", lang="ru"), "sup")
    kb.save(article("lost-card", "挂失银行卡", "请立即冻结银行卡。新卡五天内寄到。", lang="zh"), "sup")
    kb.save(article("lost-card", "گزارش گم شدن کارت", "کارت را فوراً مسدود کنید. کارت جدید ظرف پنج روز می‌رسد.",
                    lang="fa"), "sup")


def test_search_ranks_title_matches_first_and_keeps_drafts_out(kb: KnowledgeService) -> None:
    seed(kb)
    hits = kb.search("card pin", "en")
    assert [h.id for h in hits] == ["reset-card-pin", "lost-card"]  # both words in the title beat the body
    assert hits[0].score > hits[1].score
    assert "PIN" in hits[0].snippet and "**" not in hits[0].snippet  # plain text, not Markdown
    assert [h.id for h in kb.search("fees", "en")] == []  # a draft is not searched...
    assert [h.id for h in kb.search("fees", "en", published_only=False)] == ["draft-fees"]  # ...unless asked
    assert [h.id for h in kb.search("mortg", "en")] == ["mortgage-rates"]  # the last word as a prefix
    assert kb.search("card", "en", limit=1)[0].id in ("reset-card-pin", "lost-card")
    assert [h.lang for h in kb.search("card")] == ["en", "en"]  # all languages: only English has "card"
    assert kb.search("", "en") == [] and kb.search("!!! ???", "en") == []


def test_languages_with_other_scripts_and_without_spaces(kb: KnowledgeService) -> None:
    seed(kb)
    assert [h.id for h in kb.search("забыл PIN", "ru")] == ["reset-card-pin"]
    assert [h.id for h in kb.search("冻结", "zh")] == ["lost-card"]  # two characters inside a sentence
    assert kb.search("冻结", "en") == []
    assert [h.id for h in kb.search("مسدود", "fa")] == ["lost-card"]


def test_versions_publish_and_withdraw(kb: KnowledgeService) -> None:
    seed(kb)
    v2 = kb.save(article("mortgage-rates", "Mortgage rates", "Rates change on the first Monday of the month."),
                 "editor")
    assert v2.version == 2 and v2.updated_by == "editor"
    assert [v.version for v in kb.versions("mortgage-rates", "en")] == [1, 2]
    assert kb.version("mortgage-rates", "en", 1).article.body.startswith("Fixed")
    assert [h.id for h in kb.search("first monday", "en")] == ["mortgage-rates"]  # the new text is searched
    assert kb.search("variable", "en") == []  # the old one is not
    withdrawn = kb.set_status("mortgage-rates", "en", "draft", "sup")
    assert withdrawn.version == 3 and kb.search("monday", "en") == []
    with pytest.raises(NotFound):
        kb.get("mortgage-rates", "en", published_only=True)
    assert kb.set_status("mortgage-rates", "en", "draft", "sup").version == 3  # unchanged: no new version
    with pytest.raises(NotFound):
        kb.versions("nope", "en")
    assert {a.article.lang for a in kb.list()} == {"en", "ru", "zh", "fa"}
    assert [a.article.id for a in kb.list("en", published_only=True)] == ["lost-card", "reset-card-pin"]


def test_suggestions_from_what_a_customer_wrote(kb: KnowledgeService) -> None:
    seed(kb)
    got = kb.suggest("Hello, I think I lost my card yesterday, what should I do?", "en")
    assert "the" not in got.words and "lost" in got.words
    assert got.hits[0].id == "lost-card"
    assert kb.suggest("hello thanks", "en").hits == []  # nothing but courtesy words


def test_markdown_is_rendered_safely(kb: KnowledgeService) -> None:
    v = kb.save(article("xss", "Links", "<script>alert(1)</script> [bad](javascript:alert(1)) [ok](https://x.test)"),
                None)
    html = kb.html(v)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="https://x.test"' in html

"""Knowledge-base use on SQLite and PostgreSQL: help-centre sessions, their events and contacts, agents' uses, and
the figures of KPIS.md (deflection) checked against values worked out by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from blendcc.adapters.storage.kb_usage_repo import SqlKbUsage
from blendcc.app.knowledge.usage import KbUsageService
from blendcc.domain.errors import ValidationFailed
from blendcc.testing import FakeClock

DAY = 86400.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(0.0)


@pytest.fixture
def usage(sql_engine: Engine, clock: FakeClock) -> KbUsageService:
    return KbUsageService(SqlKbUsage(sql_engine), clock)


def at(clock: FakeClock, t: float) -> None:
    clock.advance(t - clock.now())


def test_a_session_continues_for_thirty_minutes_and_unknown_ids_start_anew(usage: KbUsageService,
                                                                           clock: FakeClock) -> None:
    at(clock, 100.0)
    first = usage.visit(None, "en")
    assert first.startswith("hs-") and len(first) == 35
    at(clock, 100.0 + 29 * 60)
    assert usage.visit(first, "en") == first
    at(clock, 100.0 + 31 * 60)
    assert usage.visit(first, "en") != first
    assert usage.visit("hs-" + "0" * 32, "en") != "hs-" + "0" * 32  # never seen: not adopted
    assert usage.visit("'; drop table x", "en").startswith("hs-")
    assert not usage.contacted("hs-" + "1" * 32, "wc-x") and not usage.contacted(None, "wc-y")
    assert usage.contacted(first, "wc-z")


def test_figures_match_a_hand_worked_month(usage: KbUsageService, clock: FakeClock) -> None:
    start = 1000.0
    at(clock, 999.0)  # s5: before the period; counts nowhere
    s5 = usage.visit(None, "en")
    usage.searched(s5)
    usage.viewed(s5, "a", "en", "billing")
    at(clock, 1000.0)  # s1: two articles, no contact: deflected
    s1 = usage.visit(None, "en")
    usage.searched(s1)
    at(clock, 1010.0)
    usage.viewed(s1, "a", "en", "billing")
    at(clock, 1020.0)
    usage.viewed(s1, "b", "en", "network")
    at(clock, 1500.0)
    usage.used("k1", "a", "en", "open", "ann")
    at(clock, 1600.0)
    usage.used("k1", "a", "en", "send", "ann")
    at(clock, 1700.0)
    usage.used("k2", "b", "en", "insert", "bob")
    at(clock, 2000.0)  # s2: an article, then a chat: not deflected
    s2 = usage.visit(None, "en")
    at(clock, 2010.0)
    usage.viewed(s2, "a", "en", "billing")
    at(clock, 2100.0)
    assert usage.contacted(s2, "wc-1")
    at(clock, 3000.0)  # s3: searched twice, opened nothing: a session, not deflected
    s3 = usage.visit(None, "fa")
    usage.searched(s3)
    usage.searched(s3)
    at(clock, 4000.0)  # s4: an article; its contact comes after 24 h: deflected
    s4 = usage.visit(None, "fa")
    at(clock, 4010.0)
    usage.viewed(s4, "c", "fa", "billing")
    at(clock, 4000.0 + DAY + 1)
    assert usage.contacted(s4, "wc-2")

    f = usage.figures(start, start + DAY)
    assert (f.sessions, f.sessions_with_article, f.searches, f.deflected) == (4, 3, 3, 2)
    assert f.deflection_rate == 0.5
    assert [(r.key, r.sessions, r.deflected, r.rate) for r in f.by_language] == [("en", 2, 1, 0.5), ("fa", 2, 1, 0.5)]
    assert [(r.key, r.sessions, r.deflected, r.rate) for r in f.by_category] == [
        ("billing", 3, 2, 0.6667), ("network", 1, 1, 1.0)]
    assert [(a.id, a.lang, a.views) for a in f.article_views] == [("a", "en", 2), ("b", "en", 1), ("c", "fa", 1)]
    assert [(a.id, a.open, a.insert, a.send, a.contacts) for a in f.agent_uses] == [
        ("a", 1, 0, 1, 1), ("b", 0, 1, 0, 1)]
    assert [(a.id, a.views + a.open + a.insert + a.send) for a in f.top_articles] == [("a", 4), ("b", 2), ("c", 1)]
    assert [(a.id, a.lang, a.contacts) for a in f.viewed_before_contact] == [("a", "en", 1)]
    assert [(u.article_id, u.action, u.agent) for u in usage.repo.uses_of("k1")] == [("a", "open", "ann"),
                                                                                     ("a", "send", "ann")]
    later = usage.figures(start + DAY, start + 2 * DAY)  # nothing started then; the late use is not in it
    assert (later.sessions, later.deflection_rate, later.agent_uses) == (0, None, [])


def test_a_bad_period_is_refused(usage: KbUsageService) -> None:
    with pytest.raises(ValidationFailed):
        usage.figures(10.0, 10.0)
    with pytest.raises(ValidationFailed):
        usage.figures(0.0, 400 * DAY)

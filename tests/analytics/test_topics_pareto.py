"""Topic extraction (TF-IDF over n-grams, per language) and the Pareto of reasons on fixed samples."""

# multilingual samples: Cyrillic letters and full-width punctuation are meant
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from blendcc.adapters.sentiment.loaders import stop_words
from blendcc.analytics.pareto import pareto
from blendcc.analytics.topics import TopicSettings, contact_topics, terms

STOP = stop_words()


def test_terms_drop_stop_words_and_keep_phrases() -> None:
    assert terms("I want a refund for my broken phone", "en", STOP["en"]) == [
        "refund", "broken", "phone", "broken phone"]  # "want" is in the package's English stop words
    assert "zwrot pieniędzy" in terms("Proszę o zwrot pieniędzy", "pl", STOP["pl"])
    assert "сброс пароля" in terms("Нужен сброс пароля", "ru", STOP["ru"])
    assert terms("密码重置", "zh", frozenset()) == ["密码", "码重", "重置"]
    assert terms("the 2024 and", "en", STOP["en"]) == []


def test_each_contact_gets_the_phrase_it_shares_with_others() -> None:
    texts = {
        "c1": ("Please reset my password, the password reset link expired", "en"),
        "c2": ("password reset is not working for me", "en"),
        "c3": ("I need a password reset today", "en"),
        "c4": ("Where is my parcel? The parcel tracking shows nothing", "en"),
        "c5": ("parcel tracking number please", "en"),
        "c6": ("Сброс пароля не работает", "ru"),
        "c7": ("Помогите, сброс пароля", "ru"),
        "c8": ("hello", "en"),
    }
    docs = {cid: terms(t, lang, STOP[lang]) for cid, (t, lang) in texts.items()}
    tags = contact_topics(docs, TopicSettings(min_df=2, max_df=0.5, per_contact=2))
    assert [tags[c][0] for c in ("c1", "c2", "c3")] == ["password reset"] * 3
    assert tags["c4"][0] == tags["c5"][0] == "parcel tracking"
    assert tags["c6"][0] == tags["c7"][0] == "сброс пароля"
    assert tags["c8"] == []
    assert "password" not in tags["c1"]  # a word inside a chosen phrase is not repeated
    assert contact_topics({}) == {}


def test_pareto_sorts_shares_and_marks_the_80_percent_cut() -> None:
    reasons = {f"c{i}": r for i, r in enumerate(
        ["billing"] * 5 + ["password"] * 3 + ["delivery"] * 1 + ["other"] * 1 + [None] * 2)}
    rows = pareto(reasons)
    assert [(r.reason, r.count) for r in rows] == [("billing", 5), ("password", 3), ("delivery", 1), ("other", 1)]
    assert [r.share for r in rows] == [0.5, 0.3, 0.1, 0.1]
    assert [r.cumulative for r in rows] == pytest.approx([0.5, 0.8, 0.9, 1.0])
    assert [r.vital_few for r in rows] == [True, True, False, False]  # up to the row reaching 80%
    ties = pareto(["b", "a", "a", "b", "c"])
    assert [r.reason for r in ties] == ["a", "b", "c"] and [r.vital_few for r in ties] == [True, True, False]
    assert pareto({}) == []

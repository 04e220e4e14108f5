"""Offline sentiment on small fixed samples written for these tests (never the evaluation sets): each of
the five languages, language detection, the lexicon rules (negation, post-negation, boosters, contrast), the
naive Bayes segmenter, the KPIS.md labels and per-contact mean/end figures."""

# multilingual samples: Cyrillic letters and full-width punctuation are meant
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from blendcc.adapters.sentiment.loaders import build_scorer, chinese_table, parse_lexicon, seed_lexicon
from blendcc.analytics.sentiment import contact_sentiment, label_of
from blendcc.analytics.sentiment.bayes import BayesTable
from blendcc.analytics.sentiment.language import detect
from blendcc.analytics.sentiment.lexicon import Lexicon, score_text

SAMPLES = [  # (text, language, expected label)
    ("Thank you so much, the agent was wonderful and fixed it quickly!", "en", "positive"),
    ("This is the worst service ever, I am furious and want a refund.", "en", "negative"),
    ("My order number is 12345.", "en", "neutral"),
    ("Dziękuję bardzo, wszystko działa świetnie!", "pl", "positive"),
    ("Jestem bardzo niezadowolony, obsługa była fatalna.", "pl", "negative"),
    ("Proszę o fakturę za marzec.", "pl", "neutral"),
    ("Спасибо большое, всё отлично работает!", "ru", "positive"),
    ("Ужасный сервис, никто не отвечает, я возмущён.", "ru", "negative"),
    ("Номер заказа 4411, адрес доставки Москва.", "ru", "neutral"),
    ("服务很好，非常满意，谢谢！", "zh", "positive"),
    ("太差了，等了半天也没人回复，很失望。", "zh", "negative"),
    ("خیلی عالی بود، ممنون از پشتیبانی خوبتون", "fa", "positive"),
    ("کیفیت افتضاح بود و بسته خراب رسید", "fa", "negative"),
    ("سفارش من شماره ۱۲۳ است", "fa", "neutral"),
]


@pytest.fixture(scope="module")
def scorer():  # type: ignore[no-untyped-def]
    return build_scorer()


@pytest.mark.parametrize(("text", "language", "label"), SAMPLES)
def test_each_language_scores_its_fixed_samples(scorer, text: str, language: str, label: str) -> None:  # type: ignore[no-untyped-def]
    got = scorer.score(text)
    assert got.language == language
    assert got.label == label, (text, got)
    assert -1.0 <= got.score <= 1.0


def test_language_detection_by_script_and_polish_cues() -> None:
    assert detect("Where is my parcel?") == "en"
    assert detect("Gdzie jest moja paczka?") == "pl"  # Polish function words, no Polish letter
    assert detect("Paczka dotarła uszkodzona") == "pl"  # a Polish letter
    assert detect("Где моя посылка?") == "ru"
    assert detect("我的包裹在哪里？") == "zh"
    assert detect("بسته من کجاست؟") == "fa"
    assert detect("12345 !!!") == "en" and detect("", default="pl") == "pl"


def test_labels_follow_kpis_thresholds() -> None:
    assert [label_of(s) for s in (-0.26, -0.25, 0.0, 0.25, 0.26)] == [
        "negative", "neutral", "neutral", "neutral", "positive"]


def test_contact_mean_end_and_shares() -> None:
    c = contact_sentiment([-0.8, 0.0, 0.5, 0.9])
    assert c.messages == 4 and c.mean == pytest.approx(0.15) and c.end == 0.9
    assert (c.negative, c.neutral, c.positive) == (0.25, 0.25, 0.5)
    d = c.to_dict()
    assert d["mean_label"] == "neutral" and d["end_label"] == "positive"
    empty = contact_sentiment([])
    assert empty.mean is None and empty.end is None and empty.messages == 0


LEX = Lexicon("xx", {"good": 2.0, "bad": -2.0}, {"terribl": -3.0}, frozenset({"not"}), {"very": 0.5},
              frozenset({"but"}), frozenset({"isnt"}))


def test_lexicon_rules() -> None:
    good = score_text("good", LEX)
    assert good > 0.25 and score_text("very good", LEX) > good  # booster
    assert score_text("not good", LEX) < 0  # negation before
    assert score_text("good isnt", LEX) < 0  # negation after (Persian word order)
    assert score_text("terribly", LEX) < score_text("bad", LEX) < 0  # a stem covers inflected forms
    assert score_text("good but bad", LEX) < 0  # after a contrast word counts more
    assert score_text("good!", LEX) > good  # emphasis
    assert score_text("nothing here", LEX) == 0.0
    assert score_text("GOOD", LEX) == good  # folded to lower case
    assert score_text("not here, good", LEX) == good  # a negation ends with its clause


def test_seed_lexicon_format_and_errors() -> None:
    lex = parse_lexicon("xx", "# c\n@negator\tno\n@booster\tso\t0.2\n@contrast\tyet\nok\t1\nfine*\t2\n")
    assert lex.negators == {"no"} and lex.boosters == {"so": 0.2} and lex.contrast == {"yet"}
    assert lex.valence("ok") == 1 and lex.valence("finest") == 2 and lex.valence("fin") is None
    with pytest.raises(ValueError, match="line 1"):
        parse_lexicon("xx", "word\tnot-a-number\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_lexicon("xx", "ok\t1\n@unknown\tx\n")
    assert parse_lexicon("xx", "OK\t1\nبی\u200cکیفیت\t-2\n").words == {"ok": 1.0, "بیکیفیت": -2.0}
    for lang in ("pl", "ru", "fa"):
        assert len(seed_lexicon(lang).words) + len(seed_lexicon(lang).stems) > 80


def test_bayes_segmenter_and_score() -> None:
    table = BayesTable({"好": 20.0, "很好": 30.0, "差": 1.0}, {"好": 2.0, "差": 40.0, "很好": 1.0}, 100.0, 100.0)
    assert table.segment("服务很好") == ["服", "务", "很好"]
    assert table.score_text("很好") > 0.9 and table.score_text("差") < -0.9
    assert table.score_words([]) == 0.0  # equal priors
    zh = chinese_table()
    assert zh.max_word >= 2 and "的" in zh.stop

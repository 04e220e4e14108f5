"""The automatic surveys' default words: every seed language has every phrase, links have their {url}."""

from __future__ import annotations

from blendcc.app.surveys.texts import _all, survey_texts
from blendcc.ivr.survey import QUESTIONS


def test_every_language_has_every_phrase_and_the_links_their_url() -> None:
    table = _all()
    assert sorted(table) == ["en", "fa", "pl", "ru", "zh"]
    for lang, words in table.items():
        assert set(words) == set(table["en"]), lang
        assert all(v.strip() for v in words.values()), lang
        assert words["email"].count("{url}") == 1 and words["sms"].count("{url}") == 1, lang
        for survey, keys in (("csat", "15"), ("ces", "17")):  # the question names the scale's ends
            text = words[survey].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
            assert all(k in text for k in keys), (lang, survey)
    assert table["en"]["csat"] == QUESTIONS["csat"]  # the pure flow's own default is the same English


def test_a_language_is_found_by_its_base_and_unknown_ones_are_english() -> None:
    assert survey_texts("pl-PL") is _all()["pl"] and survey_texts("RU") is _all()["ru"]
    assert survey_texts("xx") is _all()["en"]

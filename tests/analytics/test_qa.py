"""The pure QA core: scorecard validation, the QA score of KPIS.md (weights, N/A, auto-fail), calibration spread,
mean scores per group, signals and the seeded sampling rule."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from blendcc.analytics.qa import Scored, answer_problems, calibration, mean_scores, preview, score, spread
from blendcc.analytics.qa_scorecard import Scorecard, Signals, problems
from blendcc.analytics.qa_signals import Candidate, ContactFacts, Said, fold, longest_silence, said, sample, signals

CARD: dict[str, Any] = {
    "id": "chat", "name": "Chat quality",
    "sections": [
        {"id": "open", "title": "Opening", "questions": [
            {"id": "greet", "text": "Greeted the customer?", "weight": 1},
            {"id": "verify", "text": "Verified identity?", "auto_fail": True, "weight": 2, "na_allowed": True},
        ]},
        {"id": "solve", "title": "Resolution", "questions": [
            {"id": "skill", "text": "Product knowledge", "kind": "scale", "scale_max": 5, "weight": 3},
            {"id": "upsell", "text": "Offered an upgrade?", "na_allowed": True},
        ]},
    ],
}


def card(**changes: Any) -> Scorecard:
    return Scorecard.model_validate({**CARD, **changes})


def test_score_is_weighted_points_over_weighted_max_of_answered_questions() -> None:
    got = score(card(), {"greet": "yes", "verify": "yes", "skill": 4, "upsell": "no"})
    # (1*1 + 2*1 + 3*4 + 1*0) / (1*1 + 2*1 + 3*5 + 1*1) = 15 / 19
    assert math.isclose(got.score, 15 / 19) and not got.auto_failed
    assert (got.points, got.max_points, got.answered, got.not_applicable) == (15.0, 19.0, 4, 0)


def test_not_applicable_answers_are_left_out_of_both_sums() -> None:
    got = score(card(), {"greet": "no", "verify": "na", "skill": 5, "upsell": "na"})
    assert math.isclose(got.score, (0 + 15) / (1 + 15)) and got.not_applicable == 2


def test_a_failed_auto_fail_question_makes_the_score_zero() -> None:
    got = score(card(), {"greet": "yes", "verify": "no", "skill": 5, "upsell": "yes"})
    assert got.score == 0.0 and got.auto_failed and got.failed_by == ("verify",)
    assert got.points == 17.0  # the points are still reported


@pytest.mark.parametrize(("answers", "loc", "words"), [
    ({"verify": "yes", "skill": 3, "upsell": "no"}, ["answers", "greet"], "missing"),
    ({"greet": "na", "verify": "yes", "skill": 3, "upsell": "no"}, ["answers", "greet"], "N/A is not allowed"),
    ({"greet": "maybe", "verify": "yes", "skill": 3, "upsell": "no"}, ["answers", "greet"], "'yes' or 'no'"),
    ({"greet": "yes", "verify": "yes", "skill": 6, "upsell": "no"}, ["answers", "skill"], "from 1 to 5"),
    ({"greet": "yes", "verify": "yes", "skill": True, "upsell": "no"}, ["answers", "skill"], "from 1 to 5"),
    ({"greet": "yes", "verify": "yes", "skill": 2, "upsell": "no", "x": "yes"}, ["answers", "x"], "no question"),
])
def test_bad_answers_are_refused_at_their_question(answers: dict[str, Any], loc: list[Any], words: str) -> None:
    found = answer_problems(card(), answers)
    assert [p[0] for p in found] == [loc] and words in found[0][1]
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        score(card(), answers)


def test_every_answer_na_is_refused() -> None:
    only_na = card(sections=[{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "na_allowed": True}]}])
    assert answer_problems(only_na, {"q": "na"}) == [(["answers"], "every answer is N/A: at least one question "
                                                                   "must be answered")]


@pytest.mark.parametrize(("change", "loc", "words"), [
    ({"sections": []}, ("sections",), "at least 1"),
    ({"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "kind": "scale"}]}]},
     ("sections", 0, "questions", 0), "needs scale_max"),
    ({"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "kind": "scale",
                                                            "scale_max": 5, "auto_fail": True}]}]},
     ("sections", 0, "questions", 0), "only a yes/no question can be auto-fail"),
    ({"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "text": "Q", "weight": 0}]}]},
     ("sections", 0, "questions", 0, "weight"), "greater than 0"),
    ({"channels": ["pigeon"]}, ("channels", 0), "Input should be"),
])
def test_scorecard_field_errors_carry_their_path(change: dict[str, Any], loc: tuple[Any, ...], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        card(**change)
    err = info.value.errors()[0]
    assert err["loc"] == loc and words in err["msg"]


def test_cross_field_problems_carry_their_path() -> None:
    dup = card(sections=[*CARD["sections"], {"id": "open", "title": "Again", "questions": [
        {"id": "greet", "text": "Again?"}]}], queues=["sales", "nope"],
               signals={"required": [{"id": "g", "phrases": ["hi"]}, {"id": "g", "phrases": ["hello"]}]})
    found = problems(dup, {"sales"})
    assert [loc for loc, _ in found] == [["sections", 2, "id"], ["sections", 2, "questions", 0, "id"],
                                         ["queues", 1], ["signals", "required", 1, "id"]]
    assert "unknown queue 'nope'" in found[2][1]
    assert problems(card(queues=["sales"]), {"sales"}) == []


def test_applies_to_queues_and_channels() -> None:
    c = card(queues=["sales"], channels=["chat", "email"])
    assert c.applies_to("sales", "chat") and not c.applies_to("support", "chat") and not c.applies_to("sales", "voice")
    assert card().applies_to(None, "voice")


def test_calibration_spread_per_question_and_overall() -> None:
    sheets = [{"greet": "yes", "verify": "yes", "skill": 5, "upsell": "na"},
              {"greet": "yes", "verify": "yes", "skill": 3, "upsell": "yes"},
              {"greet": "no", "verify": "no", "skill": 4, "upsell": "no"}]
    got = calibration(card(), sheets)
    q = {row["question_id"]: row for row in got["questions"]}
    assert got["evaluations"] == 3
    assert (q["skill"]["min"], q["skill"]["max"], q["skill"]["n"]) == (0.6, 1.0, 3)
    assert math.isclose(q["skill"]["stdev"], math.sqrt(((1 - .8) ** 2 + (.6 - .8) ** 2) / 3))
    assert (q["upsell"]["n"], q["upsell"]["min"], q["upsell"]["max"], q["upsell"]["stdev"]) == (2, 0.0, 1.0, 0.5)
    scores = [score(card(), s).score for s in sheets]
    assert got["overall"]["min"] == 0.0 and got["overall"]["max"] == max(scores)
    assert math.isclose(got["overall"]["stdev"], spread(scores).stdev or 0.0)
    assert spread([]).to_dict() == {"n": 0, "min": None, "max": None, "stdev": None}


def test_mean_scores_per_agent_team_and_queue() -> None:
    rows = [Scored("a1", "t1", "sales", 1.0), Scored("a1", "t1", "support", 0.5), Scored("a2", "t1", "sales", 0.0),
            Scored("a3", None, "sales", 0.25)]
    assert mean_scores(rows, "agent") == [{"key": "a1", "bucket_start": 0.0, "evaluations": 2, "mean_score": 0.75},
                                          {"key": "a2", "bucket_start": 0.0, "evaluations": 1, "mean_score": 0.0},
                                          {"key": "a3", "bucket_start": 0.0, "evaluations": 1, "mean_score": 0.25}]
    assert mean_scores(rows, "team") == [{"key": "t1", "bucket_start": 0.0, "evaluations": 3, "mean_score": 0.5}]
    assert [r["key"] for r in mean_scores(rows, "queue")] == ["sales", "support"]
    with pytest.raises(ValueError):
        mean_scores(rows, "day")
    daily = [Scored("a1", None, None, 1.0, at=1000.0), Scored("a1", None, None, 0.0, at=1000.0 + 86399),
             Scored("a1", None, None, 0.5, at=1000.0 + 86400)]
    assert [(r["bucket_start"], r["evaluations"], r["mean_score"]) for r in mean_scores(daily, "agent", 1000.0,
                                                                                          86400.0)] == [
        (1000.0, 2, 0.5), (87400.0, 1, 0.5)]


def test_phrases_match_whole_words_case_and_punctuation_folded() -> None:
    text = fold("Hello!  Thank you for calling ACME. 您好请问")
    assert said("thank you for calling", text) and said("HELLO", text) and said("您好", text)
    assert not said("hell", text) and not said("calling acme support", text)


def test_signals_from_the_facts_and_the_cards_settings() -> None:
    cfg = Signals(long_hold_s=60, long_silence_s=120, negative_end_below=-0.3,
                  required=[{"id": "greeting", "phrases": ["hello", "good morning"]},
                            {"id": "disclosure", "phrases": ["this chat is recorded"]}],
                  prohibited=["calm down", "whatever"])
    msgs = (Said("customer", 0, "my bill is wrong"), Said("agent", 200, "Hello, please calm down."),
            Said("customer", 210, "ok"), Said("agent", 230, "fixed"))
    got = signals(ContactFacts(hold_s=90, messages=msgs, customer_end_sentiment=-0.6), cfg)
    assert [(s.kind, s.value) for s in got] == [("long_hold", 90), ("long_silence", 200), ("negative_sentiment", -0.6),
                                                ("required_phrase_missing", "disclosure"),
                                                ("prohibited_phrase", "calm down")]
    calm = signals(ContactFacts(10, (Said("agent", 0, "Good morning! This chat is recorded."),), 0.5), cfg)
    assert calm == []
    assert longest_silence(msgs) == 200 and longest_silence(()) == 0


def _candidates() -> list[Candidate]:
    return [Candidate(f"c{i:03d}", f"a{i % 3}", f"2026-W{49 + i % 2}", flagged=(i == 7)) for i in range(60)]


def test_sampling_is_seeded_reproducible_and_per_agent_per_week() -> None:
    picks = sample(_candidates(), 2, seed=42)
    again = sample(list(reversed(_candidates())), 2, seed=42)
    assert picks == again  # the same seed and contacts give the same pick, whatever their order
    randoms = [p for p in picks if "random" in p["reasons"]]
    per_group: dict[tuple[str, str], int] = {}
    for p in randoms:
        per_group[(p["agent_id"], p["week"])] = per_group.get((p["agent_id"], p["week"]), 0) + 1
    assert len(per_group) == 6 and set(per_group.values()) == {2}
    assert any(p["contact_id"] == "c007" and "flagged" in p["reasons"] for p in picks)
    assert sample(_candidates(), 2, seed=43) != picks  # another seed, another pick
    assert [p["contact_id"] for p in sample(_candidates(), 0, seed=1)] == ["c007"]


def test_preview_scores_the_answers_so_far_with_the_same_formula() -> None:
    c = card()
    assert preview(c, {}) == (None, ["greet", "verify", "skill", "upsell"], [])
    result, missing, found = preview(c, {"greet": "yes", "skill": 3})
    assert found == [] and missing == ["verify", "upsell"] and result is not None
    assert result.score == pytest.approx((1 + 9) / (1 + 15))
    full = {"greet": "no", "verify": "yes", "skill": 4, "upsell": "na"}
    done, missing, _ = preview(c, full)
    assert missing == [] and done == score(c, full)  # complete answers: exactly the saved score
    failed, _, _ = preview(c, {"verify": "no"})
    assert failed is not None and (failed.score, failed.failed_by) == (0.0, ("verify",))
    _, _, bad = preview(c, {"greet": "na", "skill": 6, "other": "yes"})
    assert [loc for loc, _ in bad] == [["answers", "greet"], ["answers", "skill"], ["answers", "other"]]

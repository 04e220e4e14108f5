"""The post-call survey flow (pure): scales by DTMF, one more try after a wrong key or silence, then goodbye."""

from __future__ import annotations

import re

import pytest

from blendcc.ivr import interpreter
from blendcc.ivr.flow import PromptRef
from blendcc.ivr.messages import Collect, Dtmf, Hangup, Play, Timeout
from blendcc.ivr.session import IvrContext, IvrSession
from blendcc.ivr.survey import GOODBYE, INVALID, NO_INPUT, QUESTIONS, THANKS, score_pattern, survey_flow


@pytest.mark.parametrize(("low", "high"), [(1, 5), (0, 10), (1, 7), (0, 9), (10, 10)])
def test_the_pattern_matches_exactly_the_scale(low: int, high: int) -> None:
    pattern = score_pattern(low, high)
    keyed = [s for s in (*map(str, range(0, 100)), "", "#", "*", "01", "4#") if re.fullmatch(pattern, s)]
    assert keyed == [str(n) for n in range(low, high + 1)]


def _said(actions: list[object]) -> list[str | None]:
    return [a.prompt.text for a in actions if isinstance(a, Play)]


def _key(flow: object, session: IvrSession, keys: str) -> tuple[IvrSession, list[object]]:
    out: list[object] = []
    for k in keys:
        session, actions = interpreter.step(flow, session, Dtmf(k), 1.0)  # type: ignore[arg-type]
        out += actions
    return session, out


def test_csat_one_key_is_the_answer_then_thanks_and_hang_up() -> None:
    flow = survey_flow("csat", 1, 5)
    session, actions = interpreter.start(flow, IvrContext(), 0.0)
    assert _said(actions) == [QUESTIONS["csat"]] and actions[-1] == Collect(1, 8.0, "")
    session, actions = _key(flow, session, "4")
    assert session.ivr == {"score": "4"} and session.status == "ended"
    assert _said(actions) == [THANKS] and isinstance(actions[-1], Hangup)


def test_a_wrong_key_asks_again_once_then_goodbye_without_an_answer() -> None:
    flow = survey_flow("csat", 1, 5)
    session, _ = interpreter.start(flow, IvrContext(), 0.0)
    session, actions = _key(flow, session, "0")
    assert _said(actions) == [INVALID, QUESTIONS["csat"]] and session.status == "running"
    session, actions = _key(flow, session, "9")
    assert _said(actions) == [GOODBYE] and isinstance(actions[-1], Hangup)
    assert session.status == "ended" and "score" not in session.ivr


def test_silence_asks_again_then_a_key_counts() -> None:
    flow = survey_flow("ces", 1, 7)
    session, _ = interpreter.start(flow, IvrContext(), 0.0)
    session, actions = interpreter.step(flow, session, Timeout(), 9.0)
    assert _said(actions) == [NO_INPUT, QUESTIONS["ces"]]
    session, _ = _key(flow, session, "7")
    assert session.ivr == {"score": "7"}


def test_nps_takes_two_keys_or_one_ended_by_hash_or_the_timeout() -> None:
    flow = survey_flow("nps", 0, 10)
    for keys, expected in (("10", "10"), ("0#", "0"), ("9#", "9")):
        session, _ = interpreter.start(flow, IvrContext(), 0.0)
        session, _ = _key(flow, session, keys)
        assert session.ivr == {"score": expected}, keys
    session, _ = interpreter.start(flow, IvrContext(), 0.0)
    session, _ = _key(flow, session, "6")
    session, _ = interpreter.step(flow, session, Timeout(), 9.0)
    assert session.ivr == {"score": "6"}
    session, _ = interpreter.start(flow, IvrContext(), 0.0)
    session, actions = _key(flow, session, "11")  # not on the scale
    assert "score" not in session.ivr and _said(actions) == [INVALID, QUESTIONS["nps"]]


def test_the_queue_s_own_question_and_language() -> None:
    flow = survey_flow("csat", 1, 5, PromptRef(prompt_id="rate-us"), "pl")
    _, actions = interpreter.start(flow, IvrContext(), 0.0)
    [play] = [a for a in actions if isinstance(a, Play)]
    assert play.prompt.prompt_id == "rate-us" and play.prompt.language == "pl"

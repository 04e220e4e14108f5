"""The post-call survey as an IVR flow: one question answered by DTMF, asked again once, then thanks or goodbye."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blendcc.ivr.flow import IvrFlow, PromptRef

#: the collected answer is the session's ``ivr[SCORE]``
SCORE = "score"
#: the question of each survey when the queue gives none (English)
QUESTIONS = {
    "csat": "Please rate the help you received today. Press 1 for very dissatisfied, up to 5 for very satisfied.",
    "nps": "How likely are you to recommend us to a friend? Press 0 for not at all, up to 10 for extremely "
           "likely, then the hash key.",
    "ces": "How easy was it to get the help you needed? Press 1 for very easy, up to 7 for very difficult.",
}
INVALID = "Sorry, that is not one of the answers."
NO_INPUT = "Sorry, we did not hear a key."
THANKS = "Thank you for your answer. Goodbye."
GOODBYE = "Goodbye."


def score_pattern(low: int, high: int) -> str:
    """A regular expression matching exactly the whole numbers ``low`` to ``high`` (0 <= low <= high <= 10)."""
    singles = "".join(str(d) for d in range(low, min(high, 9) + 1))
    digit = f"[{singles}]" if singles else ""
    parts = [p for p in (digit, "10" if high >= 10 else "") if p]
    return "^(" + "|".join(parts) + ")$"


def survey_flow(survey: str, low: int, high: int, question: PromptRef | None = None, language: str = "en",
                timeout_s: float = 8.0, words: Mapping[str, str] | None = None) -> IvrFlow:
    """The flow that asks ``survey`` on its scale ``low``..``high``: one key for scales up to 9, else up to
    two keys ended by ``#`` (or the timeout); a wrong or missing answer replays the question once, then the
    call says goodbye. An answer is ``session.ivr["score"]``; the flow ends on a hang-up node either way.
    ``words`` (keys csat, nps, ces, invalid, no_input, thanks, goodbye) replace the English defaults, spoken
    by TTS in ``language``; ``question`` replaces the question."""
    two_keys = high >= 10
    said = {**QUESTIONS, "invalid": INVALID, "no_input": NO_INPUT, "thanks": THANKS, "goodbye": GOODBYE,
            **(words or {})}
    ask = question or PromptRef(text=said.get(survey, said["csat"]))
    nodes: list[dict[str, Any]] = [
        {"id": "question", "kind": "collect", "prompt": ask.model_dump(exclude_none=True), "attribute": SCORE,
         "rules": {"min_length": 1, "max_length": 2 if two_keys else 1, "pattern": score_pattern(low, high)},
         "terminators": "#" if two_keys else "", "timeout_s": timeout_s, "retries": 1,
         "invalid_prompt": {"text": said["invalid"]}, "no_input_prompt": {"text": said["no_input"]},
         "next": "thanks", "on_failure": "goodbye"},
        {"id": "thanks", "kind": "hangup", "prompt": {"text": said["thanks"]}},
        {"id": "goodbye", "kind": "hangup", "prompt": {"text": said["goodbye"]}},
    ]
    return IvrFlow.model_validate({"id": f"survey-{survey}", "name": f"Post-call {survey.upper()} survey",
                                   "language": language, "start": "question", "nodes": nodes})

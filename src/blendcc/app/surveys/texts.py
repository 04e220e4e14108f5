"""The default words of the automatic surveys per language (texts.json): the post-call question and its replies,
the email and SMS messages around a link; English for a language the table does not have."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FILE = Path(__file__).with_name("texts.json")


@cache
def _all() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(FILE.read_text(encoding="utf-8"))
    return data


def survey_texts(language: str) -> dict[str, str]:
    """The words in ``language`` (``pl-PL`` -> ``pl``): csat, nps, ces, invalid, no_input, thanks, goodbye,
    email and sms (these two with ``{url}``)."""
    table = _all()
    return table.get(language.split("-", 1)[0].lower(), table["en"])

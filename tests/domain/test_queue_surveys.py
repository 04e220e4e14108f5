"""A queue's survey settings: which channels may offer one and what an email or SMS text must hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig


def test_no_survey_unless_configured() -> None:
    assert QueueConfig(id="q").surveys == {}


def test_voice_email_and_sms_surveys() -> None:
    q = QueueConfig.model_validate({"id": "q", "surveys": {
        "voice": {"survey": "nps", "text": "Would you recommend us?", "language": "en"},
        "email": {"survey": "ces"}, "sms": {"text": "Rate us: {url}"}}})
    assert q.surveys[Channel.VOICE].survey == "nps" and q.surveys[Channel.SMS].survey == "csat"


@pytest.mark.parametrize(("surveys", "message"), [
    ({"chat": {}}, "not chat (web chat asks its own CSAT"),
    ({"sms": {"text": "Rate us"}}, "the sms survey text needs {url}"),
    ({"email": {"prompt_id": "rate"}}, "prompt_id is for voice surveys, not email"),
    ({"voice": {"survey": "stars"}}, "Input should be 'csat', 'nps' or 'ces'"),
    ({"voice": {"prompt_id": "../etc/passwd"}}, "String should match pattern"),
])
def test_refused_settings_say_why(surveys: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        QueueConfig.model_validate({"id": "q", "surveys": surveys})
    assert message in str(err.value)

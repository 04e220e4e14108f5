"""The post-call survey on a voice call (fake gateway, real IVR driver, engine and store): the agent hangs up,
the caller answers by DTMF, the answer and the invitation are in the log and the survey figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.ivr import IvrDriver
from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.app.channels.voice.survey import VoiceSurveys
from blendcc.domain.channels import Channel
from blendcc.ivr.flow import PromptRef
from blendcc.ivr.survey import GOODBYE, INVALID, QUESTIONS, THANKS


@pytest.fixture
def setup(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, FakeGateway, Any,
                                                                           list[str]]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="voice-admin-pw", secret_key="voice-test-key")
    c = build_container(settings, clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "surveys": {"voice": {"survey": "csat"}}}, "t")
    c.config.put("queues", "plain", {"name": "No survey", "wrap_up_s": 0}, "t")
    c.config.put("agents", "a1", {"name": "Ann", "queues": ["sales", "plain"]}, "t")
    c.config.put("workflows", "main", {"filters": [{"name": "plain", "expression": "dialled_number == 'plain'",
                                                    "targets": [{"queue": "plain"}]}],
                                       "default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec", default_recording="all"))
    said: list[str] = []

    def render(prompt: PromptRef, language: str) -> str | None:
        said.append(prompt.text or f"id:{prompt.prompt_id}")
        return f"/prompts/{len(said)}.wav"

    ivr = IvrDriver(voice, lambda vc: None, render, clock.now)

    def offer(queue_id: str | None) -> Any:
        queue = c.views.queue_config(queue_id)
        return queue.surveys.get(Channel.VOICE) if queue is not None else None

    VoiceSurveys(voice, ivr, offer, c.surveys)
    gw.phones.add("a1")
    c.agents.login("a1")
    yield c, voice, gw, clock, said
    voice.close()
    c.store.engine.dispose()


def _talk(voice: VoiceService, gw: FakeGateway, clock: Any, dialled: str = "0800") -> tuple[Any, FakeLeg]:
    leg = FakeLeg(f"cust-{len(voice.calls)}")
    voice.incoming(leg, "+442079460000", dialled)
    vc = next(v for v in voice.calls.values() if v.customer is leg)
    voice.agent_answered(vc.agent_leg)
    clock.advance(20)
    return vc, leg


def _events(c: Any, kind: str) -> list[Any]:
    return [s.event for s in c.store.read() if s.event.type == kind]


def _figures(c: Any, clock: Any, group: str = "all") -> list[dict[str, Any]]:
    return c.surveys.figures(clock.now() - 3600, clock.now() + 60, group)


def test_agent_hangs_up_the_caller_answers_4_and_it_counts(setup: Any) -> None:
    c, voice, gw, clock, said = setup
    vc, leg = _talk(voice, gw, clock)
    agent_leg = vc.agent_leg
    voice.leg_ended(agent_leg)  # the agent's phone hangs up
    assert vc.state == "survey" and ("hangup", "cust-0") not in gw.log  # the caller stays on
    assert said[-1] == QUESTIONS["csat"] and vc.recordings[0]["seconds"] is not None  # recording stopped
    row = c.store.interaction(vc.contact_id)
    assert row["outcome"] == "completed" and row["agent_id"] == "a1"  # the contact itself is over
    [invited] = _events(c, "SurveyInvited")
    assert (invited.via, invited.channel, invited.queue_id, invited.agent_id) == ("ivr", "voice", "sales", "a1")
    voice.dtmf(leg, "4")
    assert said[-1] == THANKS and ("hangup", "cust-0") not in gw.log
    gw.finish_prompt(leg)  # the thanks ends: we hang up, and the answer is stored
    assert ("hangup", "cust-0") in gw.log and vc.state == "ended"
    [answer] = _events(c, "SurveyAnswered")
    assert (answer.survey, answer.score, answer.agent_id, answer.queue_id, answer.channel) == (
        "csat", 4, "a1", "sales", "voice")
    [row] = _figures(c, clock)
    assert (row["survey"], row["invited"], row["answers"], row["mean"], row["csat"]) == ("csat", 1, 1, 4.0, 1.0)


def test_a_wrong_key_replays_the_question_once_then_goodbye(setup: Any) -> None:
    c, voice, gw, clock, said = setup
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(vc.agent_leg)
    voice.dtmf(leg, "9")
    assert said[-1] == INVALID
    gw.finish_prompt(leg)
    assert said[-2:] == [INVALID, QUESTIONS["csat"]]  # asked again
    voice.dtmf(leg, "#")
    assert said[-1] == GOODBYE and _events(c, "SurveyAnswered") == []
    gw.finish_prompt(leg)
    assert ("hangup", leg.id) in gw.log and vc.state == "ended"
    [row] = _figures(c, clock)
    assert (row["invited"], row["answers"], row["response_rate"]) == (1, 0, 0.0)


def test_a_wrong_key_then_a_right_one_is_the_answer_and_a_low_score_alerts(setup: Any) -> None:
    c, voice, gw, clock, _said = setup
    seen: list[dict[str, Any]] = []
    c.bus.subscribe("survey", lambda _t, m: seen.append(dict(m)))
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(vc.agent_leg)
    voice.dtmf(leg, "0")
    voice.dtmf(leg, "2")
    voice.leg_ended(leg)  # hangs up during the thanks: the answer counts
    [answer] = _events(c, "SurveyAnswered")
    assert answer.score == 2
    assert [(m["type"], m["contact_id"], m["score"], m["agent_id"]) for m in seen] == [
        ("low_score", vc.contact_id, 2, "a1")]


def test_the_caller_hangs_up_during_the_question_the_invitation_stays_unanswered(setup: Any) -> None:
    c, voice, gw, clock, _said = setup
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(vc.agent_leg)
    voice.leg_ended(leg)  # the caller's BYE
    assert vc.state == "ended" and _events(c, "SurveyAnswered") == []
    voice.dtmf(leg, "5")  # nothing after the call
    assert _events(c, "SurveyAnswered") == []
    [row] = _figures(c, clock)
    assert (row["invited"], row["answers"]) == (1, 0)


def test_the_caller_hanging_up_first_is_offered_no_survey(setup: Any) -> None:
    c, voice, gw, clock, _said = setup
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(leg)
    assert vc.state == "ended" and _events(c, "SurveyInvited") == []
    assert c.store.interaction(vc.contact_id)["outcome"] == "completed"


def test_a_queue_without_a_voice_survey_hangs_up_as_before(setup: Any) -> None:
    c, voice, gw, clock, said = setup
    vc, leg = _talk(voice, gw, clock, dialled="plain")
    assert vc.queue_id == "plain"
    voice.leg_ended(vc.agent_leg)
    assert vc.state == "ended" and ("hangup", leg.id) in gw.log and said == []
    assert _events(c, "SurveyInvited") == []


def test_the_agent_ending_from_the_desktop_also_leads_to_the_survey(setup: Any) -> None:
    c, voice, gw, clock, _said = setup
    vc, leg = _talk(voice, gw, clock)
    agent_leg = vc.agent_leg
    c.agents.end("a1", vc.contact_id)  # the desktop's end button: the engine ends it, the phone is hung up
    assert vc.state == "survey" and ("hangup", agent_leg.id) in gw.log and ("hangup", leg.id) not in gw.log
    voice.dtmf(leg, "5")
    gw.finish_prompt(leg)
    assert [e.score for e in _events(c, "SurveyAnswered")] == [5]


def test_the_contact_closing_after_wrap_up_does_not_cut_the_survey(setup: Any) -> None:
    c, voice, gw, clock, said = setup
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 5, "surveys": {"voice": {"survey": "nps"}}}, "t")
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(vc.agent_leg)
    assert said[-1] == QUESTIONS["nps"]
    clock.advance(6)
    c.runtime.tick()  # the timed wrap-up ends: ContactClosed
    assert c.store.interaction(vc.contact_id)["state"] == "closed" and vc.state == "survey"
    voice.dtmf(leg, "1")
    voice.dtmf(leg, "0")
    gw.finish_prompt(leg)
    [answer] = _events(c, "SurveyAnswered")
    assert (answer.survey, answer.score, answer.scale_max) == ("nps", 10, 10)


def test_ended_while_on_hold_the_music_stops_and_the_question_is_asked(setup: Any) -> None:
    c, voice, gw, clock, said = setup
    voice.settings.music_on_hold = "/music.wav"
    vc, leg = _talk(voice, gw, clock)
    voice.phone_hold(vc.agent_leg, True)
    assert vc.held and gw.playing[leg.id][0] == "/music.wav"
    c.agents.end("a1", vc.contact_id)
    assert vc.state == "survey" and not vc.held and ("stop", leg.id) in gw.log
    assert said[-1] == QUESTIONS["csat"] and gw.playing[leg.id][2] is False  # the question, not looping music


def test_a_polish_queue_asks_in_polish(setup: Any) -> None:
    from blendcc.app.surveys.texts import survey_texts

    c, voice, gw, clock, said = setup
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0,
                                     "surveys": {"voice": {"survey": "csat", "language": "pl"}}}, "t")
    vc, leg = _talk(voice, gw, clock)
    voice.leg_ended(vc.agent_leg)
    polish = survey_texts("pl")
    assert said[-1] == polish["csat"]
    voice.dtmf(leg, "3")
    assert said[-1] == polish["thanks"]

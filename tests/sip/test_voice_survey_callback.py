"""The post-call survey after a call-back (fake gateway and trunk, real IVR driver, engine and store): once the
called-back customer has answered, the contact ends like an inbound call, the customer stays on for the queue's
survey and answers by DTMF; a call-back that reached nobody offers none, nor one whose customer hangs up first."""

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
from blendcc.ivr.flow import IvrFlow, PromptRef
from blendcc.ivr.survey import QUESTIONS, THANKS

FLOW = {"id": "main", "language": "en", "start": "wait", "nodes": [
    {"id": "wait", "kind": "queue", "announce_every_s": 30, "announce_position": False, "callback": {"key": "1"}}]}
NUMBER = "+442079460000"


class TrunkGateway(FakeGateway):
    """The fake gateway plus a trunk: ``dial_out`` returns legs the test answers or fails."""

    def __init__(self) -> None:
        super().__init__()
        self.dialled: list[FakeLeg] = []

    def dial_out(self, number: str, caller_id: str, contact_id: str) -> FakeLeg:
        self.n += 1
        leg = FakeLeg(f"cb-{self.n}")
        self.dialled.append(leg)
        self.log.append(("dial", number))
        return leg


Env = tuple[Any, VoiceService, TrunkGateway, list[str], Any]


def _voice(c: Any, gw: TrunkGateway, clock: Any, tmp_path: Path, said: list[str]) -> VoiceService:
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec", callback_attempts=1, callback_ring_s=25))
    voice.dial_out = gw.dial_out  # type: ignore[assignment]

    def render(prompt: PromptRef, language: str) -> str | None:
        said.append(prompt.text or f"id:{prompt.prompt_id}")
        return f"/prompts/{len(said)}.wav"

    ivr = IvrDriver(voice, lambda vc: IvrFlow.model_validate(FLOW), render, clock.now)

    def offer(queue_id: str | None) -> Any:
        queue = c.views.queue_config(queue_id)
        return queue.surveys.get(Channel.VOICE) if queue is not None else None

    VoiceSurveys(voice, ivr, offer, c.surveys)
    return voice


@pytest.fixture
def env(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[Env]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c = build_container(Settings(database_url=sqlite_url, admin_password="cb-admin-pw", secret_key="k"),
                        clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "surveys": {"voice": {"survey": "csat"}}}, "t")
    c.config.put("agents", "a1", {"name": "Ann", "queues": ["sales"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = TrunkGateway()
    said: list[str] = []
    voice = _voice(c, gw, clock, tmp_path, said)
    yield c, voice, gw, said, clock
    voice.close()
    c.store.engine.dispose()


def _events(c: Any, kind: str) -> list[Any]:
    return [s.event for s in c.store.read() if s.event.type == kind]


def _asks_for_a_callback(voice: VoiceService, gw: TrunkGateway) -> Any:
    leg = FakeLeg("cust-1")
    voice.incoming(leg, NUMBER, "0800")
    vc = next(iter(voice.calls.values()))
    voice.dtmf(leg, "1")  # "press 1 to be called back"
    gw.finish_prompt(leg)  # the confirmation ends: the caller is hung up, the contact keeps its place
    assert ("hangup", "cust-1") in gw.log and vc.callback_number == NUMBER
    return vc


def _agent_takes_it(c: Any, voice: VoiceService, gw: TrunkGateway, vc: Any) -> FakeLeg:
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.agent_answered(vc.agent_leg)  # the agent is on: the customer is dialled through the trunk
    [customer] = gw.dialled
    return customer


def test_the_called_back_customer_stays_on_after_the_agent_and_answers_the_survey(env: Env) -> None:
    c, voice, gw, said, clock = env
    vc = _asks_for_a_callback(voice, gw)
    customer = _agent_takes_it(c, voice, gw, vc)
    voice.callback_event(customer, "answered", None)
    assert vc.customer is customer and ("bridge", customer.id, vc.agent_leg.id) in gw.log
    clock.advance(30)
    voice.leg_ended(vc.agent_leg)  # the agent's phone hangs up
    assert vc.state == "survey" and ("hangup", customer.id) not in gw.log  # the customer stays on
    assert said[-1] == QUESTIONS["csat"]
    row = c.store.interaction(vc.contact_id)
    assert (row["outcome"], row["agent_id"]) == ("completed", "a1")  # the contact itself is over
    [invited] = _events(c, "SurveyInvited")
    assert (invited.via, invited.channel, invited.queue_id, invited.agent_id) == ("ivr", "voice", "sales", "a1")
    voice.dtmf(customer, "4")  # the called-back customer's key
    assert said[-1] == THANKS
    gw.finish_prompt(customer)
    assert ("hangup", customer.id) in gw.log and vc.state == "ended"
    [answer] = _events(c, "SurveyAnswered")
    assert (answer.survey, answer.score, answer.agent_id, answer.queue_id, answer.channel) == (
        "csat", 4, "a1", "sales", "voice")


def test_the_desktop_end_button_also_leads_the_called_back_customer_to_the_survey(env: Env) -> None:
    c, voice, gw, _said, clock = env
    vc = _asks_for_a_callback(voice, gw)
    customer = _agent_takes_it(c, voice, gw, vc)
    voice.callback_event(customer, "answered", None)
    clock.advance(30)
    c.agents.end("a1", vc.contact_id)
    assert vc.state == "survey" and ("hangup", customer.id) not in gw.log
    voice.dtmf(customer, "2")
    voice.callback_event(customer, "ended", None)  # hangs up during the thanks: the answer counts
    assert vc.state == "ended" and [e.score for e in _events(c, "SurveyAnswered")] == [2]


def test_a_callback_that_reached_nobody_offers_no_survey(env: Env) -> None:
    c, voice, gw, said, _clock = env
    vc = _asks_for_a_callback(voice, gw)
    customer = _agent_takes_it(c, voice, gw, vc)
    voice.callback_event(customer, "failed", 486)  # busy, and it was the only attempt: the contact ends
    assert vc.state == "ended" and QUESTIONS["csat"] not in said
    assert _events(c, "SurveyInvited") == []
    assert voice.callback_log[-1]["outcome"] == "busy"


def test_a_called_back_customer_hanging_up_first_is_offered_no_survey(env: Env) -> None:
    c, voice, gw, said, clock = env
    vc = _asks_for_a_callback(voice, gw)
    customer = _agent_takes_it(c, voice, gw, vc)
    voice.callback_event(customer, "answered", None)
    clock.advance(30)
    voice.callback_event(customer, "ended", None)  # the customer's BYE
    assert vc.state == "ended" and _events(c, "SurveyInvited") == [] and QUESTIONS["csat"] not in said
    assert c.store.interaction(vc.contact_id)["outcome"] == "completed"


def test_a_callback_picked_up_again_after_a_restart_offers_the_survey_too(env: Env, tmp_path: Path) -> None:
    c, voice, gw, _said, clock = env
    vc = _asks_for_a_callback(voice, gw)
    voice.close()  # the server restarts before an agent is free; the contact is queued again from the log
    gw2 = TrunkGateway()
    said2: list[str] = []
    voice2 = _voice(c, gw2, clock, tmp_path, said2)
    try:
        assert voice2.pending_callbacks == {vc.contact_id: (NUMBER, "0800")}
        gw2.phones.add("a1")
        c.agents.login("a1")
        vc2 = voice2.calls[vc.contact_id]
        voice2.agent_answered(vc2.agent_leg)
        [customer] = gw2.dialled
        voice2.callback_event(customer, "answered", None)
        clock.advance(30)
        voice2.leg_ended(vc2.agent_leg)
        assert vc2.state == "survey" and said2[-1] == QUESTIONS["csat"]
        voice2.dtmf(customer, "5")
        gw2.finish_prompt(customer)
        assert [e.score for e in _events(c, "SurveyAnswered")] == [5]
    finally:
        voice2.close()


def test_the_sip_gateway_hands_a_called_back_customers_keys_to_the_voice_service() -> None:
    """The leg dialled through the trunk decodes RFC 4733 events like a caller's, and its SIP INFO keys reach the
    voice service too (they did not: the survey after a call-back heard nothing)."""
    from blendcc.adapters.channels.sip.gateway import SipGateway, SipLeg
    from blendcc.adapters.channels.sip.rtp import RtpEndpoint, RtpPacket

    gw = SipGateway("127.0.0.1", 0, "127.0.0.1", (40120, 40130))
    keys: list[tuple[str, str]] = []

    class Voice:
        def dtmf(self, leg: Any, digit: str) -> None:
            keys.append((leg.id, digit))

        def callback_event(self, leg: Any, name: str, detail: Any) -> None:
            keys.append((leg.id, f"event:{name}"))

    gw.voice = Voice()  # type: ignore[assignment]
    gw.trunk = ("127.0.0.1", 5078)

    class Call:
        app: Any = None

    call = Call()

    def dial(uri: str, addr: Any, caller_id: str, kind: str, contact_id: str | None = None) -> SipLeg:
        leg = SipLeg("cb-1", kind, call, RtpEndpoint("127.0.0.1", 40120, 8, 101))  # type: ignore[arg-type]
        call.app = leg
        return leg

    gw.dial = dial  # type: ignore[method-assign]
    leg = gw.dial_out("+44 20 7946 0000", "blendcc", "c1")
    assert leg is not None and leg.kind == "callback"
    for duration, end in ((160, False), (320, True), (320, True)):  # the end packet is sent three times
        pkt = RtpPacket(101, 7, 9000, 1, bytes([4, (0x80 if end else 0) | 10]) + duration.to_bytes(2, "big"))
        leg.rtp._received(pkt.encode(), ("127.0.0.1", 30000))
    gw._call_event(call, "dtmf", "9")  # type: ignore[arg-type]  # a key by SIP INFO (indialog.py)
    assert keys == [("cb-1", "4"), ("cb-1", "9")]

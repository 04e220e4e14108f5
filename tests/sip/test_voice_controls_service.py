"""The voice service's call controls against the engine and a recording fake gateway: the call card, DTMF,
mute, recording pause, and the conference (started after a consultation; each party leaving)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed


class ControlsGateway(FakeGateway):
    """The fake gateway plus the call-control side of the SIP gateway."""

    def __init__(self) -> None:
        super().__init__()
        self.busy_dtmf = False
        self.paused: dict[str, bool] = {}

    def send_dtmf(self, leg: FakeLeg, digits: str) -> bool:
        if self.busy_dtmf:
            return False
        self.log.append(("dtmf", leg.id, digits))
        return True

    def dtmf_mode(self, leg: FakeLeg) -> str:
        return "rfc4733"

    def mute(self, leg: FakeLeg, on: bool) -> None:
        self.log.append(("mute", leg.id, str(on)))

    def phone_kind(self, leg: FakeLeg) -> str:
        return "sip"

    def pause_recording(self, customer: FakeLeg, paused: bool) -> bool:
        if customer.id not in self.recording:
            return False
        self.paused[customer.id] = paused
        return True

    def conference(self, customer: FakeLeg, agent: FakeLeg, other: FakeLeg) -> bool:
        self.log.append(("conference", customer.id, agent.id, other.id))
        return True

    def leave_conference(self, leg: FakeLeg) -> None:
        self.log.append(("leave", leg.id))


@pytest.fixture
def setup(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, ControlsGateway, list]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="voice-admin-pw", secret_key="voice-test-key")
    c = build_container(settings, clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 20}, "t")
    for aid, name in (("a1", "Ann"), ("a2", "Bob")):
        c.config.put("agents", aid, {"name": name, "queues": ["sales"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = ControlsGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec", default_recording="on_demand"))
    pushed: list[dict[str, Any]] = []

    def on_contact(_topic: str, msg: Mapping[str, Any]) -> None:
        if msg.get("type") == "CallControl":
            pushed.append(dict(msg))

    unsubscribe = c.bus.subscribe("contact", on_contact)
    yield c, voice, gw, pushed
    unsubscribe()
    voice.close()
    c.store.engine.dispose()


def _connected(c: Any, voice: VoiceService, gw: ControlsGateway, clock: Any) -> Any:
    gw.phones.update({"a1", "a2"})
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+442079460000", "0800123")
    vc = next(iter(voice.calls.values()))
    vc.ivr = {"menu": "2"}
    clock.advance(4)
    voice.agent_answered(vc.agent_leg)
    return vc


def _types(c: Any, contact_id: str) -> list[str]:
    return [s.event.type for s in c.store.contact_events(contact_id)]


def test_the_call_card_shows_my_call_and_nobody_elses(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    card = voice.call_card(vc.contact_id, "a1")
    assert card["state"] == "connected" and card["caller_id"] == "+442079460000" and card["dialled"] == "0800123"
    assert card["ivr"] == {"menu": "2"} and card["role"] == "agent" and card["phone"] == "sip"
    assert card["talk_started"] == clock.now() and card["dtmf"] == "rfc4733"
    assert not card["held"] and not card["muted"] and not card["recording"] and card["consult"] is None
    assert not card["conference"] and card["conference_with"] == []
    with pytest.raises(NotFound):
        voice.call_card(vc.contact_id, "a2")
    with pytest.raises(NotFound):
        voice.call_card("nope", "a1")
    c.agents.hold("a1", vc.contact_id)
    assert voice.call_card(vc.contact_id, "a1")["held"]
    c.agents.resume("a1", vc.contact_id)
    assert not voice.call_card(vc.contact_id, "a1")["held"]


def test_dtmf_is_checked_and_sent_on_the_customer_leg(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    assert voice.send_dtmf(vc.contact_id, "a1", "12#*D") == {"contact_id": vc.contact_id, "digits": "12#*D",
                                                            "mode": "rfc4733"}
    assert ("dtmf", "cust-1", "12#*D") in gw.log
    for bad in ("", "12E", "1" * 33, "1 2"):
        with pytest.raises(ValidationFailed):
            voice.send_dtmf(vc.contact_id, "a1", bad)
    gw.busy_dtmf = True
    with pytest.raises(InvalidState):
        voice.send_dtmf(vc.contact_id, "a1", "3")
    with pytest.raises(InvalidState):  # not this agent's call
        voice.send_dtmf(vc.contact_id, "a2", "3")


def test_mute_and_recording_controls_are_pushed_to_the_agent(setup: Any, clock: Any) -> None:
    c, voice, gw, pushed = setup
    vc = _connected(c, voice, gw, clock)
    card = voice.mute(vc.contact_id, "a1", True)
    assert card["muted"] and ("mute", vc.agent_leg.id, "True") in gw.log
    assert pushed[-1]["muted"] and pushed[-1]["agent_id"] == "a1" and pushed[-1]["contact_id"] == vc.contact_id
    assert not voice.mute(vc.contact_id, "a1", False)["muted"]
    with pytest.raises(InvalidState):
        voice.agent_recording(vc.contact_id, "a1", "pause")  # nothing recording yet
    clock.advance(5)
    card = voice.agent_recording(vc.contact_id, "a1", "start")
    assert card["recording"] and card["recording_since"] == clock.now() and not card["recording_paused"]
    assert pushed[-1]["recording"]
    assert voice.agent_recording(vc.contact_id, "a1", "pause")["recording_paused"]
    assert gw.paused["cust-1"] is True and pushed[-1]["recording_paused"]
    assert not voice.agent_recording(vc.contact_id, "a1", "resume")["recording_paused"]
    card = voice.agent_recording(vc.contact_id, "a1", "stop")
    assert not card["recording"] and card["recording_since"] is None
    assert "RecordingStored" in _types(c, vc.contact_id)
    with pytest.raises(InvalidState):
        voice.agent_recording(vc.contact_id, "a2", "start")


def _consulting(c: Any, voice: VoiceService, gw: ControlsGateway, clock: Any) -> Any:
    vc = _connected(c, voice, gw, clock)
    c.agents.login("a2")
    with pytest.raises(InvalidState):
        voice.start_conference(vc.contact_id, "a1")  # no consultation yet
    voice.consult(vc.contact_id, "a1", "a2")
    card = voice.call_card(vc.contact_id, "a1")
    assert card["held"] and card["consult"] == {"agent_id": "a2", "answered": False}
    with pytest.raises(InvalidState):
        voice.start_conference(vc.contact_id, "a1")  # not answered yet
    voice.agent_answered(vc.consult_leg)
    assert voice.call_card(vc.contact_id, "a1")["consult"] == {"agent_id": "a2", "answered": True}
    return vc


def test_conference_then_the_first_agent_leaves_and_the_consulted_agent_keeps_the_caller(
        setup: Any, clock: Any) -> None:
    c, voice, gw, pushed = setup
    vc = _consulting(c, voice, gw, clock)
    first, consulted = vc.agent_leg, vc.consult_leg
    card = voice.start_conference(vc.contact_id, "a1")
    assert card["conference"] and card["conference_with"] == ["a2"] and not card["held"] and card["consult"] is None
    assert ("conference", "cust-1", first.id, consulted.id) in gw.log
    assert {p["agent_id"] for p in pushed if p["conference"]} == {"a1", "a2"}  # both desktops see it
    assert voice.call_card(vc.contact_id, "a2")["role"] == "consulted"
    [live] = voice.view()  # the supervisors' live calls
    assert live["conference"] and live["consulting"] == "a2" and not live["muted"]
    assert voice.call_card(vc.contact_id, "a2")["conference_with"] == ["a1"]
    types = _types(c, vc.contact_id)
    assert types[-2:] == ["ContactResumed", "ConferenceStarted"]
    with pytest.raises(InvalidState):
        voice.start_conference(vc.contact_id, "a1")
    rings = gw.log.count(("ring", "a2"))
    clock.advance(30)
    assert voice.leave_conference(vc.contact_id, "a1") == {"contact_id": vc.contact_id, "transferred_to": "a2",
                                                            "remaining_agent_id": "a2"}
    assert ("leave", first.id) in gw.log and ("hangup", first.id) in gw.log
    assert gw.log.count(("ring", "a2")) == rings  # the consulted agent's phone is already up
    assert vc.agent_id == "a2" and vc.agent_leg is consulted and vc.state == "connected" and not vc.conference
    assert ("bridge", "cust-1", consulted.id) in gw.log
    types = _types(c, vc.contact_id)
    assert "ConferenceLeft" in types and "ContactTransferred" in types
    left = next(s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "ConferenceLeft")
    assert (left.party, left.agent_id, left.remaining_agent_id) == ("agent", "a1", "a2")
    row = dict(c.store.interactions(limit=10)[0])
    assert row["agent_id"] == "a2" and row["transfers"] == 1  # reports see the transfer
    assert voice.call_card(vc.contact_id, "a2")["role"] == "agent"
    with pytest.raises(NotFound):
        voice.call_card(vc.contact_id, "a1")


def test_the_consulted_agent_hanging_up_leaves_the_customer_with_the_first_agent(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _consulting(c, voice, gw, clock)
    consulted = vc.consult_leg
    voice.start_conference(vc.contact_id, "a1")
    voice.leg_ended(consulted)
    assert ("leave", consulted.id) in gw.log and not vc.conference and vc.consult_leg is None
    assert vc.agent_id == "a1" and vc.state == "connected"
    left = next(s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "ConferenceLeft")
    assert (left.party, left.agent_id, left.remaining_agent_id) == ("consulted", "a2", "a1")
    row = dict(c.store.interactions(limit=10)[0])
    assert row["agent_id"] == "a1" and row["state"] == "connected" and row["transfers"] == 0


def test_the_first_agent_hanging_up_its_phone_in_a_conference_is_a_transfer(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _consulting(c, voice, gw, clock)
    first, consulted = vc.agent_leg, vc.consult_leg
    voice.start_conference(vc.contact_id, "a1")
    voice.leg_ended(first)
    assert vc.agent_id == "a2" and vc.agent_leg is consulted and vc.state == "connected"
    assert dict(c.store.interactions(limit=10)[0])["transfers"] == 1


def test_the_customer_leaving_a_conference_ends_the_contact(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _consulting(c, voice, gw, clock)
    consulted = vc.consult_leg
    voice.start_conference(vc.contact_id, "a1")
    voice.leg_ended(vc.customer)
    assert ("leave", "cust-1") in gw.log and ("hangup", consulted.id) in gw.log and vc.state == "ended"
    left = next(s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "ConferenceLeft")
    assert left.party == "customer"
    assert dict(c.store.interactions(limit=10)[0])["outcome"] == "completed"


def test_the_consulted_agent_leaving_from_its_desktop(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _consulting(c, voice, gw, clock)
    consulted = vc.consult_leg
    voice.start_conference(vc.contact_id, "a1")
    with pytest.raises(InvalidState):
        voice.leave_conference(vc.contact_id, "a3")  # not in the conference
    assert voice.leave_conference(vc.contact_id, "a2") == {"contact_id": vc.contact_id, "transferred_to": None,
                                                            "remaining_agent_id": "a1"}
    assert ("leave", consulted.id) in gw.log and ("hangup", consulted.id) in gw.log
    assert vc.agent_id == "a1" and not vc.conference and vc.consult_leg is None
    with pytest.raises(InvalidState):
        voice.leave_conference(vc.contact_id, "a1")  # no conference any more

"""The voice service against a fake gateway: calls become interactions, offers ring phones, legs end contacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.domain.errors import InvalidState


@pytest.fixture
def setup(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, FakeGateway, Any]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="voice-admin-pw", secret_key="voice-test-key")
    c = build_container(settings, clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 20}, "t")
    c.config.put("agents", "a1", {"name": "Ann", "queues": ["sales"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec", default_recording="all"))
    yield c, voice, gw, clock
    voice.close()
    c.store.engine.dispose()


def _row(c: Any, voice: VoiceService) -> dict[str, Any]:
    rows = c.store.interactions(limit=10)
    assert len(rows) == 1
    return dict(rows[0])


def test_call_becomes_voice_interaction_and_hanging_up_in_queue_abandons_with_wait(setup: Any) -> None:
    c, voice, gw, clock = setup
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800123")
    assert ("answer", "cust-1") in gw.log
    row = _row(c, voice)
    assert row["channel"] == "voice" and row["state"] == "queued"
    assert row["attributes"]["caller_id"] == "+442079460000" and row["attributes"]["dialled_number"] == "0800123"
    clock.advance(12)
    voice.leg_ended(leg)
    row = _row(c, voice)
    assert row["outcome"] == "abandoned" and row["wait_s"] == pytest.approx(12)
    assert voice.stats["abandoned"] == 1


def test_offer_rings_the_phone_answer_bridges_and_agent_bye_ends_the_contact(setup: Any) -> None:
    c, voice, gw, clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800123")
    assert ("ring", "a1") in gw.log
    vc = next(iter(voice.calls.values()))
    assert vc.state == "ringing" and vc.agent_leg is not None
    agent_leg = vc.agent_leg
    clock.advance(3)
    voice.agent_answered(agent_leg)
    assert ("bridge", "cust-1", agent_leg.id) in gw.log
    assert ("record", f"{vc.contact_id}.wav") in gw.log
    assert _row(c, voice)["state"] == "connected"
    clock.advance(30)
    voice.leg_ended(agent_leg)  # the agent hangs up
    row = _row(c, voice)
    assert row["outcome"] == "completed" and row["talk_s"] == pytest.approx(30) and row["wait_s"] == pytest.approx(3)
    assert ("hangup", "cust-1") in gw.log
    assert vc.recordings[0]["seconds"] == 3.0 and vc.recordings[0]["agent_id"] == "a1"


def test_phone_hold_is_engine_hold_and_holds_the_media(setup: Any) -> None:
    c, voice, gw, clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    voice.agent_answered(vc.agent_leg)
    voice.phone_hold(vc.agent_leg, True)
    assert _row(c, voice)["state"] == "held" and ("hold", "cust-1", "True") in gw.log
    clock.advance(5)
    voice.phone_hold(vc.agent_leg, False)
    assert _row(c, voice)["state"] == "connected" and ("hold", "cust-1", "False") in gw.log


def test_busy_phone_declines_the_offer_and_the_caller_keeps_waiting(setup: Any) -> None:
    c, voice, gw, _clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    voice.agent_failed(vc.agent_leg, 486)
    row = _row(c, voice)
    assert row["state"] == "queued" and row["offers"] == 1
    assert voice.stats["failed_offers"] == 1


def test_caller_hangs_up_while_phone_rings_cancels_the_phone(setup: Any) -> None:
    c, voice, gw, _clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+44", "1")
    vc = next(iter(voice.calls.values()))
    agent_leg = vc.agent_leg
    voice.leg_ended(leg)
    assert ("hangup", agent_leg.id) in gw.log
    assert _row(c, voice)["outcome"] == "abandoned"


def test_agent_ending_over_the_api_hangs_up_both_legs(setup: Any) -> None:
    c, voice, gw, _clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    agent_leg = vc.agent_leg
    voice.agent_answered(agent_leg)
    c.agents.end("a1", vc.contact_id)
    assert ("hangup", "cust-1") in gw.log and ("hangup", agent_leg.id) in gw.log


def test_blind_transfer_hangs_up_the_first_phone_and_rings_the_next_agent(setup: Any) -> None:
    c, voice, gw, _clock = setup
    c.config.put("agents", "a2", {"name": "Bob", "queues": ["sales"]}, "t")
    gw.phones.update({"a1", "a2"})
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    first = vc.agent_leg
    voice.agent_answered(first)
    c.agents.login("a2")
    c.agents.transfer("a1", vc.contact_id, None, "a2")
    assert ("hangup", first.id) in gw.log and ("unbridge", "cust-1") in gw.log
    assert vc.agent_id == "a2" and vc.state == "ringing" and vc.agent_leg is not None
    voice.agent_answered(vc.agent_leg)
    assert ("bridge", "cust-1", vc.agent_leg.id) in gw.log
    row = _row(c, voice)
    assert row["state"] == "connected" and row["agent_id"] == "a2" and row["transfers"] == 1


def test_listen_in_rings_the_supervisor_and_taps_the_bridge_once_answered(setup: Any) -> None:
    c, voice, gw, _clock = setup
    gw.phones.update({"a1", "sup"})
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    with pytest.raises(Exception, match="not connected"):
        voice.listen_in(vc.contact_id, "sup")
    voice.agent_answered(vc.agent_leg)
    out = voice.listen_in(vc.contact_id, "sup")
    sup_leg = vc.listeners[0]
    assert out["leg"] == sup_leg.id and ("ring", "sup") in gw.log
    assert voice.listener_answered(sup_leg)
    assert ("listen", sup_leg.id) in gw.log
    voice.leg_ended(vc.customer)  # the call ends: the supervisor's phone is hung up too
    assert ("hangup", sup_leg.id) in gw.log


def test_answered_dialer_call_connected_by_the_engine_rings_the_agent_phone_and_bridges(setup: Any) -> None:
    c, voice, gw, clock = setup
    gw.phones.add("a1")
    callee = FakeLeg("out-1")
    voice.outbound_leg = {"dl-1": callee}.get
    c.agents.login("a1")
    c.runtime.execute(lambda e, now: e.connect_outbound("dl-1", "sales", now, agent_id="a1"))
    vc = voice.calls["dl-1"]
    assert vc.outbound and vc.state == "ringing" and ("ring", "a1") in gw.log
    voice.agent_answered(vc.agent_leg)
    assert ("bridge", "out-1", vc.agent_leg.id) in gw.log and vc.state == "connected"
    clock.advance(20)
    voice.leg_ended(callee)  # the callee hangs up: the conversation ends, the agent's phone is hung up
    assert ("hangup", vc.agent_leg.id if vc.agent_leg else "agent-1") in gw.log
    row = _row(c, voice)
    assert row["direction"] == "outbound" and row["state"] in ("wrap_up", "closed") and row["talk_s"] == 20


def _consulting(c: Any, voice: VoiceService, gw: FakeGateway) -> Any:
    c.config.put("agents", "a2", {"name": "Bob", "queues": ["sales"]}, "t")
    gw.phones.update({"a1", "a2"})
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+44", "1")
    vc = next(iter(voice.calls.values()))
    voice.agent_answered(vc.agent_leg)
    c.agents.login("a2")
    voice.consult(vc.contact_id, "a1", "a2")
    assert _row(c, voice)["state"] == "held" and ("hold", "cust-1", "True") in gw.log
    voice.agent_answered(vc.consult_leg)
    assert ("consult", vc.agent_leg.id, vc.consult_leg.id) in gw.log
    return vc


def test_consulted_transfer_hands_the_caller_to_the_consulted_phone_without_ringing_again(setup: Any) -> None:
    c, voice, gw, _clock = setup
    vc = _consulting(c, voice, gw)
    first, consulted = vc.agent_leg, vc.consult_leg
    rings = gw.log.count(("ring", "a2"))
    voice.complete_consult(vc.contact_id, "a1")
    assert ("hangup", first.id) in gw.log
    assert gw.log.count(("ring", "a2")) == rings  # accepted on the phone that is already up
    assert vc.agent_leg is consulted and vc.state == "connected" and vc.consult_leg is None
    assert ("bridge", "cust-1", consulted.id) in gw.log
    row = _row(c, voice)
    assert row["agent_id"] == "a2" and row["state"] == "connected" and row["transfers"] == 1


def test_cancelled_consultation_returns_the_caller_to_the_first_agent(setup: Any) -> None:
    c, voice, gw, _clock = setup
    vc = _consulting(c, voice, gw)
    consulted = vc.consult_leg
    voice.cancel_consult(vc.contact_id, "a1")
    assert ("hangup", consulted.id) in gw.log and ("hold", "cust-1", "False") in gw.log
    row = _row(c, voice)
    assert row["agent_id"] == "a1" and row["state"] == "connected" and row["transfers"] == 0


def test_consulted_phone_hanging_up_resumes_the_caller(setup: Any) -> None:
    c, voice, gw, _clock = setup
    vc = _consulting(c, voice, gw)
    voice.leg_ended(vc.consult_leg)
    assert vc.consult_leg is None and _row(c, voice)["state"] == "connected"


def test_a_finished_recording_is_a_recording_stored_event_in_the_contacts_timeline(setup: Any) -> None:
    c, voice, gw, clock = setup
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+442079460000", "0800123")
    vc = next(iter(voice.calls.values()))
    voice.agent_answered(vc.agent_leg)
    clock.advance(30)
    voice.leg_ended(vc.agent_leg)
    stored = [s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "RecordingStored"]
    assert [(e.uri, e.duration_s, e.kind, e.agent_id, e.queue_id) for e in stored] == [
        (f"{vc.contact_id}.wav", 3.0, "call", "a1", "sales")]
    voice.calls.clear()  # the call is forgotten: its recordings now come from the log
    assert voice.recordings(vc.contact_id) == [
        {"contact_id": vc.contact_id, "file": f"{vc.contact_id}.wav", "seconds": 3.0, "agent_id": "a1",
         "queue_id": "sales", "path": str(voice.settings.recording_dir / f"{vc.contact_id}.wav")}]


def _answered_later(c: Any, voice: VoiceService, gw: FakeGateway) -> tuple[Any, list[Any]]:
    """A call rung to a1's phone whose engine commands wait (as on the server's workers) until run."""
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.incoming(FakeLeg("cust-1"), "+442079460000", "0800123")
    vc = next(iter(voice.calls.values()))
    waiting: list[Any] = []
    gw.submit_command = lambda work, done: waiting.append((work, done))  # type: ignore[method-assign]
    return vc, waiting


def _run(gw: FakeGateway, waiting: list[Any]) -> None:
    while waiting:
        work, done = waiting.pop(0)
        FakeGateway.submit(gw, work, done)


def test_the_answer_is_pre_bridged_and_the_recording_starts_at_the_engines_connect(setup: Any) -> None:
    """The phone answers at t; the engine's accept runs 0.4 s later (a busy writer): the legs wait on a
    bridge that relays nothing, recording, and the recording starts at the connect's own time."""
    c, voice, gw, clock = setup
    vc, waiting = _answered_later(c, voice, gw)
    voice.agent_answered(vc.agent_leg)
    assert "cust-1" in gw.prebridged and ("bridge", "cust-1", vc.agent_leg.id) not in gw.log
    clock.advance(0.4)
    _run(gw, waiting)
    connected = next(s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "ContactConnected")
    assert gw.connected_since["cust-1"] == connected.at
    assert ("bridge", "cust-1", vc.agent_leg.id) in gw.log and ("record", f"{vc.contact_id}.wav") in gw.log
    assert vc.state == "connected" and vc.recordings[0]["started_at"] == connected.at


def test_a_pre_bridge_the_engine_refuses_is_dropped_with_its_recording(setup: Any) -> None:
    c, voice, gw, _clock = setup
    vc, waiting = _answered_later(c, voice, gw)
    agent_leg = vc.agent_leg
    voice.agent_answered(agent_leg)

    def refused(_agent: str, contact_id: str) -> float:
        raise InvalidState(f"the offer of {contact_id} was revoked")

    voice._accept = refused  # type: ignore[method-assign]
    _run(gw, waiting)
    assert ("dropped", "cust-1") in gw.log and ("hangup", agent_leg.id) in gw.log
    assert "cust-1" not in gw.connected_since and vc.recordings == []


def test_the_customers_hang_up_ends_the_conversation_when_it_happened_not_when_stored(setup: Any) -> None:
    c, voice, gw, clock = setup
    vc, waiting = _answered_later(c, voice, gw)
    voice.agent_answered(vc.agent_leg)
    _run(gw, waiting)
    clock.advance(20)
    voice.leg_ended(vc.customer)  # BYE from the caller
    clock.advance(0.7)  # the writer gets to it later
    _run(gw, waiting)
    row = _row(c, voice)
    assert row["outcome"] == "completed" and row["talk_s"] == pytest.approx(20)

"""Blind transfer asked by the agent's phone (SIP REFER), in the voice service against the engine and a fake gateway."""

from __future__ import annotations

from typing import Any

import test_voice_controls_service as controls
from sip_fakes import FakeLeg

from blendcc.domain.lifecycle.voice import VoiceCallState as V

setup = controls.setup  # the same centre: engine, voice service, recording fake gateway
_connected, _types = controls._connected, controls._types


def _report(gw: Any) -> Any:
    return lambda status, reason: gw.log.append(("notify", str(status), reason))


def test_refer_to_an_agent_transfers_and_tells_the_phone_before_hanging_it_up(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    phone = vc.agent_leg
    c.agents.login("a2")
    gw.log.clear()
    voice.phone_transfer(phone, "a2", _report(gw))
    assert ("notify", "200", "OK") in gw.log and ("hangup", phone.id) in gw.log
    assert gw.log.index(("notify", "200", "OK")) < gw.log.index(("hangup", phone.id))
    assert "ContactTransferred" in _types(c, vc.contact_id)
    assert [e for e in gw.log if e[0] == "notify"] == [("notify", "200", "OK")]  # told once


def test_refer_to_a_queue_requeues_the_caller(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    voice.phone_transfer(vc.agent_leg, "sales", _report(gw))
    assert ("notify", "200", "OK") in gw.log
    assert vc.state in (V.QUEUED, V.RINGING)


def test_refer_to_nobody_is_404_to_a_logged_out_agent_403_and_the_call_goes_on(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    phone = vc.agent_leg
    voice.phone_transfer(phone, "nobody", _report(gw))
    voice.phone_transfer(phone, "a2", _report(gw))  # a2 is not logged in: the engine refuses
    assert [e for e in gw.log if e[0] == "notify"] == [("notify", "404", "Not Found"), ("notify", "403", "Forbidden")]
    assert vc.state is V.CONNECTED and vc.agent_leg is phone and "ContactTransferred" not in _types(c, vc.contact_id)


def test_only_the_agents_phone_on_a_connected_call_may_transfer(setup: Any, clock: Any) -> None:
    c, voice, gw, _pushed = setup
    vc = _connected(c, voice, gw, clock)
    voice.phone_transfer(vc.customer, "a2", _report(gw))
    voice.phone_transfer(FakeLeg("stranger"), "a2", _report(gw))
    assert [e for e in gw.log if e[0] == "notify"] == [("notify", "403", "Forbidden")] * 2

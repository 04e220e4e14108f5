"""A call the engine refuses in emergency mode hears the emergency message, then the call ends; a caller who
hangs up during it ends the call at once; without a message the call ends as a closed queue's does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.routing.commands import ClearEmergency, SetEmergency


@pytest.fixture
def setup(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, FakeGateway]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    settings = Settings(database_url=sqlite_url, admin_password="voice-admin-pw", secret_key="voice-test-key")
    c = build_container(settings, clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 20}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec"))
    heard: list[str | None] = []

    def announce(queue_id: str | None) -> str | None:  # what the voice stack does, with a fake prompt path
        heard.append(queue_id)
        modes = {m["scope"]: m for m in c.views.emergency()}
        mode = modes.get(queue_id or "") or modes.get("*")
        return f"/prompts/{mode['message']}.wav" if mode and mode["message"] else None

    voice.announce = announce
    yield c, voice, gw
    voice.close()
    c.store.engine.dispose()


def test_the_caller_hears_the_message_then_the_call_ends(setup: Any) -> None:
    c, voice, gw = setup
    c.runtime.execute(SetEmergency("*", "closed", message="storm"))
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800123")
    assert ("play", "/prompts/storm.wav") in gw.log and ("hangup", "cust-1") not in gw.log
    (_prompt, done, repeat) = gw.playing["cust-1"]
    assert repeat is False
    done()  # the message was played to its end
    assert ("hangup", "cust-1") in gw.log and [v.state.value for v in voice.calls.values()] == ["ended"]
    row = dict(c.store.interactions(limit=1)[0])
    assert row["outcome"] == "rejected"


def test_hanging_up_during_the_message_ends_the_call(setup: Any) -> None:
    c, voice, gw = setup
    c.runtime.execute(SetEmergency("sales", "callback_only", message="later"))
    leg = FakeLeg("cust-2")
    voice.incoming(leg, "+442079460001", "0800123")
    late_end = gw.playing["cust-2"][1]
    voice.leg_ended(leg)
    assert ("stop", "cust-2") in gw.log and [v.state.value for v in voice.calls.values()] == ["ended"]
    hangups = gw.log.count(("hangup", "cust-2"))
    late_end()  # a late end of the message changes nothing
    assert gw.log.count(("hangup", "cust-2")) == hangups


def test_without_a_message_the_call_ends_at_once(setup: Any) -> None:
    c, voice, gw = setup
    c.runtime.execute(SetEmergency("sales", "closed"))
    voice.incoming(FakeLeg("cust-3"), "+442079460002", "0800123")
    assert ("hangup", "cust-3") in gw.log and not any(e[0] == "play" for e in gw.log)
    c.runtime.execute(ClearEmergency("sales"))
    voice.incoming(FakeLeg("cust-4"), "+442079460003", "0800123")
    assert "cust-4" in {vc.customer.id for vc in voice.calls.values()}  # queued as usual

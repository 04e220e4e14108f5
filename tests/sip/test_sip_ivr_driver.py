"""The IVR driver on a voice call (fake gateway, real interpreter and engine): prompts, barge-in, queueing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.ivr import IvrDriver
from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.ivr.flow import IvrFlow, PromptRef

FLOW = {
    "id": "menu", "language": "en", "start": "hello",
    "nodes": [
        {"id": "hello", "kind": "play", "prompt": {"text": "Hello."}, "next": "menu"},
        {"id": "menu", "kind": "menu", "prompt": {"text": "Press 1 or 2."},
         "options": [{"key": "1", "next": "sales"}, {"key": "2", "next": "sales-vip"}],
         "timeout_s": 4, "retries": 0, "on_failure": "bye"},
        {"id": "sales", "kind": "queue", "music": {"prompt_id": "moh"}, "announce_every_s": 30},
        {"id": "sales-vip", "kind": "queue", "priority": 5},
        {"id": "bye", "kind": "hangup", "prompt": {"text": "Goodbye."}},
    ],
}


@pytest.fixture
def ivr(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, FakeGateway, list[str]]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c = build_container(Settings(database_url=sqlite_url, admin_password="ivr-admin-pw", secret_key="k"),
                        clock=clock, run_migrations=False)
    c.config.put("queues", "sales", {"name": "Sales"}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = FakeGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec"))
    rendered: list[str] = []

    def render(prompt: PromptRef, language: str) -> str | None:
        rendered.append(prompt.text or f"id:{prompt.prompt_id}")
        return f"/prompts/{len(rendered)}.wav"

    def position(cid: str) -> int | None:
        return 3  # as the engine would rank it (the service asks the runtime)

    IvrDriver(voice, lambda vc: IvrFlow.model_validate(FLOW), render, clock.now, position=position)
    yield c, voice, gw, rendered
    voice.close()
    c.store.engine.dispose()


def test_prompts_play_in_order_a_digit_barges_in_and_the_choice_is_queued(ivr: Any) -> None:
    c, voice, gw, rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800")
    vc = voice.calls[next(iter(voice.calls))]
    assert vc.state == "ivr" and rendered == ["Hello."]
    assert c.store.interactions(limit=5) == []  # no contact while the caller is in the IVR
    gw.finish_prompt(leg)  # "Hello." ends -> the menu prompt
    assert rendered == ["Hello.", "Press 1 or 2."]
    voice.dtmf(leg, "1")  # barge-in over the menu prompt
    assert ("stop", "cust-1") in gw.log
    [row] = c.store.interactions(limit=5)
    assert row["attributes"]["ivr"] == {"menu": "1"} and row["state"] == "queued"
    assert rendered[-1] == "id:moh" and gw.playing["cust-1"][2] is True  # music on hold, looping
    # the announcement timer: the caller's position is fed to the flow and announced
    delay, fire = gw.timers[-1]
    assert delay == 30
    fire()
    assert "You are number 3 in line." in rendered[3:], rendered


def test_no_input_ends_on_the_failure_node_after_its_prompt(ivr: Any) -> None:
    c, voice, gw, rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, None, "0800")
    gw.finish_prompt(leg)
    gw.finish_prompt(leg)  # the menu prompt ends: the 4 s collect timeout starts
    delay, fire = gw.timers[-1]
    assert delay == 4
    fire()
    assert rendered[-1] == "Goodbye."
    gw.finish_prompt(leg)
    assert ("hangup", "cust-1") in gw.log
    assert c.store.interactions(limit=5) == [] and voice.calls == {}


def test_caller_hanging_up_in_the_ivr_leaves_no_contact(ivr: Any) -> None:
    c, voice, _gw, _rendered = ivr
    leg = FakeLeg("cust-1")
    voice.incoming(leg, None, "0800")
    voice.leg_ended(leg)
    assert voice.calls == {} and c.store.interactions(limit=5) == []

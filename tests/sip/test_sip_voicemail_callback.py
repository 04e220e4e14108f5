"""Voice IVR wiring (fake gateway, real interpreter and engine): business hours, voicemail, call-backs, waits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_fakes import FakeGateway, FakeLeg

from blendcc.app.channels.voice.ivr import IvrDriver, expected_wait
from blendcc.app.channels.voice.service import VoiceService, VoiceSettings
from blendcc.ivr.flow import IvrFlow, PromptRef

WEEK = {d: [{"start": "00:00", "end": "24:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
FLOW = {
    "id": "main", "language": "en", "start": "hours",
    "nodes": [
        {"id": "hours", "kind": "hours", "calendar": "always", "open": "menu", "closed": "closed"},
        {"id": "closed", "kind": "hangup", "prompt": {"text": "We are closed."}},
        {"id": "menu", "kind": "menu", "prompt": {"text": "Press 1 to wait, 2 for voicemail."},
         "options": [{"key": "1", "next": "sales"}, {"key": "2", "next": "vm"}],
         "timeout_s": 4, "retries": 0, "on_failure": "closed"},
        {"id": "sales", "kind": "queue", "announce_every_s": 30, "announce_position": False,
         "callback": {"key": "1"}},
        {"id": "vm", "kind": "voicemail", "mailbox": "sales-box", "prompt": {"text": "Leave a message."},
         "max_seconds": 20},
    ],
}


class CallbackGateway(FakeGateway):
    """The fake gateway plus a trunk: ``dial_out`` returns legs the test answers or fails."""

    def __init__(self) -> None:
        super().__init__()
        self.dialled: list[tuple[str, FakeLeg]] = []

    def dial_out(self, number: str, caller_id: str, contact_id: str) -> FakeLeg:
        self.n += 1
        leg = FakeLeg(f"cb-{self.n}")
        self.dialled.append((number, leg))
        self.log.append(("dial", number))
        return leg


@pytest.fixture
def env(sqlite_url: str, clock: Any, tmp_path: Path) -> Iterator[tuple[Any, VoiceService, CallbackGateway, list[str]]]:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c = build_container(Settings(database_url=sqlite_url, admin_password="ivr-admin-pw", secret_key="k"),
                        clock=clock, run_migrations=False)
    c.config.put("calendars", "always", {"timezone": "UTC", "weekly": WEEK}, "t")
    c.config.put("queues", "sales", {"name": "Sales", "wrap_up_s": 0, "offer_timeout_s": 20}, "t")
    c.config.put("agents", "a1", {"name": "Ann", "queues": ["sales"]}, "t")
    c.config.put("workflows", "main", {"default": [{"queue": "sales"}]}, "t")
    gw = CallbackGateway()
    voice = VoiceService(c.contacts, c.agents, c.bus, gw,  # type: ignore[arg-type]
                         VoiceSettings(recording_dir=tmp_path / "rec", callback_attempts=2,
                                       callback_ring_s=25, callback_retry_s=15))
    voice.dial_out = gw.dial_out  # type: ignore[assignment]
    rendered: list[str] = []

    def render(prompt: PromptRef, language: str) -> str | None:
        rendered.append(prompt.text or f"id:{prompt.prompt_id}")
        return f"/prompts/{len(rendered)}.wav"

    IvrDriver(voice, lambda vc: IvrFlow.model_validate(FLOW), render, clock.now,
              position=lambda cid: (2, 150.0), calendars=lambda: c.runtime.engine.catalog.calendars)
    yield c, voice, gw, rendered
    voice.close()
    c.store.engine.dispose()


def _queued(voice: VoiceService, gw: CallbackGateway, leg: FakeLeg) -> Any:
    voice.incoming(leg, "+442079460000", "0800")
    voice.dtmf(leg, "1")
    return next(iter(voice.calls.values()))


def test_business_hours_node_uses_the_routing_calendars(env: Any) -> None:
    _c, voice, _gw, rendered = env
    voice.incoming(FakeLeg("cust-1"), None, "0800")
    assert rendered == ["Press 1 to wait, 2 for voicemail."]  # open: the menu, not "We are closed."
    driver = voice.ivr_start.__self__  # type: ignore[union-attr]
    driver.calendars = dict  # no calendars: an unknown calendar counts as closed
    voice.incoming(FakeLeg("cust-2"), None, "0800")
    assert rendered[-1] == "We are closed."


def test_expected_wait_is_announced_from_the_queue_status(env: Any) -> None:
    _c, voice, gw, rendered = env
    _queued(voice, gw, FakeLeg("cust-1"))
    delay, fire = gw.timers[-1]
    assert delay == 30
    fire()
    assert any("3 minutes" in r for r in rendered), rendered  # 150 s -> about 3 minutes


def test_expected_wait_estimator() -> None:
    assert expected_wait(3, 240.0, 4) == pytest.approx(180.0)
    assert expected_wait(1, 90.0, 1) == pytest.approx(90.0)
    assert expected_wait(2, None, 3) is None and expected_wait(2, 100.0, 0) is None


def test_voicemail_records_the_caller_until_bye_then_leaves_a_message_file(env: Any, tmp_path: Path) -> None:
    c, voice, gw, rendered = env
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800")
    voice.dtmf(leg, "2")
    assert rendered[-1] == "Leave a message."
    vc = next(iter(voice.calls.values()))
    assert not gw.recording
    gw.finish_prompt(leg)  # recording starts after the prompt
    path = gw.recording["cust-1"]
    assert path == tmp_path / "rec" / "voicemail" / "sales-box" / f"{vc.contact_id}.wav"
    assert ("later", "20.0") in gw.log  # the maximum length
    voice.leg_ended(leg)  # the caller hangs up: the message ends
    assert vc.state == "ended" and "cust-1" not in gw.recording
    assert ("hangup", "cust-1") not in gw.log  # the caller's BYE ended it; no second hang-up
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["caller_id"] == "+442079460000" and meta["ivr"] == {"menu": "2"} and meta["seconds"] == 3.0
    assert c.store.interactions(limit=5) == []  # no contact was ever queued
    assert [r["kind"] for r in voice.recordings(vc.contact_id)] == ["voicemail"]


def test_voicemail_ends_and_hangs_up_at_its_maximum_length(env: Any) -> None:
    _c, voice, gw, _rendered = env
    leg = FakeLeg("cust-1")
    voice.incoming(leg, None, "0800")
    voice.dtmf(leg, "2")
    gw.finish_prompt(leg)
    delay, fire = gw.timers[-1]
    assert delay == 20
    fire()
    assert ("hangup", "cust-1") in gw.log and "cust-1" not in gw.recording


def _callback_requested(c: Any, voice: VoiceService, gw: CallbackGateway) -> Any:
    leg = FakeLeg("cust-1")
    vc = _queued(voice, gw, leg)
    voice.dtmf(leg, "1")  # "press 1 to be called back"
    gw.finish_prompt(leg)  # the confirmation ends: the caller is hung up
    assert ("hangup", "cust-1") in gw.log and vc.callback_number == "+442079460000"
    [row] = c.store.interactions(limit=5)
    assert row["state"] == "queued"  # kept its place: no customer_left
    return vc


def test_callback_keeps_the_place_dials_when_the_agent_answers_and_bridges(env: Any) -> None:
    c, voice, gw, _rendered = env
    vc = _callback_requested(c, voice, gw)
    gw.phones.add("a1")
    c.agents.login("a1")  # the contact is offered: the agent's phone rings
    assert ("ring", "a1") in gw.log and vc.state == "ringing"
    agent_leg = vc.agent_leg
    voice.agent_answered(agent_leg)
    assert gw.dialled and gw.dialled[0][0] == "+442079460000"
    assert not any(e[0] == "bridge" for e in gw.log)  # not before the customer answers
    customer = gw.dialled[0][1]
    voice.callback_event(customer, "answered", None)
    assert ("bridge", customer.id, agent_leg.id) in gw.log
    assert vc.customer is customer and voice.callback_log[-1]["outcome"] == "answered"
    [row] = c.store.interactions(limit=5)
    assert row["state"] == "connected"
    voice.callback_event(customer, "ended", None)  # the customer hangs up at the end
    [row] = c.store.interactions(limit=5)
    assert row["state"] != "connected"


def test_callback_not_answered_is_retried_then_ended_with_its_outcomes(env: Any) -> None:
    c, voice, gw, _rendered = env
    vc = _callback_requested(c, voice, gw)
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.agent_answered(vc.agent_leg)
    first = gw.dialled[0][1]
    voice.callback_event(first, "failed", 486)  # busy
    delay, retry = gw.timers[-1]
    assert delay == 15
    retry()
    second = gw.dialled[1][1]
    delay, ring_out = gw.timers[-1]
    assert delay == 25
    ring_out()  # nobody answers within the ring time: cancelled
    assert ("hangup", second.id) in gw.log
    assert [(e["attempt"], e["outcome"], e["final"]) for e in voice.callback_log] == [
        (1, "busy", False), (2, "no_answer", True)]
    [row] = c.store.interactions(limit=5)
    assert row["state"] != "connected" and vc.state == "ended"
    assert len(gw.dialled) == 2


def _types(c: Any, contact_id: str) -> list[str]:
    return [s.event.type for s in c.store.contact_events(contact_id)]


def test_voicemail_is_in_the_log_and_listed_from_it(env: Any) -> None:
    c, voice, gw, _rendered = env
    leg = FakeLeg("cust-1")
    voice.incoming(leg, "+442079460000", "0800")
    voice.dtmf(leg, "2")
    gw.finish_prompt(leg)
    vc = next(iter(voice.calls.values()))
    assert voice.voicemails() == []  # nothing is left until the message ends
    voice.leg_ended(leg)
    assert _types(c, vc.contact_id) == ["RecordingStored", "VoicemailLeft"]
    uri = f"voicemail/sales-box/{vc.contact_id}.wav"
    [msg] = voice.voicemails("sales-box")
    assert msg["file"] == uri and msg["seconds"] == 3.0 and msg["caller_id"] == "+442079460000"
    assert msg["ivr"] == {"menu": "2"} and msg["dialled"] == "0800" and msg["max_seconds"] == 20
    assert voice.voicemails("other") == []


def test_callback_request_attempts_and_completion_are_events(env: Any) -> None:
    c, voice, gw, _rendered = env
    vc = _callback_requested(c, voice, gw)
    [requested] = [s.event for s in c.store.contact_events(vc.contact_id) if s.event.type == "CallbackRequested"]
    assert requested.number == "+442079460000" and requested.dialled == "0800"  # type: ignore[attr-defined]
    gw.phones.add("a1")
    c.agents.login("a1")
    voice.agent_answered(vc.agent_leg)
    voice.callback_event(gw.dialled[0][1], "answered", None)
    tail = [s.event for s in c.store.contact_events(vc.contact_id)][-2:]
    assert [e.type for e in tail] == ["CallbackAttempted", "CallbackCompleted"]
    assert tail[0].outcome == "answered" and tail[0].final  # type: ignore[attr-defined]
    assert tail[1].outcome == "answered" and tail[1].attempts == 1  # type: ignore[attr-defined]
    assert voice.load_pending_callbacks(c.store) == {}  # completed: nothing pending


def test_pending_callback_survives_a_restart(sqlite_url: str, clock: Any, env: Any) -> None:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c, voice, gw, _rendered = env
    vc = _callback_requested(c, voice, gw)
    voice.close()  # the server stops: the caller's leg and the voice state are gone
    c.store.engine.dispose()

    c2 = build_container(Settings(database_url=sqlite_url, admin_password="ivr-admin-pw", secret_key="k"),
                         clock=clock, run_migrations=False)
    gw2 = CallbackGateway()
    voice2 = VoiceService(c2.contacts, c2.agents, c2.bus, gw2,  # type: ignore[arg-type]
                          VoiceSettings(callback_attempts=2, callback_ring_s=25, callback_retry_s=15))
    voice2.dial_out = gw2.dial_out  # type: ignore[assignment]
    try:
        assert voice2.pending_callbacks == {vc.contact_id: ("+442079460000", "0800")}
        gw2.phones.add("a1")
        c2.agents.login("a1")  # the queued contact is offered: the agent's phone rings
        assert ("ring", "a1") in gw2.log
        restored = voice2.calls[vc.contact_id]
        voice2.agent_answered(restored.agent_leg)
        assert gw2.dialled and gw2.dialled[0][0] == "+442079460000"  # dialled back after the restart
        customer = gw2.dialled[0][1]
        voice2.callback_event(customer, "answered", None)
        assert ("bridge", customer.id, restored.agent_leg.id) in gw2.log
        assert c2.store.interaction(vc.contact_id)["state"] == "connected"
        assert voice2.callback_log[-1]["outcome"] == "answered"
        voice2.callback_event(customer, "ended", None)
        assert _types(c2, vc.contact_id)[-1] != "ContactConnected"
    finally:
        voice2.close()
        c2.store.engine.dispose()


def test_a_pending_callback_whose_contact_ends_is_cancelled(sqlite_url: str, clock: Any, env: Any) -> None:
    from blendcc.bootstrap import build_container
    from blendcc.config import Settings

    c, voice, gw, _rendered = env
    vc = _callback_requested(c, voice, gw)
    voice.close()
    c.store.engine.dispose()
    c2 = build_container(Settings(database_url=sqlite_url, admin_password="ivr-admin-pw", secret_key="k"),
                         clock=clock, run_migrations=False)
    voice2 = VoiceService(c2.contacts, c2.agents, c2.bus, CallbackGateway())  # type: ignore[arg-type]
    try:
        c2.contacts.runtime.execute(lambda e, now: e.customer_left(vc.contact_id, now))
        assert voice2.pending_callbacks == {}
        assert _types(c2, vc.contact_id)[-1] == "CallbackCompleted"
        assert voice2.load_pending_callbacks(c2.store) == {}
    finally:
        voice2.close()
        c2.store.engine.dispose()

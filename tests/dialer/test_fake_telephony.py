"""FakeTelephony: scripted and drawn call fates, event timing, hangup and prompts, time-ordered delivery."""

from __future__ import annotations

import random

import pytest

from blendcc.adapters.manual_clock import FakeClock
from blendcc.adapters.telephony.fake import FakeTelephony, ScriptedCall
from blendcc.domain.telephony import TelephonyEvent
from blendcc.outbound_ports import Telephony


def make(**kw: object) -> tuple[FakeClock, FakeTelephony, list[TelephonyEvent]]:
    clock = FakeClock(1000.0)
    tel = FakeTelephony(clock, random.Random(7), **kw)  # type: ignore[arg-type]
    seen: list[TelephonyEvent] = []
    tel.on_event(seen.append)
    return clock, tel, seen


def kinds(events: list[TelephonyEvent]) -> list[tuple[str, str, float, str | None]]:
    return [(e.call_id, e.kind, e.at, e.answered_by or e.cause) for e in events]


def test_scripted_fates_and_timing() -> None:
    script = {"+1": [ScriptedCall("human", ring_s=4, hangup_after_s=60)], "+2": [ScriptedCall("busy", ring_s=3)],
              "+3": [ScriptedCall("no_answer")], "+4": [ScriptedCall("disconnected")],
              "+5": [ScriptedCall("machine", ring_s=30)]}  # rings past the timeout: no answer
    clock, tel, seen = make(script=script)
    port: Telephony = tel
    for i in range(1, 6):
        port.place_call(f"k{i}", f"+{i}", "+14155550100", 25.0)
    assert tel.deliver_due() == 5  # four 'ringing' and the immediate failure
    assert kinds(seen) == [("k1", "ringing", 1000.0, None), ("k2", "ringing", 1000.0, None),
                           ("k3", "ringing", 1000.0, None), ("k4", "failed", 1000.0, "disconnected"),
                           ("k5", "ringing", 1000.0, None)]
    seen.clear()
    tel.run_until(2000.0)
    assert kinds(seen) == [("k2", "busy", 1003.0, None), ("k1", "answered", 1004.0, "human"),
                           ("k3", "no_answer", 1025.0, None), ("k5", "no_answer", 1025.0, None),
                           ("k1", "hangup", 1064.0, "remote")]
    assert clock.now() == 2000.0
    assert tel.calls["k1"].answered and tel.calls["k1"].ended
    with pytest.raises(ValueError):
        tel.place_call("k1", "+1", "+14155550100", 25.0)


def test_hangup_cancels_what_was_scheduled_and_prompts_are_recorded() -> None:
    _, tel, seen = make(script={"+1": [ScriptedCall("human", ring_s=2, hangup_after_s=100)]})
    tel.place_call("k1", "+1", "+14155550100", 25.0)
    tel.run_until(1002.0)
    tel.play("k1", "abandon")
    tel.hangup("k1")
    tel.hangup("k1")  # twice is harmless
    tel.run_until(1500.0)
    assert [e.kind for e in seen] == ["ringing", "answered", "hangup"]
    assert seen[-1].cause == "local" and seen[-1].at == 1002.0
    assert tel.played == [("k1", "abandon")]
    with pytest.raises(ValueError):
        tel.play("nope", "x")


def test_drawn_fates_follow_the_mix_with_a_seeded_rng() -> None:
    _, tel, seen = make(mix={"human": 0.3, "no_answer": 0.7}, ring_s=(2.0, 10.0))
    for i in range(2000):
        tel.place_call(f"k{i}", "+19998887777", "+14155550100", 25.0)
    tel.run_until(10_000.0)
    answered = [e for e in seen if e.kind == "answered"]
    assert 0.26 < len(answered) / 2000 < 0.34
    assert all(1002.0 <= e.at <= 1010.0 and e.answered_by == "human" for e in answered)
    assert sum(e.kind == "no_answer" for e in seen) == 2000 - len(answered)
    _, again, seen2 = make(mix={"human": 0.3, "no_answer": 0.7}, ring_s=(2.0, 10.0))
    for i in range(2000):
        again.place_call(f"k{i}", "+19998887777", "+14155550100", 25.0)
    again.run_until(10_000.0)
    assert kinds(seen2) == kinds(seen)  # same seed, same calls
    with pytest.raises(ValueError):
        make(mix={"teleport": 1.0})
    with pytest.raises(ValueError):
        ScriptedCall("teleport")

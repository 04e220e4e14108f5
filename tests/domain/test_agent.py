"""Agent configuration, skills and per-channel capacity (exclusive voice, concurrent digital work)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from blendcc.domain.agent import AgentConfig, Capacity, has_skills
from blendcc.domain.channels import Channel

VOICE, CHAT, EMAIL, SMS = Channel.VOICE, Channel.CHAT, Channel.EMAIL, Channel.SMS

BLENDED = Capacity(limits={VOICE: 1, CHAT: 3, EMAIL: 2})


def test_default_capacity_is_one_exclusive_voice_call() -> None:
    cap = Capacity()
    assert cap.limits == {VOICE: 1}
    assert cap.exclusive == frozenset({VOICE})
    assert cap.can_take({}, VOICE)
    assert not cap.can_take({VOICE: 1}, VOICE)
    assert not cap.can_take({}, CHAT)  # no chat capacity at all


def test_voice_is_exclusive_both_ways() -> None:
    assert BLENDED.can_take({}, VOICE)
    assert not BLENDED.can_take({CHAT: 1}, VOICE)  # no call while chatting
    assert not BLENDED.can_take({EMAIL: 1}, VOICE)
    assert not BLENDED.can_take({VOICE: 1}, CHAT)  # no chat while on a call
    assert not BLENDED.can_take({VOICE: 1}, EMAIL)


def test_three_chats_and_two_emails_at_once() -> None:
    load: dict[Channel, int] = {}
    for _ in range(3):
        assert BLENDED.can_take(load, CHAT)
        load[CHAT] = load.get(CHAT, 0) + 1
    assert not BLENDED.can_take(load, CHAT)
    for _ in range(2):
        assert BLENDED.can_take(load, EMAIL)
        load[EMAIL] = load.get(EMAIL, 0) + 1
    assert not BLENDED.can_take(load, EMAIL)
    assert load == {CHAT: 3, EMAIL: 2}
    assert not BLENDED.can_take(load, VOICE)
    assert not BLENDED.can_take(load, SMS)  # channel without a limit


def test_zero_counts_in_load_do_not_block_exclusive_channel() -> None:
    assert BLENDED.can_take({CHAT: 0, EMAIL: 0}, VOICE)
    assert BLENDED.can_take({VOICE: 0}, CHAT)


def test_non_exclusive_voice_can_be_configured() -> None:
    cap = Capacity(limits={VOICE: 1, CHAT: 2}, exclusive=frozenset())
    assert cap.can_take({CHAT: 2}, VOICE)
    assert cap.can_take({VOICE: 1}, CHAT)
    assert not cap.can_take({VOICE: 1}, VOICE)


@pytest.mark.parametrize("n", [-1, 51])
def test_capacity_limits_are_bounded(n: int) -> None:
    with pytest.raises(ValidationError):
        Capacity(limits={CHAT: n})


def test_has_skills() -> None:
    skills = {"billing": 3, "french": 1}
    assert has_skills(skills, ())
    assert has_skills(skills, (("billing", 3),))
    assert has_skills(skills, (("billing", 1), ("french", 1)))
    assert not has_skills(skills, (("billing", 4),))
    assert not has_skills(skills, (("german", 1),))
    assert not has_skills(skills, (("billing", 1), ("german", 1)))


def test_agent_config_validation() -> None:
    a = AgentConfig(id="alice.b-1", skills={"billing": 5}, queues=["q1"])
    assert a.capacity == Capacity(limits={VOICE: 1, CHAT: 3, EMAIL: 2, SMS: 3, Channel.SOCIAL: 3})
    with pytest.raises(ValidationError):
        AgentConfig(id="bad id")
    with pytest.raises(ValidationError):
        AgentConfig(id="")
    with pytest.raises(ValidationError):
        AgentConfig(id="a", skills={"billing": 0})
    with pytest.raises(ValidationError):
        AgentConfig(id="a", skills={"billing": 6})

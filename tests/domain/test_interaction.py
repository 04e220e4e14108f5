"""Contact (interaction) lifecycle: allowed and refused transitions, terminal states, RouteStep round trip."""

from __future__ import annotations

from itertools import pairwise

import pytest

from blendcc.domain.errors import InvalidState
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.contact import TERMINAL, TRANSITIONS, WAITING, check_transition
from blendcc.domain.lifecycle.contact import ContactState as S

HAPPY_PATH = [S.CREATED, S.QUEUED, S.OFFERED, S.CONNECTED, S.HELD, S.CONNECTED, S.WRAP_UP, S.CLOSED]


def test_happy_path_is_allowed() -> None:
    for current, new in pairwise(HAPPY_PATH):
        check_transition(current, new, "c1")


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.QUEUED, S.QUEUED),  # overflow to another queue
        (S.OFFERED, S.QUEUED),  # offer revoked: back in line
        (S.QUEUED, S.ABANDONED),
        (S.QUEUED, S.TIMED_OUT),
        (S.CREATED, S.REJECTED),
        (S.CONNECTED, S.TRANSFERRED),
        (S.HELD, S.TRANSFERRED),
        (S.TRANSFERRED, S.QUEUED),
        (S.TRANSFERRED, S.REJECTED),  # transferred to a closed queue
        (S.HELD, S.WRAP_UP),
    ],
)
def test_other_allowed_transitions(current: S, new: S) -> None:
    check_transition(current, new, "c1")


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.CREATED, S.CONNECTED),  # must queue and be offered first
        (S.QUEUED, S.CONNECTED),
        (S.CONNECTED, S.QUEUED),
        (S.CONNECTED, S.ABANDONED),  # a connected customer hanging up ends the conversation
        (S.OFFERED, S.ABANDONED),  # a ringing offer is revoked (back to queued) before the contact leaves
        (S.OFFERED, S.TIMED_OUT),
        (S.TRANSFERRED, S.OFFERED),  # a transferred contact is queued before it is offered
        (S.WRAP_UP, S.CONNECTED),
        (S.CLOSED, S.QUEUED),
        (S.ABANDONED, S.QUEUED),
        (S.REJECTED, S.QUEUED),
    ],
)
def test_refused_transitions_raise_invalid_state(current: S, new: S) -> None:
    with pytest.raises(InvalidState) as info:
        check_transition(current, new, "c42")
    assert "c42" in info.value.message
    assert info.value.code == "conflict"


def test_terminal_states_have_no_exit() -> None:
    assert {S.CLOSED, S.ABANDONED, S.TIMED_OUT, S.REJECTED} == TERMINAL
    for state in TERMINAL:
        assert TRANSITIONS[state] == frozenset()
    for state in S:
        assert state in TRANSITIONS
        if state not in TERMINAL:
            assert TRANSITIONS[state], f"{state} is a dead end"


def test_waiting_states() -> None:
    assert {S.QUEUED, S.OFFERED} == WAITING


def test_route_step_round_trip() -> None:
    step = RouteStep(queue_id="q1", skills=(("billing", 3), ("french", 1)), priority=5, agent_id="a1",
                     timeout_s=30.0, skip_if_no_agents=True)
    data = step.to_dict()
    assert data["skills"] == [["billing", 3], ["french", 1]]
    assert RouteStep.from_dict(data) == step
    assert RouteStep.from_dict({"queue_id": "q2"}) == RouteStep(queue_id="q2")

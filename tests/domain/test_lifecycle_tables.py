"""The lifecycle tables themselves: well formed, every state can finish, triggers are real events."""

from __future__ import annotations

from enum import StrEnum

import pytest

from blendcc.app.channels.voice.model import VoiceCall
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentState
from blendcc.domain.errors import InvalidState
from blendcc.domain.interaction import InteractionState
from blendcc.domain.lifecycle import Lifecycle
from blendcc.domain.lifecycle.agent import AGENT
from blendcc.domain.lifecycle.assignment import ASSIGNMENT, AssignmentStage
from blendcc.domain.lifecycle.attempt import DIAL_ATTEMPT, AttemptState
from blendcc.domain.lifecycle.contact import CONTACT, TERMINAL, UNANSWERED, WAITING, ContactState, check_transition
from blendcc.domain.lifecycle.voice import VOICE_CALL, VoiceCallState

TABLES = [(CONTACT, ContactState), (ASSIGNMENT, AssignmentStage), (AGENT, AgentState), (VOICE_CALL, VoiceCallState),
          (DIAL_ATTEMPT, AttemptState)]


def reachable(table: Lifecycle, start: StrEnum) -> set[StrEnum]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in table.steps[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize(("table", "states"), TABLES, ids=[t.name for t, _ in TABLES])
def test_every_state_has_a_row_and_is_reachable_from_a_start(table: Lifecycle, states: type[StrEnum]) -> None:
    assert set(table.steps) == set(states)
    from_start = set().union(*(reachable(table, s) for s in table.initial))
    assert from_start == set(states)


@pytest.mark.parametrize(("table", "states"), TABLES[:2] + TABLES[3:], ids=[t.name for t, _ in TABLES[:2] + TABLES[3:]])
def test_every_state_can_still_reach_an_exit_and_exits_are_final(table: Lifecycle, states: type[StrEnum]) -> None:
    for state in states:
        assert reachable(table, state) & table.exits, f"{table.name}: {state} can never end"
    for state in table.exits:
        assert table.steps[state] == frozenset()


def test_agent_can_always_log_out_and_log_in_again() -> None:
    for state in AgentState:
        assert AgentState.OFFLINE in reachable(AGENT, state)
    assert AGENT.steps[AgentState.OFFLINE] == {AgentState.AVAILABLE, AgentState.AUX, AgentState.RESERVED}
    assert [s for s in AgentState if AgentState.WRAP_UP in AGENT.steps[s]] == [AgentState.BUSY]


def test_triggers_are_stored_event_names() -> None:
    for table in (CONTACT, ASSIGNMENT):
        for state, row in table.on.items():
            for trigger in row:
                assert trigger in ev.EVENT_TYPES, f"{table.name} {state}: {trigger} is not an event"


def test_named_groups() -> None:
    assert {ContactState.QUEUED, ContactState.OFFERED} == WAITING
    assert WAITING < UNANSWERED and not UNANSWERED & TERMINAL
    assert CONTACT.exits == TERMINAL
    assert InteractionState is ContactState  # the deprecated name is the same enum


def test_check_raises_invalid_state_with_a_clear_message() -> None:
    with pytest.raises(InvalidState, match="contact c1 is queued; cannot become wrap_up"):
        check_transition(ContactState.QUEUED, ContactState.WRAP_UP, "c1")
    with pytest.raises(InvalidState, match="assignment c1 is reserved; ContactHeld cannot happen now"):
        ASSIGNMENT.after(AssignmentStage.RESERVED, "ContactHeld", "c1")
    assert ASSIGNMENT.after(AssignmentStage.BUSY, "ContactHeld", "c1") is AssignmentStage.HELD


def test_malformed_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="no row"):
        Lifecycle("x", steps={AttemptState.RINGING: {AttemptState.FINISHED}}, initial=[AttemptState.RINGING],
                  exits=[])
    with pytest.raises(ValueError, match="not both"):
        Lifecycle("x", initial=[], exits=[])


def test_a_voice_call_refuses_a_step_outside_the_table() -> None:
    vc = VoiceCall("c1", None, None, None)  # type: ignore[arg-type]
    assert vc.state is VoiceCallState.NEW
    with pytest.raises(InvalidState, match="voice call c1 is new; cannot become connected"):
        vc.move(VoiceCallState.CONNECTED)
    vc.move(VoiceCallState.QUEUED)
    vc.move(VoiceCallState.QUEUED)  # staying is no step
    vc.move(VoiceCallState.ENDED)
    with pytest.raises(InvalidState):
        vc.move(VoiceCallState.QUEUED)
    assert vc.state is VoiceCallState.ENDED

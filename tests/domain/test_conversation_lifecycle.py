"""The conversation lifecycle table: its steps, and that any walk through it ends only in resolved."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blendcc.domain.errors import InvalidState
from blendcc.domain.lifecycle.conversation import (
    CONVERSATION,
    DAY_S,
    PARKED,
    ConversationState,
    within_reopen_window,
)

C = ConversationState


def test_the_table() -> None:
    assert CONVERSATION.initial == {C.OPEN} and CONVERSATION.exits == {C.RESOLVED}
    assert CONVERSATION.steps[C.RESOLVED] == frozenset()  # a reply opens a new contact instead
    assert CONVERSATION.allows(C.PENDING, C.OPEN) and CONVERSATION.allows(C.SNOOZED, C.SNOOZED)
    assert not CONVERSATION.allows(C.OPEN, C.OPEN) and not CONVERSATION.allows(C.PENDING, C.PENDING)
    assert {C.PENDING, C.SNOOZED} == PARKED
    with pytest.raises(InvalidState, match="resolved; cannot become open"):
        CONVERSATION.check(C.RESOLVED, C.OPEN, "c1")


@given(st.lists(st.sampled_from(list(C)), max_size=30))
def test_any_walk_stays_in_the_table_and_stops_at_resolved(wanted: list[C]) -> None:
    state = C.OPEN
    for nxt in wanted:
        if CONVERSATION.allows(state, nxt):
            state = nxt
        else:
            with pytest.raises(InvalidState):
                CONVERSATION.check(state, nxt, "c")
    every_state_but_resolved_can_resolve = state is C.RESOLVED or CONVERSATION.allows(state, C.RESOLVED)
    assert every_state_but_resolved_can_resolve


@given(st.integers(0, 30 * int(DAY_S)), st.integers(0, 30))
def test_reopen_window(gap: int, days: int) -> None:
    assert within_reopen_window(1000.0, 1000.0 + gap, days) == (gap <= days * DAY_S)
    assert not within_reopen_window(1000.0, 999.0, days)  # a message before the resolve is no reopen

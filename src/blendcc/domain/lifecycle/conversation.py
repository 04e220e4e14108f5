"""The digital conversation lifecycle: open, pending (waiting for the customer), snoozed until a time, resolved."""

from __future__ import annotations

from enum import StrEnum

from blendcc.domain.lifecycle import Lifecycle


class ConversationState(StrEnum):
    """The state of a digital conversation. The values are the ``state`` strings of the API and of
    ``ConversationStateChanged``."""

    OPEN = "open"  # with an agent, or waiting in a queue for one
    PENDING = "pending"  # the agent waits for the customer: no capacity used, the agent stays the owner
    SNOOZED = "snoozed"  # put aside until a time (then open again, routed to the owner first)
    RESOLVED = "resolved"  # ended and closed; a customer reply within the reopen window starts a new contact


C = ConversationState

#: state -> the states it may become. ``snoozed -> snoozed`` moves the wake-up time; a resolved
#: conversation is never reopened in place: the customer's reply opens a new contact that continues it
#: (``ConversationReopened``).
CONVERSATION = Lifecycle[ConversationState](
    "conversation",
    steps={
        C.OPEN: {C.PENDING, C.SNOOZED, C.RESOLVED},
        C.PENDING: {C.OPEN, C.SNOOZED, C.RESOLVED},
        C.SNOOZED: {C.OPEN, C.PENDING, C.SNOOZED, C.RESOLVED},
        C.RESOLVED: set(),
    },
    initial={C.OPEN},
    exits={C.RESOLVED},
)

#: no agent holds the conversation: it waits for the customer (or the snooze time) with its owner
PARKED = frozenset({C.PENDING, C.SNOOZED})

#: a customer's message to a resolved conversation within this many days reopens it (sticky to the owner)
DEFAULT_REOPEN_DAYS = 7
DAY_S = 86400.0


def within_reopen_window(resolved_at: float, now: float, days: float) -> bool:
    """True if a message at ``now`` still continues a conversation resolved at ``resolved_at``."""
    return 0.0 <= now - resolved_at <= days * DAY_S

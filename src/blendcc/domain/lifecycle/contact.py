"""The contact (interaction) lifecycle: its states, the table of allowed steps and named state groups."""

from __future__ import annotations

from enum import StrEnum

from blendcc.domain.lifecycle import Lifecycle


class ContactState(StrEnum):
    """Where a contact is in the engine. The values are the ``state`` strings of the API."""

    CREATED = "created"
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    HELD = "held"
    WRAP_UP = "wrap_up"
    TRANSFERRED = "transferred"
    CLOSED = "closed"
    ABANDONED = "abandoned"
    TIMED_OUT = "timed_out"
    REJECTED = "rejected"
    PARKED = "parked"  # a digital conversation pending or snoozed: no agent holds it, its owner gets it back


S = ContactState
_ABANDONED = {"ContactAbandoned": S.ABANDONED}
_REJECTED = {"ContactRejected": S.REJECTED}
_TIMED_OUT = {"ContactTimedOut": S.TIMED_OUT}
#: a conversation set pending or snoozed (``ConversationStateChanged``; open and resolved move the contact
#: by the queueing and closing events that follow, so the fold looks this step up only for those two)
_PARKED = {"ConversationStateChanged": S.PARKED}

#: state -> {event name: next state}. TRANSFERRED is transient: within the transfer command the contact
#: is queued again (or rejected when the target queue is closed); the transferring agent's
#: ``ContactEnded`` does not move it. A ringing offer is always revoked (back to QUEUED) before the
#: contact is abandoned, times out, is moved or rejected, so OFFERED has only two ways out.
CONTACT = Lifecycle[ContactState](
    "contact",
    {
        S.CREATED: {"ContactQueued": S.QUEUED, **_ABANDONED, **_REJECTED},
        S.QUEUED: {"ContactQueued": S.QUEUED, "ContactOffered": S.OFFERED, **_ABANDONED, **_TIMED_OUT,
                   **_REJECTED},
        S.OFFERED: {"ContactConnected": S.CONNECTED, "OfferRevoked": S.QUEUED},
        S.CONNECTED: {"ContactHeld": S.HELD, "ContactEnded": S.WRAP_UP, "ContactTransferred": S.TRANSFERRED,
                      **_PARKED},
        S.HELD: {"ContactResumed": S.CONNECTED, "ContactEnded": S.WRAP_UP, "ContactTransferred": S.TRANSFERRED,
                 **_PARKED},
        S.PARKED: {"ContactQueued": S.QUEUED, "ContactClosed": S.CLOSED},
        S.TRANSFERRED: {"ContactQueued": S.QUEUED, **_ABANDONED, **_REJECTED},
        S.WRAP_UP: {"ContactClosed": S.CLOSED},
        S.CLOSED: {},
        S.ABANDONED: {},
        S.TIMED_OUT: {},
        S.REJECTED: {},
    },
    initial={S.CREATED},
    exits={S.CLOSED, S.ABANDONED, S.TIMED_OUT, S.REJECTED},
)
TRANSITIONS = CONTACT.steps

#: the contact's outcome is decided; it only leaves the live state
TERMINAL = frozenset({S.CLOSED, S.ABANDONED, S.TIMED_OUT, S.REJECTED})
#: waiting in a queue: in line (queued) or ringing an agent (offered)
WAITING = frozenset({S.QUEUED, S.OFFERED})
#: the customer has not reached an agent yet: leaving now is an abandon, not the end of a conversation
UNANSWERED = frozenset({S.CREATED, S.QUEUED, S.OFFERED, S.TRANSFERRED})
#: an agent and the customer are in conversation (talking or on hold)
IN_CONVERSATION = frozenset({S.CONNECTED, S.HELD})
#: the values of ``UNANSWERED``, for readers of the API's ``state`` strings
UNANSWERED_VALUES = frozenset(s.value for s in UNANSWERED)


def check_transition(current: ContactState, new: ContactState, contact_id: str) -> None:
    """Raise InvalidState unless ``current -> new`` is an allowed lifecycle step."""
    CONTACT.check(current, new, contact_id)

"""The assignment lifecycle: one agent's part in one contact, from the offer to the end of wrap-up."""

from __future__ import annotations

from enum import StrEnum

from blendcc.domain.lifecycle import Lifecycle


class AssignmentStage(StrEnum):
    """The stage of an assignment. The values are the ``stage`` strings of the agent desktop API."""

    RESERVED = "reserved"  # offered: the agent is reserved for the contact while it rings
    BUSY = "busy"  # connected: in conversation
    HELD = "held"  # the agent put the customer on hold
    WRAP_UP = "wrap_up"  # the conversation ended; after-contact work until wrap-up completes
    ENDED = "ended"  # revoked or wrapped up: the assignment leaves the agent's work (never shown)


A = AssignmentStage

#: stage -> {event name: next stage}. An assignment starts RESERVED (``ContactOffered``) and ends
#: unanswered from RESERVED (``OfferRevoked``: declined, rang out, moved, logout, abandoned) or answered
#: from WRAP_UP (``WrapUpCompleted``); a conversation always ends (``ContactEnded``) before wrap-up.
ASSIGNMENT = Lifecycle[AssignmentStage](
    "assignment",
    {
        A.RESERVED: {"ContactConnected": A.BUSY, "OfferRevoked": A.ENDED},
        A.BUSY: {"ContactHeld": A.HELD, "ContactEnded": A.WRAP_UP},
        A.HELD: {"ContactResumed": A.BUSY, "ContactEnded": A.WRAP_UP},
        A.WRAP_UP: {"WrapUpCompleted": A.ENDED},
        A.ENDED: {},
    },
    initial={A.RESERVED},
    exits={A.ENDED},
)

#: the agent is in conversation on this assignment (talking or holding)
IN_CONVERSATION = frozenset({A.BUSY, A.HELD})

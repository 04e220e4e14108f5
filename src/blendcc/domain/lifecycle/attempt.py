"""The dial attempt lifecycle: one call the outbound dialer places for a record, from ringing to finished."""

from __future__ import annotations

from enum import StrEnum

from blendcc.domain.lifecycle import Lifecycle


class AttemptState(StrEnum):
    """Where a dial attempt is (the dialer's bookkeeping; the record's own state is ``RecordState``)."""

    RINGING = "ringing"  # placed; the callee's phone rings
    WAITING = "waiting"  # a live person answered and waits (at most ``connect_within_s``) for an agent
    CONNECTED = "connected"  # the engine connected it to an agent as an outbound contact
    FINISHED = "finished"  # failed, abandoned or wrapped up: the record got its outcome


T = AttemptState

DIAL_ATTEMPT = Lifecycle[AttemptState](
    "dial attempt",
    steps={
        T.RINGING: {T.WAITING, T.FINISHED},
        T.WAITING: {T.CONNECTED, T.FINISHED},
        T.CONNECTED: {T.FINISHED},
        T.FINISHED: (),
    },
    initial={T.RINGING},
    exits={T.FINISHED},
)

#: placed and not yet with an agent: the attempts that count as "in flight" for pacing
IN_FLIGHT = frozenset({T.RINGING, T.WAITING})

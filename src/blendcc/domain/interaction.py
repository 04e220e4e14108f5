"""Interaction lifecycle: states, allowed transitions and the routing steps a contact walks through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from blendcc.domain.errors import InvalidState


class InteractionState(StrEnum):
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


S = InteractionState

#: Allowed lifecycle transitions. TRANSFERRED is transient: the contact is queued or offered again.
TRANSITIONS: dict[InteractionState, frozenset[InteractionState]] = {
    S.CREATED: frozenset({S.QUEUED, S.ABANDONED, S.REJECTED}),
    S.QUEUED: frozenset({S.OFFERED, S.QUEUED, S.ABANDONED, S.TIMED_OUT, S.REJECTED}),
    S.OFFERED: frozenset({S.CONNECTED, S.QUEUED, S.ABANDONED, S.TIMED_OUT}),
    S.CONNECTED: frozenset({S.HELD, S.WRAP_UP, S.TRANSFERRED}),
    S.HELD: frozenset({S.CONNECTED, S.WRAP_UP, S.TRANSFERRED}),
    S.TRANSFERRED: frozenset({S.QUEUED, S.OFFERED, S.ABANDONED}),
    S.WRAP_UP: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.ABANDONED: frozenset(),
    S.TIMED_OUT: frozenset(),
    S.REJECTED: frozenset(),
}

TERMINAL = frozenset({S.CLOSED, S.ABANDONED, S.TIMED_OUT, S.REJECTED})
WAITING = frozenset({S.QUEUED, S.OFFERED})


def check_transition(current: InteractionState, new: InteractionState, contact_id: str) -> None:
    """Raise InvalidState unless ``current -> new`` is an allowed lifecycle step."""
    if new not in TRANSITIONS[current]:
        raise InvalidState(f"contact {contact_id} is {current.value}; cannot become {new.value}")


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One step of a routing plan: where the contact waits and who may take it.

    ``skills`` are (skill, minimum proficiency) pairs; ``agent_id`` restricts the step to one agent
    (sticky/preferred agent or transfer to agent); after ``timeout_s`` the contact moves to the next
    step; ``skip_if_no_agents`` moves on at once when no logged-in agent could ever take the step.
    """

    queue_id: str
    skills: tuple[tuple[str, int], ...] = ()
    priority: int | None = None
    agent_id: str | None = None
    timeout_s: float | None = None
    skip_if_no_agents: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "queue_id": self.queue_id,
            "skills": [[s, lvl] for s, lvl in self.skills],
            "priority": self.priority,
            "agent_id": self.agent_id,
            "timeout_s": self.timeout_s,
            "skip_if_no_agents": self.skip_if_no_agents,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RouteStep:
        return cls(
            queue_id=str(data["queue_id"]),
            skills=tuple((str(s), int(lvl)) for s, lvl in data.get("skills", ())),
            priority=data.get("priority"),
            agent_id=data.get("agent_id"),
            timeout_s=data.get("timeout_s"),
            skip_if_no_agents=bool(data.get("skip_if_no_agents", False)),
        )

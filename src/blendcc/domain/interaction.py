"""Routing steps a contact walks through (its lifecycle table is ``domain.lifecycle.contact``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blendcc.domain.lifecycle.contact import ContactState

#: Deprecated alias: the contact lifecycle lives in ``domain.lifecycle.contact`` (``ContactState``, the
#: table ``CONTACT``). Kept only so branches written against the old name still import; use ContactState.
InteractionState = ContactState


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

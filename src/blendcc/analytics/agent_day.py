"""One agent's handled contacts and handle time (talk + hold + after-contact work) from its leg events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from blendcc.domain.events import ContactConnected, Event, WrapUpCompleted

#: the event types ``AgentDay`` folds
DAY_TYPES = (ContactConnected, WrapUpCompleted)


@dataclass(slots=True)
class AgentDay:
    """Per channel: contacts connected to the agent (handled) and, over its completed legs, the handle
    time; AHT = sum(talk + hold + ACW) / completed legs (KPIS.md: a contact still in progress does not
    lower it)."""

    handled: dict[str, int] = field(default_factory=dict)
    completed: dict[str, int] = field(default_factory=dict)
    talk_s: float = 0.0
    hold_s: float = 0.0
    acw_s: float = 0.0

    def apply_all(self, agent_id: str, events: Iterable[Event]) -> AgentDay:
        for e in events:
            if isinstance(e, ContactConnected) and e.agent_id == agent_id:
                self.handled[e.channel] = self.handled.get(e.channel, 0) + 1
            elif isinstance(e, WrapUpCompleted) and e.agent_id == agent_id:
                self.completed[e.channel] = self.completed.get(e.channel, 0) + 1
                self.talk_s += e.talk_s
                self.hold_s += e.hold_s
                self.acw_s += e.acw_s
        return self

    def figures(self) -> dict[str, Any]:
        done = sum(self.completed.values())
        handle = self.talk_s + self.hold_s + self.acw_s
        return {"handled": sum(self.handled.values()), "handled_by_channel": dict(sorted(self.handled.items())),
                "completed": done, "talk_s": self.talk_s, "hold_s": self.hold_s, "acw_s": self.acw_s,
                "aht_s": handle / done if done else None}

"""Agent-selection strategies: registered sort keys (smaller is better) and their select functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from blendcc.domain.errors import ValidationFailed
from blendcc.domain.queue import QueueConfig
from blendcc.routing.views import AgentView, ContactView

#: A strategy ranks one agent for one queue; ties are broken by later tuple items, never by weights.
#: A strategy's keys all have the same length (the matcher flattens them into its heap entries).
StrategyKey = Callable[[AgentView, QueueConfig], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    key: StrategyKey
    description: str
    #: False if the key ignores the queue: the matcher then computes it once per agent change.
    uses_queue: bool = True

    def select(self, candidates: Sequence[AgentView], contact: ContactView) -> AgentView | None:
        """The best of ``candidates`` for ``contact`` (all assumed eligible), or None."""
        queue = contact.queue
        return min(candidates, key=lambda a: self.key(a, queue), default=None)


_REGISTRY: dict[str, Strategy] = {}


def register(name: str, description: str, *, uses_queue: bool = True) -> Callable[[StrategyKey], StrategyKey]:
    def wrap(fn: StrategyKey) -> StrategyKey:
        _REGISTRY[name] = Strategy(name, fn, description, uses_queue)
        return fn

    return wrap


def get_strategy(name: str) -> Strategy:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValidationFailed(f"unknown strategy {name!r}; known strategies: {known}") from None


def strategy_names() -> list[str]:
    return sorted(_REGISTRY)


@register("longest_idle", "the agent idle the longest (since last offer, completion or becoming ready)",
          uses_queue=False)
def longest_idle(agent: AgentView, queue: QueueConfig) -> tuple[Any, ...]:
    return (agent.idle_since, agent.id)


@register("best_proficiency", "highest total proficiency in the queue's skills, then longest idle")
def best_proficiency(agent: AgentView, queue: QueueConfig) -> tuple[Any, ...]:
    skills = agent.skills
    score = 0
    for skill in queue.skills:
        score += skills.get(skill, 0)
    return (-score, agent.idle_since, agent.id)


@register("least_occupied", "lowest share of channel capacity in use, then longest idle", uses_queue=False)
def least_occupied(agent: AgentView, queue: QueueConfig) -> tuple[Any, ...]:
    limits = agent.capacity.limits
    total = sum(limits.values()) or 1
    used = sum(agent.load.values())
    return (used / total, agent.idle_since, agent.id)


@register("round_robin", "the agent whose last offer is the oldest", uses_queue=False)
def round_robin(agent: AgentView, queue: QueueConfig) -> tuple[Any, ...]:
    return (agent.last_offer_seq, agent.id)

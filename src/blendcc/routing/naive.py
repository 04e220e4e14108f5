"""Reference matcher: linear scans over every agent and contact (oracle for tests, peer for benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping

from blendcc.domain.agent import has_skills
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.strategies import get_strategy


def eligible(agent: AgentRecord, contact: ContactRecord) -> bool:
    """Could ``agent`` be offered ``contact`` right now (ignoring which is best)?"""
    if not agent.routable or agent.id in contact.declined or contact.id in agent.work:
        return False
    if not agent.capacity.can_take(agent.load, contact.channel):
        return False
    only = contact.agent_only
    if only is not None:
        return agent.id == only
    return contact.queue.id in agent.queues and has_skills(agent.skills, contact.requirement)


class NaiveMatcher:
    """Same answers as ``Matcher``, computed by scanning everything on every decision."""

    def __init__(self, agents: Mapping[str, AgentRecord], waiting: Mapping[str, ContactRecord]):
        self._agents = agents
        self._waiting = waiting

    def best_agent(self, contact: ContactRecord) -> AgentRecord | None:
        candidates = [a for a in self._agents.values() if eligible(a, contact)]
        chosen = get_strategy(contact.queue.strategy).select(candidates, contact)
        return self._agents[chosen.id] if chosen is not None else None

    def best_contact(self, agent: AgentRecord) -> ContactRecord | None:
        candidates = [c for c in self._waiting.values() if eligible(agent, c)]
        return min(candidates, key=lambda c: (c.order_key, c.seq), default=None)

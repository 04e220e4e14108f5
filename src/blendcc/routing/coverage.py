"""Who could ever take what: queue/channel combinations no configured agent can serve (flagged when the
configuration is saved), and why a waiting contact has no logged-in agent who could take it (the wallboard).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from blendcc.domain.agent import AgentConfig, has_skills
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import Catalog
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.workflow import Target

_VALUES = frozenset(c.value for c in Channel)


@dataclass(frozen=True, slots=True)
class CoverageWarning:
    """Contacts of ``channel`` routed to ``queue_id`` would wait forever: ``reason`` says why."""

    queue_id: str
    channel: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"queue_id": self.queue_id, "channel": self.channel, "reason": self.reason}


def _skills_text(required: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{s}>={n}" for s, n in required)


def _weakest(t: Target, queue: QueueConfig) -> tuple[tuple[str, int], ...]:
    """The least a target ever asks for (after all its relaxations)."""
    skills = t.relax[-1].skills if t.relax else (t.skills if t.skills is not None else queue.skills)
    return tuple(sorted(skills.items()))


def _reachable(catalog: Catalog) -> dict[tuple[str, Channel], set[tuple[tuple[str, int], ...]]]:
    """(queue, channel) -> the skill requirements contacts of that channel can reach it with: every target
    of the workflows serving the channel (empty ``channels``: every channel no other workflow names), and
    the overflow queues behind them."""
    out: dict[tuple[str, Channel], set[tuple[tuple[str, int], ...]]] = {}
    claimed = {c for wf in catalog.workflows.values() for c in wf.workflow.channels}
    unclaimed = [ch for ch in Channel if ch.value not in claimed]  # what a catch-all workflow gets
    for wf in catalog.workflows.values():
        channels = [Channel(c) for c in wf.workflow.channels if c in _VALUES] or unclaimed
        targets = [*wf.workflow.default, *(t for f in wf.workflow.filters for t in f.targets)]
        for t in targets:
            queue = catalog.queues.get(t.queue)
            if queue is None or t.preferred_agent is not None:
                continue
            for ch in channels:
                out.setdefault((queue.id, ch), set()).add(_weakest(t, queue))
    # overflow targets take contacts with their own queue's skills
    for (qid, ch) in list(out):
        seen = {qid}
        q = catalog.queues[qid]
        for first in (q.no_agents_overflow_queue, q.closed_overflow_queue):
            nxt = first
            while nxt is not None and nxt not in seen and nxt in catalog.queues:
                seen.add(nxt)
                target = catalog.queues[nxt]
                out.setdefault((nxt, ch), set()).add(target.skill_requirement())
                nxt = target.no_agents_overflow_queue
    return out


def _why_not(agents: Iterable[AgentConfig | AgentRecord], queue_id: str, channel: Channel,
             required: tuple[tuple[str, int], ...], who: str) -> str | None:
    """None if one of ``agents`` could take it, else the reason (``who``: 'configured' or 'logged-in')."""
    members = [a for a in agents if queue_id in a.queues]
    if not members:
        return f"no {who} agent is a member of queue {queue_id}"
    able = [a for a in members if a.capacity.limits.get(channel, 0) > 0]
    if not able:
        return f"no {who} agent of queue {queue_id} has {channel.value} capacity"
    if not any(has_skills(a.skills, required) for a in able):
        return (f"no {who} agent of queue {queue_id} with {channel.value} capacity has the skills "
                f"{_skills_text(required)}")
    return None


def unroutable(catalog: Catalog) -> list[CoverageWarning]:
    """Every queue/channel combination that contacts can reach but no configured agent could ever take
    (membership, channel capacity, skills), sorted by queue then channel."""
    members: dict[str, list[AgentConfig]] = {}
    for a in catalog.agents.values():
        for qid in a.queues:
            members.setdefault(qid, []).append(a)
    out = []
    for (qid, ch), requirements in sorted(_reachable(catalog).items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        reasons = [_why_not(members.get(qid, ()), qid, ch, req, "configured") for req in sorted(requirements)]
        if all(r is not None for r in reasons):  # no requirement it can arrive with is ever served
            out.append(CoverageWarning(qid, ch.value, str(reasons[0])))
    return out


def why_waiting(c: ContactRecord, agents: Mapping[str, AgentRecord],
                members_on: Mapping[str, Iterable[str]] | None = None) -> str | None:
    """Why no logged-in agent could take the waiting contact ``c`` now (None: someone could).
    ``members_on``: queue -> its logged-in members (the engine's index), else every agent is looked at."""
    if not c.steps:
        return None
    step = c.step
    if members_on is not None:
        logged_in = [agents[aid] for aid in members_on.get(step.queue_id, ()) if aid in agents]
    else:
        logged_in = [a for a in agents.values() if a.logged_in]
    if step.agent_id is not None:
        a = agents.get(step.agent_id)
        if a is None or not a.logged_in:
            return f"waiting for agent {step.agent_id}, who is not logged in"
        if a.capacity.limits.get(c.channel, 0) <= 0:
            return f"waiting for agent {step.agent_id}, who has no {c.channel.value} capacity"
        return None
    return _why_not(logged_in, step.queue_id, c.channel, step.skills, "logged-in")

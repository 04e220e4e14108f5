"""Queue positions of waiting web chats in one pass over the live contacts (read under the writer lock)."""

from __future__ import annotations

from collections.abc import Mapping

from blendcc.domain.agent import AgentState
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.routing.engine import Engine


def queue_positions(engine: Engine, contacts: Mapping[str, object]) -> dict[str, tuple[int, str, int]]:
    """(position, queue id, staffed agents) of each of ``contacts`` that is queued: 1 + the contacts of
    its queue ahead of it (higher priority, then waiting longer), as ``LiveViews.queue_position``."""
    queued = ContactState.QUEUED
    by_queue: dict[str, list[tuple[int, float, str]]] = {}
    wanted: set[str] = set()
    for c in engine.contacts.values():
        if c.state is queued:
            by_queue.setdefault(c.queue.id, []).append((-c.priority, c.queued_at or 0.0, c.id))
            if c.id in contacts:
                wanted.add(c.queue.id)
    out: dict[str, tuple[int, str, int]] = {}
    for qid in wanted:
        line = sorted(by_queue[qid])
        staffed = sum(1 for a in engine.agents.values()
                      if a.logged_in and qid in a.queues and a.state is not AgentState.AUX)
        for i, (_, _, cid) in enumerate(line):
            if cid in contacts:
                out[cid] = (i + 1, qid, staffed)
    return out

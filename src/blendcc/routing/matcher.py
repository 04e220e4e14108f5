"""Indexed matcher: best available agent for a contact, best waiting contact for an agent.

Available agents sit in one lazy min-heap per (queue, channel), ordered by the queue's strategy key;
waiting contacts sit in one lazy min-heap per bucket (queue, channel, skill requirement, agent
restriction), ordered by (order_key, seq). An entry is valid while its token equals the record's
token; any change to a record bumps its token and re-pushes it, so stale entries are skipped on pop
and swept out by periodic compaction. Selection equals the strategy's ``select`` over all eligible
candidates (checked by property tests against ``NaiveMatcher``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from blendcc.domain.agent import has_skills
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.strategies import StrategyKey, get_strategy

AgentEntry = tuple[tuple[Any, ...], int, str]
ContactEntry = tuple[float, int, int, str]
BucketKey = tuple[str, Channel, tuple[tuple[str, int], ...], str | None]

_COMPACT_EVERY = 50_000


class Matcher:
    def __init__(
        self,
        queues: Mapping[str, QueueConfig],
        agents: Mapping[str, AgentRecord],
        contacts: Mapping[str, ContactRecord],
    ):
        self._agents = agents
        self._contacts = contacts
        self._tokens = itertools.count(1)
        self._queues: dict[str, QueueConfig] = dict(queues)
        self._keys: dict[str, StrategyKey] = {q: get_strategy(c.strategy).key for q, c in queues.items()}
        self._avail: dict[tuple[str, Channel], list[AgentEntry]] = {}
        self._buckets: dict[str, dict[BucketKey, list[ContactEntry]]] = {}
        self._personal: dict[str, dict[BucketKey, list[ContactEntry]]] = {}
        self._ops = 0

    # ------------------------------------------------------------------ configuration

    def set_queues(self, queues: Mapping[str, QueueConfig], waiting: Iterable[ContactRecord]) -> None:
        """Replace queue configuration and rebuild every index (strategies may have changed)."""
        self._queues = dict(queues)
        self._keys = {q: get_strategy(c.strategy).key for q, c in queues.items()}
        self._avail.clear()
        self._buckets.clear()
        self._personal.clear()
        for agent in self._agents.values():
            self.agent_changed(agent)
        for contact in waiting:
            self.contact_waiting(contact)

    # ------------------------------------------------------------------ agents

    def agent_changed(self, agent: AgentRecord) -> None:
        """Re-index ``agent`` after any change to presence, load, skills, queues or idle time."""
        agent.token = token = next(self._tokens)
        self._ops += 1
        if self._ops % _COMPACT_EVERY == 0:
            self.compact()
        if not agent.routable:
            return
        capacity = agent.capacity
        load = agent.load
        channels = [ch for ch in capacity.limits if capacity.can_take(load, ch)]
        if not channels:
            return
        avail = self._avail
        keys = self._keys
        queues = self._queues
        push = heapq.heappush
        for qid in agent.queues:
            keyfn = keys.get(qid)
            if keyfn is None:
                continue
            entry = (keyfn(agent, queues[qid]), token, agent.id)
            for ch in channels:
                heap = avail.get((qid, ch))
                if heap is None:
                    avail[(qid, ch)] = [entry]
                else:
                    push(heap, entry)

    def best_agent(self, contact: ContactRecord) -> AgentRecord | None:
        """The strategy's best routable agent for ``contact`` at its current step, or None."""
        agents = self._agents
        only = contact.agent_only
        channel = contact.channel
        if only is not None:
            agent = agents.get(only)
            if (
                agent is not None
                and agent.routable
                and only not in contact.declined
                and contact.id not in agent.work
                and agent.capacity.can_take(agent.load, channel)
            ):
                return agent
            return None
        heap = self._avail.get((contact.queue.id, channel))
        if not heap:
            return None
        requirement = contact.requirement
        declined = contact.declined
        cid = contact.id
        skipped: list[AgentEntry] = []
        found: AgentRecord | None = None
        pop = heapq.heappop
        while heap:
            entry = heap[0]
            agent = agents.get(entry[2])
            if agent is None or agent.token != entry[1]:
                pop(heap)  # stale
                continue
            if (
                (not requirement or has_skills(agent.skills, requirement))
                and agent.id not in declined
                and cid not in agent.work  # still wrapping up its own leg of this contact
            ):
                found = agent
                break
            skipped.append(pop(heap))
        for entry in skipped:
            heapq.heappush(heap, entry)
        return found

    # ------------------------------------------------------------------ contacts

    def contact_waiting(self, contact: ContactRecord) -> None:
        """Index ``contact`` as waiting at its current step (its place is its order key)."""
        contact.token = token = next(self._tokens)
        self._ops += 1
        if self._ops % _COMPACT_EVERY == 0:
            self.compact()
        only = contact.agent_only
        key: BucketKey = (contact.queue.id, contact.channel, contact.requirement, only)
        table = self._personal.setdefault(only, {}) if only else self._buckets.setdefault(key[0], {})
        heap = table.get(key)
        entry = (contact.order_key, contact.seq, token, contact.id)
        if heap is None:
            table[key] = [entry]
        else:
            heapq.heappush(heap, entry)

    def contact_left(self, contact: ContactRecord) -> None:
        """``contact`` is no longer waiting (offered, connected, ended): invalidate its entries."""
        contact.token = next(self._tokens)

    def best_contact(self, agent: AgentRecord) -> ContactRecord | None:
        """The best waiting contact across every queue ``agent`` serves (and those for it alone)."""
        if not agent.routable:
            return None
        best: ContactRecord | None = None
        best_key: tuple[float, int] | None = None
        capacity = agent.capacity
        load = agent.load
        skills = agent.skills
        tables: list[Mapping[BucketKey, list[ContactEntry]]] = []
        for qid in agent.queues:
            queue_table = self._buckets.get(qid)
            if queue_table:
                tables.append(queue_table)
        personal = self._personal.get(agent.id)
        if personal:
            tables.append(personal)
        for table in tables:
            for key, heap in table.items():
                _, channel, requirement, only = key
                if not heap or not capacity.can_take(load, channel):
                    continue
                if only is None and requirement and not has_skills(skills, requirement):
                    continue
                head = self._valid_head(heap, agent)
                if head is None:
                    continue
                rank = (head.order_key, head.seq)
                if best_key is None or rank < best_key:
                    best, best_key = head, rank
        return best

    def _valid_head(self, heap: list[ContactEntry], agent: AgentRecord) -> ContactRecord | None:
        contacts = self._contacts
        agent_id = agent.id
        work = agent.work
        skipped: list[ContactEntry] = []
        found: ContactRecord | None = None
        while heap:
            entry = heap[0]
            contact = contacts.get(entry[3])
            if contact is None or contact.token != entry[2]:
                heapq.heappop(heap)
                continue
            if agent_id in contact.declined or contact.id in work:
                skipped.append(heapq.heappop(heap))
                continue
            found = contact
            break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return found

    def waiting_count(self) -> int:
        """Number of valid waiting entries (for tests and diagnostics; O(entries))."""
        contacts = self._contacts
        n = 0
        for table in [*self._buckets.values(), *self._personal.values()]:
            for heap in table.values():
                n += sum(1 for e in heap if (c := contacts.get(e[3])) is not None and c.token == e[2])
        return n

    # ------------------------------------------------------------------ housekeeping

    def compact(self) -> None:
        """Drop stale entries from every heap (amortised: runs once per many changes)."""
        agents, contacts = self._agents, self._contacts
        for key, aheap in list(self._avail.items()):
            live = [e for e in aheap if (a := agents.get(e[2])) is not None and a.token == e[1]]
            if live:
                heapq.heapify(live)
                self._avail[key] = live
            else:
                del self._avail[key]
        for tables in (self._buckets, self._personal):
            for owner, table in list(tables.items()):
                for bkey, cheap in list(table.items()):
                    alive = [e for e in cheap if (c := contacts.get(e[3])) is not None and c.token == e[2]]
                    if alive:
                        heapq.heapify(alive)
                        table[bkey] = alive
                    else:
                        del table[bkey]
                if not table:
                    del tables[owner]

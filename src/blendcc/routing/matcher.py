"""Indexed matcher: best available agent for a contact, best waiting contact for an agent.

Available agents sit in one lazy min-heap per (queue, channel), ordered by the queue's strategy key,
for the channels contacts have asked for so far (the first contact of a channel indexes every agent for it);
waiting contacts sit in one lazy min-heap per bucket (queue, channel, skill requirement, agent
restriction), ordered by (order_key, seq). An entry is valid while its token equals the record's
token; any change to a record bumps its token and re-pushes it, so stale entries are skipped on pop
and swept out by periodic compaction. Selection equals the strategy's ``select`` over all eligible
candidates (checked by property tests against ``NaiveMatcher``). Agent records stay in the mapping
for the matcher's lifetime (the engine never drops one): an agent leaves routing by becoming
unroutable and being re-indexed with ``agent_changed``.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from blendcc.domain.agent import Presence, has_skills
from blendcc.domain.channels import Channel
from blendcc.domain.queue import QueueConfig
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.strategies import StrategyKey, get_strategy

#: (*strategy key, token, agent record): flat, so heap comparisons stay one tuple deep, and carrying
#: the record saves a lookup per popped entry. Comparisons never order two records: tokens differ
#: between entries of different changes, and entries of one change hold the very same objects.
#: All entries of one heap have the same length (one strategy per queue, fixed-length keys).
AgentEntry = tuple[Any, ...]
ContactEntry = tuple[float, int, int, str]
BucketKey = tuple[str, Channel, tuple[tuple[str, int], ...], str | None]
#: a queue's ranking: (strategy key, queue, its agent heaps by channel, key ignores the queue)
Rank = tuple[StrategyKey, QueueConfig, dict[Channel, list[AgentEntry]], bool]

_COMPACT_EVERY = 50_000
_AVAILABLE = Presence.AVAILABLE


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
        self._shared: dict[str, bool] = {q: not get_strategy(c.strategy).uses_queue for q, c in queues.items()}
        #: queue -> channel -> heap of available agents
        self._avail: dict[str, dict[Channel, list[AgentEntry]]] = {}
        #: queue -> (strategy key, queue, its heaps by channel, key ignores the queue): one lookup per
        #: queue on the hot path
        self._ranking: dict[str, Rank] = {}
        #: agent -> (its queues, the rankings of those that exist): one lookup per agent change, valid
        #: while the record holds that very tuple (``AgentRecord.reconfigure`` sets a new one)
        self._agent_ranks: dict[str, tuple[tuple[str, ...], tuple[Rank, ...]]] = {}
        #: the channels some contact has asked an agent for, in the order first asked: only these have
        #: agent heaps (a centre that never routes email keeps no email heaps up to date)
        self._wanted: list[Channel] = []
        self._index_queues()
        self._buckets: dict[str, dict[BucketKey, list[ContactEntry]]] = {}
        self._personal: dict[str, dict[BucketKey, list[ContactEntry]]] = {}
        self._ops = 0
        self._compact_at = _COMPACT_EVERY  # the next multiple of _COMPACT_EVERY

    # ------------------------------------------------------------------ configuration

    def set_queues(self, queues: Mapping[str, QueueConfig], waiting: Iterable[ContactRecord]) -> None:
        """Replace queue configuration and rebuild every index (strategies may have changed)."""
        self._queues = dict(queues)
        self._keys = {q: get_strategy(c.strategy).key for q, c in queues.items()}
        self._shared = {q: not get_strategy(c.strategy).uses_queue for q, c in queues.items()}
        self._avail = {}
        self._index_queues()
        self._buckets.clear()
        self._personal.clear()
        for agent in self._agents.values():
            self.agent_changed(agent)
        for contact in waiting:
            self.contact_waiting(contact)

    def _index_queues(self) -> None:
        self._ranking = {}
        self._agent_ranks = {}
        for qid, queue in self._queues.items():
            heaps = self._avail.setdefault(qid, {})
            self._ranking[qid] = (self._keys[qid], queue, heaps, self._shared[qid])

    # ------------------------------------------------------------------ agents

    def agent_changed(self, agent: AgentRecord) -> None:
        """Re-index ``agent`` after any change to presence, load, skills, queues or idle time."""
        agent.token = token = next(self._tokens)
        self._ops += 1
        if self._ops >= self._compact_at:
            self.compact()
        if not (agent.logged_in and agent.presence is _AVAILABLE):  # agent.routable, inlined (hot path)
            return
        capacity = agent.capacity
        load = agent.load
        limits = capacity.limits
        channels: list[Channel] = []
        if load:  # capacity.can_take per wanted channel, inlined (twice per decision)
            exclusive = capacity.exclusive
            for ch in self._wanted:
                if load.get(ch, 0) >= limits.get(ch, 0):
                    continue
                for other, n in load.items():
                    if n and other != ch and (other in exclusive or ch in exclusive):
                        break
                else:
                    channels.append(ch)
        else:  # nothing in progress: every channel with a limit fits
            for ch in self._wanted:
                if limits.get(ch, 0) > 0:
                    channels.append(ch)
        if not channels:
            return
        queues = agent.queues
        cached = self._agent_ranks.get(agent.id)
        ranks = cached[1] if cached is not None and cached[0] is queues else self._ranks_of(agent.id, queues)
        push = heapq.heappush
        tail = (token, agent)
        shared_fn: StrategyKey | None = None  # the last key computed did not depend on its queue
        entry: AgentEntry = ()
        if len(channels) == 1:  # the usual case (voice only, or a single channel asked for)
            ch = channels[0]
            for keyfn, queue, heaps, shared in ranks:
                if keyfn is not shared_fn:
                    entry = keyfn(agent, queue) + tail
                    shared_fn = keyfn if shared else None
                heap = heaps.get(ch)
                if heap is None:
                    heaps[ch] = [entry]
                else:
                    push(heap, entry)
            return
        for keyfn, queue, heaps, shared in ranks:
            if keyfn is not shared_fn:
                entry = keyfn(agent, queue) + tail
                shared_fn = keyfn if shared else None
            for ch in channels:
                heap = heaps.get(ch)
                if heap is None:
                    heaps[ch] = [entry]
                else:
                    push(heap, entry)

    def _ranks_of(self, agent_id: str, queues: tuple[str, ...]) -> tuple[Rank, ...]:
        """The rankings of the known queues among ``queues`` (the agent's), kept until its queues change."""
        ranking = self._ranking
        ranks = tuple(ranking[q] for q in queues if q in ranking)
        self._agent_ranks[agent_id] = (queues, ranks)
        return ranks

    def best_agent(self, contact: ContactRecord) -> AgentRecord | None:
        """The strategy's best routable agent for ``contact`` at its current step, or None."""
        steps = contact.steps
        step = steps[contact.step_index] if steps else None
        only = step.agent_id if step is not None else None  # contact.agent_only, without the property call
        channel = contact.channel
        if only is not None:
            agent = self._agents.get(only)
            if (
                agent is not None
                and agent.routable
                and only not in contact.declined
                and contact.id not in agent.work
                and agent.capacity.can_take(agent.load, channel)
            ):
                return agent
            return None
        heaps = self._avail.get(contact.queue.id)
        heap = heaps.get(channel) if heaps else None
        if not heap:
            if channel in self._wanted:
                return None
            self._want(channel)
            return self.best_agent(contact)
        requirement = step.skills if step is not None else ()  # contact.requirement
        declined = contact.declined
        cid = contact.id
        skipped: list[AgentEntry] | None = None
        found: AgentRecord | None = None
        pop = heapq.heappop
        ti = len(heap[0]) - 2  # entries of one heap have one length: (*key, token, agent)
        ai = ti + 1
        while heap:
            entry = heap[0]
            agent = entry[ai]
            if agent.token != entry[ti]:
                pop(heap)  # stale
                continue
            if requirement:  # has_skills, inlined: this is the hot loop
                skills = agent.skills
                for skill, minimum in requirement:
                    if skills.get(skill, 0) < minimum:
                        break
                else:
                    if agent.id not in declined and cid not in agent.work:
                        found = agent
                        break
            elif agent.id not in declined and cid not in agent.work:
                found = agent
                break
            # not eligible for this contact (skills, declined, or still wrapping up its own leg of it)
            if skipped is None:
                skipped = []
            skipped.append(pop(heap))
        if skipped:
            for entry in skipped:
                heapq.heappush(heap, entry)
        return found

    def _want(self, channel: Channel) -> None:
        """The first contact of ``channel``: from now on agents are indexed for it too (every agent is
        re-indexed once, as after a configuration change)."""
        self._wanted.append(channel)
        for agent in self._agents.values():
            self.agent_changed(agent)

    # ------------------------------------------------------------------ contacts

    def contact_waiting(self, contact: ContactRecord) -> None:
        """Index ``contact`` as waiting at its current step (its place is its order key)."""
        contact.token = token = next(self._tokens)
        self._ops += 1
        if self._ops >= self._compact_at:
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
        if not (agent.logged_in and agent.presence is _AVAILABLE):  # agent.routable, inlined (hot path)
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

    # ------------------------------------------------------------------ housekeeping

    def compact(self) -> None:
        """Drop stale entries from every heap (amortised: runs once per many changes)."""
        self._compact_at = (self._ops // _COMPACT_EVERY + 1) * _COMPACT_EVERY
        contacts = self._contacts
        for heaps in self._avail.values():  # the per-queue dicts stay (the hot path holds them)
            for ch, aheap in list(heaps.items()):
                live = [e for e in aheap if e[-1].token == e[-2]]
                if live:
                    heapq.heapify(live)
                    heaps[ch] = live
                else:
                    del heaps[ch]
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

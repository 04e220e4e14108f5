"""The read seam over live routing state: plain views for readers outside the app layer (API, WebSockets, SIP edge).

Readers never hold the engine object: each method reads the live state consistently (under the
writer's lock, through ``Runtime.query``) and returns plain data (dicts, tuples, numbers), so the
same calls can later be answered from a read model published by a routing leader on another node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from blendcc.app.acd.agents import agent_view
from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.app.reporting.wallboard import AgentLines, assemble
from blendcc.domain.agent import AgentState
from blendcc.domain.calendar import BusinessHours
from blendcc.domain.interaction import InteractionState
from blendcc.domain.queue import QueueConfig
from blendcc.routing.coverage import why_waiting
from blendcc.routing.emergency import emergency_dict
from blendcc.routing.engine import Engine


def _emergency(engine: Engine) -> list[dict[str, Any]]:
    return [emergency_dict(m) for _, m in sorted(engine.emergency.items())]


def stranded(engine: Engine, now: float) -> list[dict[str, Any]]:
    """Every queued contact no logged-in agent could take, longest waiting first, with the reason."""
    out = []
    for c in engine.waiting():
        reason = why_waiting(c, engine.agents, engine.members_on) if c.state is InteractionState.QUEUED else None
        if reason is not None:
            out.append({"contact_id": c.id, "queue_id": c.queue.id, "channel": c.channel.value,
                        "waiting_s": max(0.0, now - c.queued_at), "reason": reason})
    return sorted(out, key=lambda r: -r["waiting_s"])


class LiveViews:
    def __init__(self, runtime: Runtime, stats: LiveStats) -> None:
        self._runtime = runtime
        self._stats = stats
        #: the wallboard's agent lines, copied again only for the agents events touched (ADR 0060)
        self._lines = AgentLines()
        runtime.subscribers.append(self._lines)

    def last_seq(self) -> int:
        """Sequence number of the last stored event the writer committed."""
        return self._runtime.last_seq

    def wallboard(self) -> dict[str, Any]:
        """Queues (and queue x channel tiles) and agents now with today's KPIs (``wallboard``); ``seq`` is the
        last stored event the frame's live state reflects (read under the writer's lock with that state)."""
        runtime = self._runtime
        # only the copy of the live state holds the writer's lock; the frame is assembled after it
        cap, lost, seq, now, em = runtime.query(lambda e, now: (self._lines.capture(e), stranded(e, now),
                                                               runtime.last_seq, now, _emergency(e)))
        return {**assemble(cap, self._stats, now), "stranded": lost, "seq": seq, "emergency": em}

    def emergency(self) -> list[dict[str, Any]]:
        """The emergency modes in force (scope ``*``: the whole centre), as set by ``SetEmergency``."""
        return self._runtime.query(lambda e, _now: _emergency(e))

    def gauges(self) -> dict[str, Any]:
        """Counts for monitoring (``/metrics``): open contacts, waiting contacts per queue, logged-in agents,
        and commands waiting for the writer (group commit)."""
        def count(engine: Engine, _now: float) -> dict[str, Any]:
            waiting: dict[str, int] = {}
            for c in engine.waiting():
                waiting[c.queue.id] = waiting.get(c.queue.id, 0) + 1
            return {"contacts_open": len(engine.contacts), "waiting": waiting,
                    "agents_logged_in": sum(1 for a in engine.agents.values() if a.logged_in)}

        return {**self._runtime.query(count), "writer_queue": self._runtime.queue_depth()}

    def stranded(self) -> list[dict[str, Any]]:
        """Contacts waiting where no logged-in agent could take them, with the reason (``coverage.why_waiting``)."""
        return self._runtime.query(stranded)

    def agent(self, agent_id: str) -> dict[str, Any]:
        """An agent's desktop state (``agents.agent_view``); NotFound for an unknown agent."""
        return self._runtime.query(lambda e, now: agent_view(e, agent_id, now))

    def attach_agent(self, agent_id: str, subscribe: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """The agent's view, with ``subscribe(view)`` called before any later event is published (both
        under the writer's lock): a stream that subscribes there misses nothing after its snapshot."""
        def attach(engine: Engine, now: float) -> dict[str, Any]:
            view = agent_view(engine, agent_id, now)
            subscribe(view)
            return view

        return self._runtime.query(attach)

    def offer_details(self, contact_id: str) -> dict[str, Any]:
        """What an agent's desktop shows with an offer: the contact's attributes, customer and priority
        (empty if the contact is no longer live)."""
        def read(engine: Engine, _now: float) -> dict[str, Any]:
            c = engine.contacts.get(contact_id)
            if c is None:
                return {}
            return {"attributes": dict(c.attributes), "customer_id": c.customer_id, "priority": c.priority}

        return self._runtime.query(read)

    def customers_held(self, agent_id: str | None) -> list[str]:
        """Customer ids of the live contacts ``agent_id`` holds (offered, talking, wrapping up)."""
        def read(engine: Engine, _now: float) -> list[str]:
            agent = engine.agents.get(agent_id) if agent_id is not None else None
            if agent is None:
                return []
            out = []
            for cid in agent.work:
                c = engine.contacts.get(cid)
                if c is not None and c.customer_id is not None:
                    out.append(c.customer_id)
            return out

        return self._runtime.query(read)

    def staffed(self, queue_id: str) -> int:
        """Agents logged in to ``queue_id`` and not in aux."""
        def count(engine: Engine, _now: float) -> int:
            return sum(1 for a in engine.agents.values()
                       if a.logged_in and queue_id in a.queues and a.state is not AgentState.AUX)

        return self._runtime.query(count)

    def calendars(self) -> Mapping[str, BusinessHours]:
        """The routing catalog's business-hours calendars. Lock-free (the SIP edge asks from its event loop):
        a catalog is immutable and replaced whole."""
        return self._runtime.engine.catalog.calendars

    def queue_config(self, queue_id: str | None) -> QueueConfig | None:
        """A queue's configuration in the routing catalog (lock-free, as ``calendars``), None if unknown."""
        return self._runtime.engine.catalog.queues.get(queue_id) if queue_id is not None else None

    def queue_position(self, contact_id: str) -> tuple[int, str, int] | None:
        """(position, queue id, staffed agents) of a queued contact, or None if it is not queued.
        Position is 1 + the contacts of the same queue ahead of it (higher priority, then waiting
        longer); staffed: agents logged in to that queue and not in aux."""
        queued = InteractionState.QUEUED

        def rank(engine: Engine, _now: float) -> tuple[int, str, int] | None:
            c = engine.contacts.get(contact_id)
            if c is None or c.state is not queued:
                return None
            key = (-c.priority, c.queued_at)
            qid = c.queue.id
            ahead = sum(1 for x in engine.contacts.values() if x.queue.id == qid
                        and x.state is queued and (-x.priority, x.queued_at) < key)
            staffed = sum(1 for a in engine.agents.values()
                          if a.logged_in and qid in a.queues and a.state is not AgentState.AUX)
            return 1 + ahead, qid, staffed

        return self._runtime.query(rank)

    def directory(self) -> dict[str, Any]:
        """Transfer and consult pickers: every queue (waiting, longest wait, agents available / logged in)
        and every configured agent (state, reason, since, free capacity per channel, queues). No contact
        or customer data."""
        return self._runtime.query(directory)


def directory(engine: Engine, now: float) -> dict[str, Any]:
    """``LiveViews.directory`` on the engine's live state."""
    waiting: dict[str, list[float]] = {}
    for c in engine.waiting():
        waiting.setdefault(c.queue.id, []).append(c.queued_at)
    agents = []
    staffed: dict[str, list[int]] = {}
    for aid in sorted(engine.catalog.agents):
        a = engine.agents.get(aid)
        if a is None:
            continue
        free = {ch.value: max(0, n - a.load.get(ch, 0)) if a.capacity.can_take(a.load, ch) else 0
                for ch, n in a.capacity.limits.items()} if a.logged_in else {}
        agents.append({"id": aid, "name": a.config.name or aid, "logged_in": a.logged_in,
                       "state": a.state.value, "reason": a.state_reason, "since": a.state_since,
                       "free": free, "queues": list(a.queues)})
        if a.logged_in:
            for q in a.queues:
                counts = staffed.setdefault(q, [0, 0])
                counts[1] += 1
                if a.state is AgentState.AVAILABLE:
                    counts[0] += 1
    queues = []
    for qid in sorted(engine.catalog.queues):
        config = engine.catalog.queues[qid]
        times = waiting.get(qid, [])
        available, logged_in = staffed.get(qid, [0, 0])
        queues.append({"id": qid, "name": config.name or qid, "waiting": len(times),
                       "longest_wait_s": max(0.0, now - min(times)) if times else 0.0,
                       "agents_available": available, "agents_logged_in": logged_in})
    return {"queues": queues, "agents": agents, "at": now}

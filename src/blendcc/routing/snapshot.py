"""The engine's live state as plain data (a versioned snapshot) and back, plus a canonical form to compare states.

``capture`` runs under the writer lock and only copies fields into tuples (no conversion, no encoding); ``restore``
builds an ``Engine`` from that data and the current catalog, the way a replay of the same events would:
configuration-derived fields (agent skills and queues, queue objects, waiting order) come from the catalog,
indexes (matcher, queue members, agent loads) are rebuilt. ADR 0052.
"""

from __future__ import annotations

import heapq
import itertools
from operator import attrgetter
from typing import Any

from blendcc.domain.agent import AgentConfig, AgentState, Presence
from blendcc.domain.channels import Channel
from blendcc.domain.crisis_events import EmergencyModeSet
from blendcc.domain.events import event_from_dict
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.routing.catalog import Catalog
from blendcc.routing.engine import Engine
from blendcc.routing.records import NO_QUEUE, AgentRecord, Assignment, ContactRecord
from blendcc.routing.snapshot_timers import effective, may_act
from blendcc.routing.state import LiveState

#: bump when the shape below changes: an older snapshot is then ignored (full replay) rather than misread
FORMAT_VERSION = 1

_ASG = ("contact_id", "agent_id", "queue_id", "queued_at", "stage", "connected_at", "hold_s", "hold_started",
        "ended_at", "wrap_until", "disposition", "notes")
_AGENT = ("id", "logged_in", "presence", "aux_reason", "idle_since", "last_offer_seq", "state", "state_reason",
          "state_since")
_CONTACT = ("id", "direction", "priority", "attributes", "customer_id", "created_at", "seq", "state", "step_index",
            "queued_at", "first_queued_at", "line_since", "step_token", "visit_token", "order_key", "token",
            "agent_id", "offer_expires", "transferred", "conversation", "owner", "snooze_until", "snooze_token",
            "idle_token")


class SnapshotError(ValueError):
    """The data is not a snapshot this code can restore (other version, damaged)."""


def _peek(state: Any, name: str) -> int:
    """The next value of the ``itertools.count`` at ``state.name`` (the counter is put back unchanged)."""
    n = next(getattr(state, name))
    setattr(state, name, itertools.count(n))
    return int(n)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, ContactState | AgentState | Presence | AssignmentStage | Channel) else value


_get_asg, _get_agent, _get_contact = attrgetter(*_ASG), attrgetter(*_AGENT), attrgetter(*_CONTACT)


def capture(engine: LiveState) -> dict[str, Any]:
    """The live state as rows of immutable values (call with the writer lock held): one C-level copy per record,
    nothing converted, so the writer is held as briefly as possible; ``json_default`` turns the few objects left
    (route steps, emergency modes) into JSON when the snapshot is encoded, off the lock. Enum members are ``str``
    subclasses, written as their values. Timers that can never act are left out."""
    agents = [(*_get_agent(a), [(*_get_asg(w), w.channel) for w in a.work.values()]) for a in engine.agents.values()]
    contacts = [(*_get_contact(c), c.channel, c.queue.id, c.steps, tuple(c.declined), tuple(c.transferred_by))
                for c in engine.contacts.values()]
    timers = [t for t in engine._timers if may_act(engine, t)]
    matcher = engine.matcher
    return {"version": FORMAT_VERSION, "last_at": engine.last_at, "agents": agents, "contacts": contacts,
            "timers": timers, "emergency": dict(engine.emergency),
            "counters": {"timer": _peek(engine, "_timer_seq"), "contact": _peek(engine, "_contact_seq"),
                         "offer": _peek(engine, "_offer_seq"), "matcher": _peek(matcher, "_tokens")}}


def json_default(value: Any) -> Any:
    """``json.dumps(capture(...), default=json_default)``: route steps and emergency modes as their dicts."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"cannot write {type(value).__name__} in a snapshot")
    return to_dict()


def restore(data: Any, catalog: Catalog, now: float) -> Engine:
    """An engine in the state ``data`` (from ``capture``) describes, under ``catalog``; ``SnapshotError`` if
    ``data`` is not a snapshot of this format."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        found = data.get("version") if isinstance(data, dict) else type(data).__name__
        raise SnapshotError(f"snapshot format {found!r}, expected {FORMAT_VERSION}")
    try:
        return _restore(data, catalog, now)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"damaged snapshot: {exc!r}") from exc


def _restore(data: dict[str, Any], catalog: Catalog, now: float) -> Engine:
    engine = Engine(catalog, now)
    engine.last_at = float(data["last_at"])
    counters = data["counters"]
    engine.matcher._tokens = itertools.count(int(counters["matcher"]))
    for row in data["agents"]:
        values = dict(zip(_AGENT, row, strict=False))
        aid = values["id"]
        agent = engine.agents.get(aid)
        if agent is None:  # seen only in history (no longer configured): as a replay would create it
            agent = engine.agents[aid] = AgentRecord(AgentConfig(id=aid), now)
        agent.logged_in = bool(values["logged_in"])
        agent.presence = Presence(values["presence"])
        agent.aux_reason = values["aux_reason"]
        agent.idle_since = float(values["idle_since"])
        agent.last_offer_seq = int(values["last_offer_seq"])
        agent.state = AgentState(values["state"])
        agent.state_reason = values["state_reason"]
        agent.state_since = float(values["state_since"])
        for w in row[len(_AGENT)]:
            asg = Assignment(w[0], w[1], w[2], Channel(w[-1]), float(w[3]))
            for f, v in zip(_ASG[4:], w[4:-1], strict=True):
                setattr(asg, f, AssignmentStage(v) if f == "stage" else v)
            agent.work[asg.contact_id] = asg
            agent.load[asg.channel] = agent.load.get(asg.channel, 0) + 1
        if agent.logged_in:
            for qid in agent.queues:
                engine.members_on.setdefault(qid, set()).add(aid)
    head_start = catalog.settings.priority_head_start_s
    n = len(_CONTACT)
    plans: dict[str, tuple[RouteStep, ...]] = {}  # most contacts share a plan: each is built once
    states = {s.value: s for s in ContactState}
    queues: dict[str, Any] = {NO_QUEUE.id: NO_QUEUE}
    for row in data["contacts"]:
        c = ContactRecord(row[0], Channel(row[n]), row[1], row[2], row[3], row[4], row[5], row[6])
        for f, v in zip(_CONTACT[7:], row[7:n], strict=True):
            setattr(c, f, v)
        c.state = states[c.state]
        queue_id, steps, declined, transferred_by = row[n + 1:n + 5]
        if steps and isinstance(steps[0], RouteStep):
            c.steps = tuple(steps)
        else:
            key = repr(steps)
            plan = plans.get(key)
            if plan is None:
                plan = plans[key] = tuple(RouteStep.from_dict(s) for s in steps)
            c.steps = plan
        queue = queues.get(queue_id)
        if queue is None:
            queue = queues[queue_id] = engine.queue(queue_id)
        c.queue = queue
        c.declined = set(declined)
        c.transferred_by = list(transferred_by)
        if c.first_queued_at is not None:  # a replay orders it by the catalog in force now
            c.order_key = c.line_since - c.priority * head_start
        engine.contacts[c.id] = c
    timers = [(float(d), int(s), str(k), str(cid), aid, int(tok)) for d, s, k, cid, aid, tok in data["timers"]]
    heapq.heapify(timers)
    engine._timers = timers
    engine.emergency = {k: v if isinstance(v, EmergencyModeSet) else event_from_dict("EmergencyModeSet", v)  # type: ignore[misc]
                        for k, v in data["emergency"].items()}
    engine._timer_seq = itertools.count(int(counters["timer"]))
    engine._contact_seq = itertools.count(int(counters["contact"]))
    engine._offer_seq = itertools.count(int(counters["offer"]))
    engine.matcher.set_queues(catalog.queues, [c for c in engine.contacts.values() if c.state is ContactState.QUEUED])
    return engine


def fingerprint(engine: LiveState) -> dict[str, Any]:
    """A canonical form of the live state for equality checks: what routing decides with, with counters as
    ranks (only their order matters) and timers as the set that can still act, when they act."""
    agents = {}
    offer_rank = {s: i for i, s in enumerate(sorted({a.last_offer_seq for a in engine.agents.values()}))}
    for a in engine.agents.values():
        if not a.logged_in and not a.work and a.state is AgentState.OFFLINE:
            continue  # never seen working: a replay and a snapshot may start it at different times
        row = {f: _plain(getattr(a, f)) for f in _AGENT}
        row["last_offer_seq"] = offer_rank[a.last_offer_seq]
        row["work"] = {w.contact_id: {f: _plain(getattr(w, f)) for f in _ASG} for w in a.work.values()}
        row["load"] = {ch.value: n for ch, n in a.load.items()}
        agents[a.id] = row
    seq_rank = {s: i for i, s in enumerate(sorted(c.seq for c in engine.contacts.values()))}
    contacts = {}
    for c in engine.contacts.values():
        row = {f: _plain(getattr(c, f)) for f in _CONTACT if f not in ("token", "seq")}
        row.update(seq=seq_rank[c.seq], channel=c.channel.value, queue=c.queue.id, declined=sorted(c.declined),
                   steps=[s.to_dict() for s in c.steps], transferred_by=list(c.transferred_by))
        contacts[c.id] = row
    acting = (effective(engine, x) for x in engine._timers)
    # an offer timer's token is the matcher's (numbered differently by each run): valid is all that matters
    timers = sorted({(t[0], t[1], t[2], t[3], 0 if t[1] == "offer" else t[4]) for t in acting if t is not None},
                    key=lambda t: (t[0], t[1], t[2], t[3] or "", t[4]))
    members = {q: sorted(m) for q, m in engine.members_on.items() if m}
    return {"agents": agents, "contacts": contacts, "timers": timers, "members": members,
            "emergency": {k: v.to_dict() for k, v in engine.emergency.items()}}

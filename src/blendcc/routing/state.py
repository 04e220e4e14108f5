"""Live ACD state folded from events: agents, contacts, assignments, indexes and timers.

``apply`` is the only place state changes. Commands (``engine.py``) decide which events happen and
apply them; a restart replays the stored events through the same ``apply``. Every state it sets is a
step of a lifecycle table (``domain.lifecycle``: contact, assignment): an event whose step is not
in the table leaves that record as it was. The agent's observable state is decided (and checked
against the agent table) by the engine; ``AgentStateChanged`` records it and is followed as is.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator

from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig, AgentState, Presence
from blendcc.domain.callback_events import CALLBACK_EVENT_TYPES
from blendcc.domain.channels import Channel
from blendcc.domain.conversation_events import (
    CONVERSATION_EVENT_TYPES,
    ConversationReopened,
    ConversationStateChanged,
    MessageReceived,
    MessageSent,
)
from blendcc.domain.crisis_events import CRISIS_EVENT_TYPES, EmergencyModeCleared, EmergencyModeSet
from blendcc.domain.customer_events import CUSTOMER_EVENT_TYPES
from blendcc.domain.ivr_events import IVR_EVENT_TYPES
from blendcc.domain.lifecycle.assignment import ASSIGNMENT, AssignmentStage
from blendcc.domain.lifecycle.contact import CONTACT, WAITING
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.domain.problem_events import PROBLEM_EVENT_TYPES
from blendcc.domain.queue import QueueConfig
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.catalog import Catalog
from blendcc.routing.conversation_state import ConversationFold
from blendcc.routing.matcher import Matcher
from blendcc.routing.records import AgentRecord, Assignment, ContactRecord

#: value -> member, so folding an event skips the enum constructor (the same member either way)
_CHANNELS: dict[str, Channel] = {c.value: c for c in Channel}
_AGENT_STATES: dict[str, AgentState] = {s.value: s for s in AgentState}
_AVAILABLE_VALUE = Presence.AVAILABLE.value
#: the lifecycle tables, one dict per event (state -> next state) so a fold costs one lookup
_CONTACT_EXITS = CONTACT.exits
_C: dict[str, dict[S, S]] = {t: CONTACT.by_trigger(t) for row in CONTACT.on.values() for t in row}
_A: dict[str, dict[AssignmentStage, AssignmentStage]] = {
    t: ASSIGNMENT.by_trigger(t) for row in ASSIGNMENT.on.values() for t in row}
_C_QUEUED, _C_OFFERED, _C_REVOKED, _C_CONNECTED = (_C["ContactQueued"], _C["ContactOffered"], _C["OfferRevoked"],
                                                   _C["ContactConnected"])
_C_HELD, _C_RESUMED, _C_TRANSFERRED, _C_ENDED, _C_CLOSED = (_C["ContactHeld"], _C["ContactResumed"],
                                                             _C["ContactTransferred"], _C["ContactEnded"],
                                                             _C["ContactClosed"])
_A_REVOKED, _A_CONNECTED, _A_HELD = _A["OfferRevoked"], _A["ContactConnected"], _A["ContactHeld"]
_A_RESUMED, _A_ENDED, _A_WRAPPED = _A["ContactResumed"], _A["ContactEnded"], _A["WrapUpCompleted"]
_GONE = AssignmentStage.ENDED

#: (due, seq, kind, contact_id, agent_id or None, token)
Timer = tuple[float, int, str, str, str | None, int]


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class LiveState(ConversationFold):
    def __init__(self, catalog: Catalog, now: float):
        self.catalog = catalog
        self.agents: dict[str, AgentRecord] = {}
        self.contacts: dict[str, ContactRecord] = {}
        self.matcher = Matcher(catalog.queues, self.agents, self.contacts)
        self.members_on: dict[str, set[str]] = {}  # queue -> logged-in member agents
        self._timers: list[Timer] = []
        #: scope (queue id, or ``*`` for the centre) -> the emergency mode in force (routing/engine.py)
        self.emergency: dict[str, EmergencyModeSet] = {}
        self.last_at = 0.0  # time of the latest event applied
        self._timer_seq = itertools.count()
        self._contact_seq = itertools.count(1)
        self._offer_seq = itertools.count(1)
        self._handlers: dict[type[ev.Event], Callable[..., AgentRecord | None]] = {
            ev.ContactCreated: self._created,
            ev.ContactRouted: self._routed,
            ev.ContactQueued: self._queued,
            ev.ContactStepAdvanced: self._step_advanced,
            ev.ContactOverflowed: self._overflowed,
            ev.ContactOffered: self._offered,
            ev.OfferRevoked: self._revoked,
            ev.ContactConnected: self._connected,
            ev.ContactHeld: self._held,
            ev.ContactResumed: self._resumed,
            ev.ContactTransferred: self._transferred,
            ev.ContactEnded: self._ended,
            ev.WrapUpCompleted: self._wrapped,
            ev.ContactAbandoned: self._finished,
            ev.ContactTimedOut: self._finished,
            ev.ContactRejected: self._finished,
            ev.ContactClosed: self._closed,
            ev.AgentLoggedIn: self._logged_in,
            ev.AgentLoggedOut: self._logged_out,
            ev.AgentStatusChanged: self._status,
            ev.AgentStateChanged: self._state,
        }
        # messages share the event log; replaying them changes nothing in the ACD state
        for kind in (*CONVERSATION_EVENT_TYPES, *CUSTOMER_EVENT_TYPES):  # customer merges/erasure: none either
            self._handlers[kind] = _no_change
        for kind in CALLBACK_EVENT_TYPES:  # scheduled callbacks: none either
            self._handlers[kind] = _no_change
        for kind in IVR_EVENT_TYPES:  # calls that ended in the IVR never reached routing
            self._handlers[kind] = _no_change
        for kind in PROBLEM_EVENT_TYPES:  # problem records: none either
            self._handlers[kind] = _no_change
        for kind in CRISIS_EVENT_TYPES:  # crises: only the emergency modes change routing
            self._handlers[kind] = _no_change
        self._handlers[EmergencyModeSet] = self._emergency_set
        self._handlers[EmergencyModeCleared] = self._emergency_cleared
        # ... except the conversation's state and ownership (routing/conversation_state.py)
        self._handlers[ConversationStateChanged] = self._conversation_state
        self._handlers[ConversationReopened] = self._conversation_reopened
        self._handlers[MessageSent] = self._message_sent
        self._handlers[MessageReceived] = self._message_received
        for config in catalog.agents.values():
            self.agents[config.id] = AgentRecord(config, now)

    # ------------------------------------------------------------------ helpers

    def queue(self, queue_id: str) -> QueueConfig:
        q = self.catalog.queues.get(queue_id)
        return q if q is not None else QueueConfig(id=queue_id)

    def agent_record(self, agent_id: str, at: float) -> AgentRecord:
        """The record for ``agent_id`` (created for an agent seen only in replayed history)."""
        agent = self.agents.get(agent_id)
        if agent is None:
            agent = AgentRecord(AgentConfig(id=agent_id), at)
            self.agents[agent_id] = agent
        return agent

    def schedule(self, due: float, kind: str, contact_id: str, agent_id: str | None, token: int) -> None:
        heapq.heappush(self._timers, (due, next(self._timer_seq), kind, contact_id, agent_id, token))

    def next_due(self) -> float | None:
        """When the earliest pending timer fires (it may turn out stale), or None."""
        return self._timers[0][0] if self._timers else None

    def pop_next(self, now: float) -> Timer | None:
        """The earliest timer due by ``now`` (removed from the heap), or None."""
        if self._timers and self._timers[0][0] <= now:
            return heapq.heappop(self._timers)
        return None

    def waiting(self) -> Iterator[ContactRecord]:
        for c in self.contacts.values():
            if c.state in WAITING:
                yield c

    # ------------------------------------------------------------------ apply

    def apply(self, event: ev.Event) -> AgentRecord | None:
        """Fold one event into the state; return the agent it touched (if any)."""
        at = event.at
        if at > self.last_at:  # noqa: PLR1730 -- max() without the call (hot path)
            self.last_at = at
        return self._handlers[type(event)](event)

    def _created(self, e: ev.ContactCreated) -> None:
        channel = _CHANNELS.get(e.channel) or Channel(e.channel)
        c = ContactRecord(e.contact_id, channel, e.direction, e.priority, e.attributes, e.customer_id, e.at,
                          next(self._contact_seq))
        self.contacts[e.contact_id] = c

    def _routed(self, e: ev.ContactRouted) -> None:
        c = self.contacts.get(e.contact_id)
        if c is not None:
            c.steps = e.steps
            c.step_index = 0

    def _queued(self, e: ev.ContactQueued) -> None:
        c = self.contacts.get(e.contact_id)
        nxt = _C_QUEUED.get(c.state) if c is not None else None
        if c is None or nxt is None:
            return
        c.state = nxt
        c.queue = self.queue(e.queue_id)
        c.step_index = e.step_index
        c.priority = e.priority
        c.queued_at = e.at
        if c.first_queued_at is None:
            c.first_queued_at = e.at
        if e.reason in ("new", "transfer", "resume"):
            c.line_since = e.at
        c.agent_id = None
        c.declined = set()
        c.order_key = c.line_since - c.priority * self.catalog.settings.priority_head_start_s
        c.visit_token += 1
        self.matcher.contact_waiting(c)
        self._schedule_step(c, e.at)
        if c.queue.max_wait_s is not None:
            self.schedule(e.at + c.queue.max_wait_s, "max_wait", c.id, None, c.visit_token)

    def _schedule_step(self, c: ContactRecord, at: float) -> None:
        c.step_token += 1
        timeout = c.step.timeout_s
        if timeout is not None and c.step_index + 1 < len(c.steps):
            self.schedule(at + timeout, "step", c.id, None, c.step_token)

    def _step_advanced(self, e: ev.ContactStepAdvanced) -> None:
        c = self.contacts.get(e.contact_id)
        if c is None:
            return
        c.step_index = e.step_index
        c.priority = e.priority
        c.declined = set()
        c.order_key = c.line_since - c.priority * self.catalog.settings.priority_head_start_s
        if c.state is S.QUEUED:
            self.matcher.contact_waiting(c)
        self._schedule_step(c, e.at)

    def _overflowed(self, e: ev.ContactOverflowed) -> None:
        c = self.contacts.get(e.contact_id)
        if c is not None:
            self.matcher.contact_left(c)

    def _offered(self, e: ev.ContactOffered) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        c = self.contacts.get(e.contact_id)
        nxt = _C_OFFERED.get(c.state) if c is not None else None
        if e.contact_id in agent.work or (c is not None and nxt is None):
            return agent  # an agent holds one assignment per contact; only a waiting contact is offered
        channel = _CHANNELS.get(e.channel) or Channel(e.channel)
        agent.work[e.contact_id] = Assignment(e.contact_id, e.agent_id, e.queue_id, channel,
                                              c.queued_at if c else e.at)
        agent.load[channel] = agent.load.get(channel, 0) + 1
        agent.last_offer_seq = next(self._offer_seq)
        agent.idle_since = e.at
        self.matcher.agent_changed(agent)
        if c is not None and nxt is not None:
            c.state = nxt
            c.agent_id = e.agent_id
            c.offer_expires = e.expires_at
            self.matcher.contact_left(c)
            self.schedule(e.expires_at, "offer", c.id, e.agent_id, c.token)
        return agent

    def _drop_assignment(self, agent: AgentRecord, asg: Assignment) -> None:
        del agent.work[asg.contact_id]
        n = agent.load.get(asg.channel, 0) - 1
        if n > 0:
            agent.load[asg.channel] = n
        else:
            agent.load.pop(asg.channel, None)

    def _revoked(self, e: ev.OfferRevoked) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        if asg is not None and _A_REVOKED.get(asg.stage) is _GONE:
            self._drop_assignment(agent, asg)
        self.matcher.agent_changed(agent)
        c = self.contacts.get(e.contact_id)
        nxt = _C_REVOKED.get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
            c.agent_id = None
            c.offer_expires = None
            if e.reason == "declined":
                c.declined.add(e.agent_id)
            if e.reason in ("declined", "timeout", "logout"):
                self.matcher.contact_waiting(c)
        return agent

    def _connected(self, e: ev.ContactConnected) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        stage = _A_CONNECTED.get(asg.stage) if asg is not None else None
        if asg is not None and stage is not None:
            asg.stage = stage
            asg.connected_at = e.at
        c = self.contacts.get(e.contact_id)
        nxt = _C_CONNECTED.get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
            c.agent_id = e.agent_id
            c.offer_expires = None
        return agent

    def _held(self, e: ev.ContactHeld) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        stage = _A_HELD.get(asg.stage) if asg is not None else None
        if asg is not None and stage is not None:
            asg.stage = stage
            asg.hold_started = e.at
        c = self.contacts.get(e.contact_id)
        nxt = _C_HELD.get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
        return agent

    def _resumed(self, e: ev.ContactResumed) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        stage = _A_RESUMED.get(asg.stage) if asg is not None else None
        if asg is not None and stage is not None:
            if asg.hold_started is not None:
                asg.hold_s += e.at - asg.hold_started
                asg.hold_started = None
            asg.stage = stage
        c = self.contacts.get(e.contact_id)
        nxt = _C_RESUMED.get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
        return agent

    def _transferred(self, e: ev.ContactTransferred) -> None:
        c = self.contacts.get(e.contact_id)
        nxt = _C_TRANSFERRED.get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
            c.transferred = True
            c.transferred_by.append(e.from_agent_id)

    def _ended(self, e: ev.ContactEnded) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        stage = _A_ENDED.get(asg.stage) if asg is not None else None
        if asg is not None and stage is not None:
            if asg.hold_started is not None:
                asg.hold_s += e.at - asg.hold_started
                asg.hold_started = None
            asg.ended_at = e.at
            asg.stage = stage
            asg.wrap_until = e.wrap_up_until
            if e.wrap_up_until is not None:
                self.schedule(e.wrap_up_until, "wrap", e.contact_id, e.agent_id, 0)
        c = self.contacts.get(e.contact_id)
        nxt = _C_ENDED.get(c.state) if c is not None else None
        if c is not None and nxt is not None:  # a transferred contact has no such step: it stays in routing
            c.state = nxt
        return agent

    def _wrapped(self, e: ev.WrapUpCompleted) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        asg = agent.work.get(e.contact_id)
        if asg is not None and _A_WRAPPED.get(asg.stage) is _GONE:
            self._drop_assignment(agent, asg)
        agent.idle_since = e.at
        self.matcher.agent_changed(agent)
        return agent

    def _finished(self, e: ev.ContactAbandoned | ev.ContactTimedOut | ev.ContactRejected) -> None:
        c = self.contacts.get(e.contact_id)
        nxt = _C[type(e).__name__].get(c.state) if c is not None else None
        if c is not None and nxt is not None:
            c.state = nxt
            self.matcher.contact_left(c)

    def _closed(self, e: ev.ContactClosed) -> None:
        c = self.contacts.get(e.contact_id)
        if c is None:
            return
        nxt = _C_CLOSED.get(c.state)
        if nxt is not None:
            c.state = nxt
        if c.state in _CONTACT_EXITS:  # only a contact whose outcome is decided leaves the live state
            del self.contacts[e.contact_id]
            self.matcher.contact_left(c)

    def _logged_in(self, e: ev.AgentLoggedIn) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        agent.logged_in = True
        agent.presence = Presence.AUX
        agent.aux_reason = None
        agent.idle_since = e.at
        for qid in agent.queues:
            self.members_on.setdefault(qid, set()).add(agent.id)
        self.matcher.agent_changed(agent)
        return agent

    def _logged_out(self, e: ev.AgentLoggedOut) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        agent.logged_in = False
        agent.presence = Presence.AUX
        agent.aux_reason = None
        for members in self.members_on.values():
            members.discard(agent.id)
        self.matcher.agent_changed(agent)
        return agent

    def _status(self, e: ev.AgentStatusChanged) -> AgentRecord:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        if e.status == _AVAILABLE_VALUE:
            if agent.presence is not Presence.AVAILABLE:
                agent.idle_since = e.at
            agent.presence = Presence.AVAILABLE
            agent.aux_reason = None
        else:
            agent.presence = Presence.AUX
            agent.aux_reason = e.reason
        self.matcher.agent_changed(agent)
        return agent

    def _state(self, e: ev.AgentStateChanged) -> None:
        agent = self.agents.get(e.agent_id) or self.agent_record(e.agent_id, e.at)
        # the engine decides an agent's state (checked against the agent table in ``_sync_states``);
        # this event records that decision, so the fold follows it and the log and the state agree
        agent.state = _AGENT_STATES.get(e.state) or AgentState(e.state)
        agent.state_reason = e.reason
        agent.state_since = e.at


    def _emergency_set(self, e: EmergencyModeSet) -> None:
        self.emergency[e.scope] = e

    def _emergency_cleared(self, e: EmergencyModeCleared) -> None:
        self.emergency.pop(e.scope, None)


def _no_change(_: ev.Event) -> None:
    return None

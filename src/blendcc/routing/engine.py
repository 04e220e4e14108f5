"""The ACD engine: commands that decide what happens, as events, and match contacts with agents.

Every command takes ``now`` from the caller's clock and returns the events it produced, already
applied to the live state. One engine instance has a single writer (the routing leader).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.agent import MISSED, AgentState, Presence, has_skills
from blendcc.domain.channels import Channel, Direction
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.agent import AGENT
from blendcc.domain.lifecycle.assignment import ASSIGNMENT, AssignmentStage
from blendcc.domain.lifecycle.contact import CONTACT, IN_CONVERSATION, TERMINAL, UNANSWERED, WAITING
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.catalog import Catalog
from blendcc.routing.conversations import ConversationMixin
from blendcc.routing.emergency import EmergencyMixin
from blendcc.routing.outbound import OutboundMixin
from blendcc.routing.presence import PresenceMixin
from blendcc.routing.records import AgentRecord, Assignment, ContactRecord
from blendcc.routing.state import LiveState
from blendcc.routing.workflow import CompiledWorkflow, choose, contact_context, expand_targets, is_sticky

_CHANNEL_VALUES: dict[str, str] = {c.value: c.value for c in Channel}
#: member -> value: ``member.value`` goes through the enum's Python-level property, a dict does not
_CHANNEL: dict[Channel, str] = {c: c.value for c in Channel}
_STATE: dict[AgentState, str] = {s: s.value for s in AgentState}
_PRESENCE: dict[Presence, str] = {p: p.value for p in Presence}
_AVAILABLE = Presence.AVAILABLE
#: the lifecycle tables as the commands consult them: the stages (states) in which an action may happen
_CAN_CONNECT = frozenset(ASSIGNMENT.by_trigger("ContactConnected"))
_CAN_REVOKE = frozenset(ASSIGNMENT.by_trigger("OfferRevoked"))
_CAN_HOLD = frozenset(ASSIGNMENT.by_trigger("ContactHeld"))
_CAN_RESUME = frozenset(ASSIGNMENT.by_trigger("ContactResumed"))
_CAN_END = frozenset(ASSIGNMENT.by_trigger("ContactEnded"))
_OFFERABLE_CONNECT = frozenset(CONTACT.by_trigger("ContactConnected"))
_TRANSFERABLE = frozenset(CONTACT.by_trigger("ContactTransferred"))
_AGENT_STEPS = AGENT.steps  # agent state -> the states it may become
_WRAP_UP_STAGE = AssignmentStage.WRAP_UP
#: the events emitted most, built by their fast constructors (``events.factory``: same keywords, same events)
_AgentStateChanged = ev.factory(ev.AgentStateChanged)
_AgentStatusChanged = ev.factory(ev.AgentStatusChanged)
_ContactAbandoned = ev.factory(ev.ContactAbandoned)
_ContactClosed = ev.factory(ev.ContactClosed)
_ContactConnected = ev.factory(ev.ContactConnected)
_ContactCreated = ev.factory(ev.ContactCreated)
_ContactEnded = ev.factory(ev.ContactEnded)
_ContactOffered = ev.factory(ev.ContactOffered)
_ContactQueued = ev.factory(ev.ContactQueued)
_ContactRouted = ev.factory(ev.ContactRouted)
_OfferRevoked = ev.factory(ev.OfferRevoked)
_WrapUpCompleted = ev.factory(ev.WrapUpCompleted)


def _open_at(catalog: Catalog, now: float) -> Callable[[str], bool]:
    """Whether a calendar is open at ``now`` (a module function: mypyc cannot compile a closure in a method
    of a non-native class)."""
    calendars = catalog.calendars

    def is_open(cal: str) -> bool:
        c = calendars.get(cal)
        return c.is_open(now) if c is not None else False

    return is_open


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class Engine(PresenceMixin, OutboundMixin, ConversationMixin, EmergencyMixin, LiveState):
    def __init__(self, catalog: Catalog, now: float):
        super().__init__(catalog, now)
        self._out: list[ev.Event] = []
        self._touched: dict[str, AgentRecord] = {}
        self._last_at = now
        self._matching = True  # off while resume() lets overdue timers expire
        #: (workflow id, filter name) -> its steps (targets without a sticky agent), for ``_plan_catalog``
        self._plans: dict[tuple[str, str], tuple[RouteStep, ...]] = {}
        self._plan_catalog = catalog

    # ------------------------------------------------------------------ plumbing

    def _emit(self, event: ev.Event) -> None:
        self._out.append(event)
        at = event.at  # LiveState.apply, inlined (every event of every command passes here)
        if at > self.last_at:  # noqa: PLR1730 -- max() without the call (hot path)
            self.last_at = at
        agent = self._handlers[type(event)](event)
        if agent is not None:
            self._touched[agent.id] = agent
            self._last_at = event.at

    def _sync_states(self, checked: bool = True) -> None:
        """Record the observable state of every agent touched since the last sync. Each change must be a
        step of the agent table (``checked``), except when ``resume`` re-derives states after a gap."""
        if self._touched:
            at = self._last_at
            out = self._out
            apply = self._handlers[ev.AgentStateChanged]  # self.apply, without the lookup per change
            for agent in self._touched.values():
                state, reason = agent.derived_state()
                if state is not agent.state or reason != agent.state_reason:
                    if checked and state not in _AGENT_STEPS[agent.state]:
                        AGENT.check(agent.state, state, agent.id)  # raises: the table has no such step
                    change = _AgentStateChanged(agent_id=agent.id, state=_STATE[state], reason=reason, at=at)
                    out.append(change)
                    if at > self.last_at:  # noqa: PLR1730 -- max() without the call (hot path)
                        self.last_at = at
                    apply(change)
            self._touched = {}

    def _take(self) -> list[ev.Event]:
        """End of a command: record observable agent-state changes, hand the events out."""
        if self._touched:
            self._sync_states()
        out, self._out = self._out, []
        return out

    def has_pending(self) -> bool:
        """True if events were applied that no command has handed out yet (a command failed midway)."""
        return bool(self._out)

    def replay(self, events: list[ev.Event]) -> None:
        """Rebuild live state from stored events (no decisions are made while replaying)."""
        for e in events:
            self.apply(e)

    def resume(self, now: float) -> list[ev.Event]:
        """After a replay: let timers that fell due while nobody ran the engine expire at their due
        times (offers rang out, wrap-ups ended) without making offers in the past; then fix agent
        states and match everything that can match now."""
        self._matching = False
        try:
            out = self.tick(now)
        finally:
            self._matching = True
        self._last_at = max(now, self.last_at)
        self._touched = dict(self.agents)
        self._sync_states(checked=False)  # the replayed window may have begun in the middle of a session
        for c in list(self.waiting()):
            if c.state is S.QUEUED:
                self._match_contact(c, now)
        return out + self._take()

    # ------------------------------------------------------------------ configuration

    def configure(self, catalog: Catalog, now: float) -> list[ev.Event]:
        """Switch to new configuration; agents keep their state, indexes are rebuilt, then rematch."""
        self.catalog = catalog
        for gone in list(self.agents.values()):
            if gone.logged_in and gone.id not in catalog.agents:
                self._logout(gone, now, force=True)  # a removed agent can no longer take contacts
        for config in catalog.agents.values():
            agent = self.agents.get(config.id)
            if agent is None:
                self.agents[config.id] = AgentRecord(config, now)
            else:
                agent.reconfigure(config)
        self.members_on = {}
        for agent in self.agents.values():
            if agent.logged_in:
                for qid in agent.queues:
                    self.members_on.setdefault(qid, set()).add(agent.id)
        head_start = catalog.settings.priority_head_start_s
        for c in self.contacts.values():
            if c.queue.id in catalog.queues:
                c.queue = catalog.queues[c.queue.id]
            c.order_key = c.line_since - c.priority * head_start  # aging setting may have changed
        self.matcher.set_queues(catalog.queues, [c for c in self.contacts.values() if c.state is S.QUEUED])
        self._recheck_no_agents(tuple(catalog.queues), now)  # capacity or skills may have gone with the change
        for agent in self.agents.values():
            self._match_agent(agent, now)
        return self._take()

    # ------------------------------------------------------------------ contacts

    def create_contact(
        self,
        contact_id: str,
        channel: str,
        now: float,
        *,
        direction: str = Direction.INBOUND.value,
        attributes: Mapping[str, Any] | None = None,
        priority: int = 0,
        customer_id: str | None = None,
        tier: str | None = None,
        last_agent_id: str | None = None,
        workflow_id: str | None = None,
    ) -> list[ev.Event]:
        """A new contact arrives: record it, plan its route, queue it and offer it if anyone is free."""
        if contact_id in self.contacts:
            raise InvalidState(f"contact {contact_id} already exists")
        chv = _CHANNEL_VALUES.get(channel) if isinstance(channel, str) else None
        if chv is None:
            try:
                chv = Channel(channel).value
            except ValueError:
                raise ValidationFailed(f"unknown channel {channel!r}") from None
        attrs = dict(attributes or {})
        workflow = self.catalog.workflow_for(chv, workflow_id)
        self._emit(_ContactCreated(contact_id=contact_id, channel=chv, direction=direction,
                                     customer_id=customer_id, priority=priority, attributes=attrs, at=now))
        name, steps = self._plan(workflow, attrs, chv, direction, customer_id, tier, priority, last_agent_id, now)
        self._emit(_ContactRouted(contact_id=contact_id, workflow_id=workflow.id, filter_name=name,
                                    steps=steps, at=now))
        self._enter_step(self.contacts[contact_id], 0, now, "new", hops=0)
        return self._take()

    def _plan(self, workflow: CompiledWorkflow, attrs: Mapping[str, Any], channel: str, direction: str,
              customer_id: str | None, tier: str | None, priority: int, last_agent_id: str | None,
              now: float) -> tuple[str, tuple[RouteStep, ...]]:
        """``workflow.plan`` for a new contact: the expression context is built only if the workflow
        has filters, and the steps of targets without a sticky agent are expanded once per catalog."""
        catalog = self.catalog
        if workflow.filters:
            context = contact_context(attrs, channel, direction, customer_id, tier, priority)
            name, targets = choose(workflow, context, _open_at(catalog, now))
        else:
            name, targets = "default", workflow.workflow.default
        if catalog is not self._plan_catalog:
            self._plans = {}
            self._plan_catalog = catalog
        key = (workflow.id, name)
        steps = self._plans.get(key)
        if steps is None:
            steps = expand_targets(targets, catalog.queues, last_agent_id)
            if not is_sticky(targets):
                self._plans[key] = steps
        return name, steps

    def _anyone_for(self, step: RouteStep, channel: Channel | None = None) -> bool:
        """True if a logged-in agent could take ``step`` (with capacity for ``channel``, when given)."""
        if step.agent_id is not None:
            a = self.agents.get(step.agent_id)
            return a is not None and a.logged_in and (channel is None or a.capacity.limits.get(channel, 0) > 0)
        for aid in self.members_on.get(step.queue_id, ()):
            a = self.agents[aid]
            if has_skills(a.skills, step.skills) and (channel is None or a.capacity.limits.get(channel, 0) > 0):
                return True
        return False

    def _enter_step(self, c: ContactRecord, index: int, now: float, reason: str, hops: int) -> None:
        """Put ``c`` at step ``index`` of its plan, applying business hours and no-agent overflow."""
        steps = c.steps
        step = steps[index]
        queue = self.queue(step.queue_id)
        max_hops = self.catalog.settings.max_overflow_hops
        if self.emergency:
            em = self.arrival_override(queue.id, reason == "emergency")
            if em is not None:
                if em.mode == "overflow" and em.overflow_queue and hops < max_hops:
                    self._reroute(c, em.overflow_queue, now, "emergency", hops + 1)
                else:
                    self._reject(c, queue.id, "emergency" if em.mode != "callback_only" else "callback_only", now)
                return
        if queue.calendar_id is not None and queue.closed_action != "queue":
            cal = self.catalog.calendars.get(queue.calendar_id)
            if cal is not None and not cal.is_open(now):
                if queue.closed_action == "overflow" and queue.closed_overflow_queue and hops < max_hops:
                    self._reroute(c, queue.closed_overflow_queue, now, "closed", hops + 1)
                else:
                    self._reject(c, queue.id, "closed", now)
                return
        if step.skip_if_no_agents and index + 1 < len(steps) and not self._anyone_for(step, c.channel):
            self._enter_step(c, index + 1, now, reason, hops)
            return
        if queue.no_agents_overflow_queue and hops < max_hops and not self._anyone_for(step, c.channel):
            self._reroute(c, queue.no_agents_overflow_queue, now, "no_agents", hops + 1)
            return
        priority = step.priority if step.priority is not None else c.priority
        in_queue = c.state in WAITING
        if in_queue and c.queue.id == step.queue_id:
            self._emit(ev.ContactStepAdvanced(contact_id=c.id, queue_id=step.queue_id, step_index=index,
                                              priority=priority, at=now))
        else:
            if in_queue:
                self._emit(ev.ContactOverflowed(contact_id=c.id, from_queue_id=c.queue.id,
                                                to_queue_id=step.queue_id, channel=_CHANNEL[c.channel],
                                                queued_at=c.queued_at, reason=reason, at=now))
                reason = "moved" if reason == "supervisor" else "overflow"
            self._emit(_ContactQueued(contact_id=c.id, queue_id=step.queue_id, channel=_CHANNEL[c.channel],
                                        step_index=index, priority=priority, reason=reason, at=now))
        self._match_contact(c, now)

    def _reroute(self, c: ContactRecord, queue_id: str, now: float, reason: str, hops: int) -> None:
        target = self.queue(queue_id)
        steps = (RouteStep(queue_id=queue_id, skills=target.skill_requirement()),)
        self._emit(_ContactRouted(contact_id=c.id, workflow_id="-", filter_name=reason, steps=steps, at=now))
        self._enter_step(c, 0, now, reason, hops)

    def _reject(self, c: ContactRecord, queue_id: str | None, reason: str, now: float) -> None:
        if c.state is S.OFFERED and c.agent_id is not None:
            self._emit(_OfferRevoked(contact_id=c.id, agent_id=c.agent_id, reason="moved", at=now))
        self._emit(ev.ContactRejected(contact_id=c.id, queue_id=queue_id, reason=reason, at=now))
        self._close(c, "rejected", now)

    # ------------------------------------------------------------------ matching

    def _match_contact(self, c: ContactRecord, now: float) -> None:
        if c.state is not S.QUEUED or not self._matching:
            return
        agent = self.matcher.best_agent(c)
        if agent is not None:
            self._offer(c, agent, now)

    def _match_agent(self, agent: AgentRecord, now: float) -> None:
        while agent.logged_in and agent.presence is _AVAILABLE and self._matching:  # agent.routable
            c = self.matcher.best_contact(agent)
            if c is None:
                return
            self._offer(c, agent, now)

    def _offer(self, c: ContactRecord, agent: AgentRecord, now: float) -> None:
        self._emit(_ContactOffered(contact_id=c.id, agent_id=agent.id, queue_id=c.queue.id,
                                     channel=_CHANNEL[c.channel], expires_at=now + c.queue.offer_timeout_s, at=now))

    # ------------------------------------------------------------------ lookups

    def _contact(self, contact_id: str) -> ContactRecord:
        c = self.contacts.get(contact_id)
        if c is None:
            raise NotFound(f"contact {contact_id} is not active")
        return c

    def _agent(self, agent_id: str) -> AgentRecord:
        a = self.agents.get(agent_id)
        if a is None or agent_id not in self.catalog.agents:
            raise NotFound(f"agent {agent_id} is not configured")
        return a

    def _assignment(self, contact_id: str, agent_id: str) -> tuple[ContactRecord | None, Assignment]:
        agent = self._agent(agent_id)
        asg = agent.work.get(contact_id)
        if asg is None:
            raise NotFound(f"agent {agent_id} has no contact {contact_id}")
        return self.contacts.get(contact_id), asg

    # ------------------------------------------------------------------ conversation (agent actions)

    def accept(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        c, asg = self._assignment(contact_id, agent_id)
        if (c is None or asg.stage not in _CAN_CONNECT
                or c.state not in _OFFERABLE_CONNECT or c.agent_id != agent_id):
            raise InvalidState(f"contact {contact_id} is not on offer to agent {agent_id}")
        self._emit(_ContactConnected(contact_id=contact_id, agent_id=agent_id, queue_id=c.queue.id,
                                       channel=_CHANNEL[c.channel], queued_at=c.queued_at,
                                       wait_s=now - (c.queued_at), at=now))
        self._match_agent(self.agents[agent_id], now)  # digital agents may take more at once
        return self._take()

    def decline(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        c, asg = self._assignment(contact_id, agent_id)
        if c is None or asg.stage not in _CAN_REVOKE:
            raise InvalidState(f"contact {contact_id} is not on offer to agent {agent_id}")
        self._emit(_OfferRevoked(contact_id=contact_id, agent_id=agent_id, reason="declined", at=now))
        self._match_contact(c, now)
        self._match_agent(self.agents[agent_id], now)
        return self._take()

    def hold(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        _c, asg = self._assignment(contact_id, agent_id)
        if asg.stage not in _CAN_HOLD:
            raise InvalidState(f"contact {contact_id} is not connected to agent {agent_id}")
        self._emit(ev.ContactHeld(contact_id=contact_id, agent_id=agent_id, at=now))
        return self._take()

    def resume_contact(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        _c, asg = self._assignment(contact_id, agent_id)
        if asg.stage not in _CAN_RESUME:
            raise InvalidState(f"contact {contact_id} is not on hold")
        self._emit(ev.ContactResumed(contact_id=contact_id, agent_id=agent_id, at=now))
        return self._take()

    def end(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        """The agent ends the conversation; wrap-up starts (timed by the queue's wrap_up_s)."""
        _c, asg = self._assignment(contact_id, agent_id)
        if asg.stage not in _CAN_END:
            raise InvalidState(f"contact {contact_id} is not in conversation with agent {agent_id}")
        self._end_assignment(asg, "agent", now)
        return self._take()

    def _end_assignment(self, asg: Assignment, reason: str, now: float, auto_complete: bool = True,
                        ended_at: float | None = None) -> None:
        # the conversation ended when the channel saw it end (never before its connect nor after now); what
        # follows (wrap-up completed, the agent matched again) happens now
        floor = max((t for t in (asg.connected_at, asg.hold_started) if t is not None), default=None)
        end = now if ended_at is None else min(now, ended_at if floor is None else max(ended_at, floor))
        wrap = self.queue(asg.queue_id).wrap_up_s
        until = end + wrap if wrap is not None else None
        self._emit(_ContactEnded(contact_id=asg.contact_id, agent_id=asg.agent_id, queue_id=asg.queue_id,
                                   reason=reason, wrap_up_until=until, at=end))
        if wrap == 0 and auto_complete:
            self._complete_assignment(asg, None, None, now, timed_out=True)
            self._match_agent(self.agents[asg.agent_id], now)  # free again at once

    def wrap_up(self, contact_id: str, agent_id: str, now: float, *, disposition: str | None = None,
                notes: str | None = None) -> list[ev.Event]:
        """Finish after-contact work with a disposition and notes; the agent is free again.
        Called during the conversation it ends the conversation first."""
        _c, asg = self._assignment(contact_id, agent_id)
        if asg.stage in _CAN_CONNECT:
            raise InvalidState(f"contact {contact_id} was not accepted yet")
        if asg.stage in _CAN_END:
            self._end_assignment(asg, "agent", now, auto_complete=False)
        self._complete_assignment(asg, disposition, notes, now, timed_out=False)
        self._match_agent(self.agents[agent_id], now)
        return self._take()

    def _complete_assignment(self, asg: Assignment, disposition: str | None, notes: str | None, now: float,
                             timed_out: bool) -> None:
        connected = asg.connected_at if asg.connected_at is not None else now
        ended = asg.ended_at if asg.ended_at is not None else now
        self._emit(_WrapUpCompleted(
            contact_id=asg.contact_id, agent_id=asg.agent_id, queue_id=asg.queue_id, channel=_CHANNEL[asg.channel],
            queued_at=asg.queued_at, disposition=disposition, notes=notes,
            talk_s=max(0.0, ended - connected - asg.hold_s), hold_s=asg.hold_s, acw_s=max(0.0, now - ended),
            timed_out=timed_out, at=now))
        c = self.contacts.get(asg.contact_id)
        if c is not None and c.state is S.WRAP_UP and c.agent_id == asg.agent_id:
            self._close(c, "completed", now)

    def _close(self, c: ContactRecord, outcome: str, now: float) -> None:
        """The contact's outcome is decided: close it. An agent who transferred it away and is still in
        untimed wrap-up for it has nothing left to finish: that wrap-up completes now, freeing capacity
        (a timed wrap-up runs to its end)."""
        self._emit(_ContactClosed(contact_id=c.id, outcome=outcome, at=now))
        for aid in c.transferred_by:
            agent = self.agents.get(aid)
            asg = agent.work.get(c.id) if agent is not None else None
            if agent is not None and asg is not None and asg.stage is _WRAP_UP_STAGE and asg.wrap_until is None:
                self._complete_assignment(asg, asg.disposition, asg.notes, now, timed_out=True)
                self._match_agent(agent, now)

    def transfer(self, contact_id: str, agent_id: str, now: float, *, to_queue: str | None = None,
                 to_agent: str | None = None) -> list[ev.Event]:
        """Blind transfer to a queue, or to an agent (falling back to the queue if unanswered)."""
        parked = self.contacts.get(contact_id)
        if parked is not None and parked.state is S.PARKED:  # a pending/snoozed conversation, by its owner
            return self.transfer_parked(parked, agent_id, now, to_queue=to_queue, to_agent=to_agent)
        c, asg = self._assignment(contact_id, agent_id)
        if (c is None or asg.stage not in _CAN_END
                or c.state not in _TRANSFERABLE):
            raise InvalidState(f"contact {contact_id} is not in conversation with agent {agent_id}")
        if (to_queue is None) == (to_agent is None):
            raise ValidationFailed("transfer to exactly one of: a queue, an agent")
        queue_id = to_queue or asg.queue_id
        if queue_id not in self.catalog.queues:
            raise NotFound(f"queue {queue_id} does not exist")
        target_q = self.catalog.queues[queue_id]
        if to_agent is not None:
            target = self._agent(to_agent)
            if to_agent == agent_id:
                raise ValidationFailed("cannot transfer a contact to yourself")
            if not target.logged_in:
                raise InvalidState(f"agent {to_agent} is not logged in")
            steps: tuple[RouteStep, ...] = (
                RouteStep(queue_id=queue_id, agent_id=to_agent,
                          timeout_s=self.catalog.settings.transfer_to_agent_timeout_s),
                RouteStep(queue_id=queue_id, skills=target_q.skill_requirement()),
            )
        else:
            steps = (RouteStep(queue_id=queue_id, skills=target_q.skill_requirement()),)
        self._emit(ev.ContactTransferred(contact_id=contact_id, from_agent_id=agent_id, from_queue_id=asg.queue_id,
                                         channel=_CHANNEL[asg.channel], queued_at=asg.queued_at, to_queue_id=queue_id,
                                         to_agent_id=to_agent, at=now))
        self._end_assignment(asg, "transfer", now)
        self._emit(_ContactRouted(contact_id=contact_id, workflow_id="-", filter_name="transfer",
                                    steps=steps, at=now))
        self._enter_step(c, 0, now, "transfer", hops=0)
        return self._take()

    # ------------------------------------------------------------------ customer and supervisor

    def customer_left(self, contact_id: str, now: float, ended_at: float | None = None) -> list[ev.Event]:
        """The customer hung up / left: abandoned if not yet connected, else the conversation ends (at
        ``ended_at`` when the channel saw the hang-up earlier than now)."""
        c = self._contact(contact_id)
        if c.state in UNANSWERED:
            freed: AgentRecord | None = None
            if c.state is S.OFFERED and c.agent_id is not None:
                freed = self.agents.get(c.agent_id)
                self._emit(_OfferRevoked(contact_id=c.id, agent_id=c.agent_id, reason="abandoned", at=now))
            queued = c.first_queued_at is not None
            self._emit(_ContactAbandoned(contact_id=c.id, queue_id=c.queue.id if queued else None,
                                           channel=_CHANNEL[c.channel], queued_at=c.queued_at if queued else None,
                                           wait_s=(now - c.queued_at) if queued else 0.0, at=now))
            self._close(c, "abandoned", now)
            if freed is not None:
                self._match_agent(freed, now)  # the agent whose offer rang is free again
        elif c.state in IN_CONVERSATION and c.agent_id is not None:
            asg = self.agents[c.agent_id].work[c.id]
            self._end_assignment(asg, "customer", now, ended_at=ended_at)
        return self._take()

    def move(self, contact_id: str, queue_id: str, now: float) -> list[ev.Event]:
        """Supervisor moves a waiting contact to another queue (it keeps its time in line)."""
        c = self._contact(contact_id)
        if c.state not in WAITING:
            raise InvalidState(f"contact {contact_id} is {c.state.value}; only waiting contacts can be moved")
        if queue_id not in self.catalog.queues:
            raise NotFound(f"queue {queue_id} does not exist")
        freed: AgentRecord | None = None
        if c.state is S.OFFERED and c.agent_id is not None:
            freed = self.agents.get(c.agent_id)
            self._emit(_OfferRevoked(contact_id=c.id, agent_id=c.agent_id, reason="moved", at=now))
        target = self.catalog.queues[queue_id]
        steps = (RouteStep(queue_id=queue_id, skills=target.skill_requirement()),)
        self._emit(_ContactRouted(contact_id=c.id, workflow_id="-", filter_name="supervisor", steps=steps, at=now))
        self._enter_step(c, 0, now, "supervisor", hops=0)
        if freed is not None:
            self._match_agent(freed, now)  # the agent whose offer rang is free again
        return self._take()

    # ------------------------------------------------------------------ time

    def tick(self, now: float) -> list[ev.Event]:
        """Fire every timer due by ``now``: ring-no-answer, step timeouts, maximum wait, wrap-up."""
        horizon = now
        timers = self._timers
        pop = heapq.heappop
        while timers and timers[0][0] <= horizon:  # LiveState.pop_next, inlined
            due, _, kind, cid, aid, token = pop(timers)
            now = max(due, self.last_at)  # events carry the time the timer was due, in order
            c = self.contacts.get(cid)
            if kind == "offer":
                if c is not None and c.state is S.OFFERED and c.token == token and aid is not None:
                    self._emit(_OfferRevoked(contact_id=cid, agent_id=aid, reason="timeout", at=now))
                    agent = self.agents[aid]
                    if agent.logged_in and not (agent.presence is Presence.AUX and agent.aux_reason == MISSED):
                        self._emit(_AgentStatusChanged(agent_id=aid, status="aux", reason=MISSED, at=now))
                    self._match_contact(c, now)
            elif kind == "step":
                if c is None or c.step_token != token or c.state not in WAITING:
                    continue
                if c.state is S.OFFERED and c.offer_expires is not None:
                    self.schedule(c.offer_expires, "step", cid, None, token)  # decide after the ring
                    continue
                self._enter_step(c, c.step_index + 1, now, "step_timeout", hops=0)
            elif kind == "max_wait":
                if c is None or c.visit_token != token or c.state not in WAITING:
                    continue
                if c.state is S.OFFERED and c.offer_expires is not None:
                    self.schedule(c.offer_expires, "max_wait", cid, None, token)
                    continue
                self._emit(ev.ContactTimedOut(contact_id=cid, queue_id=c.queue.id, channel=_CHANNEL[c.channel],
                                              queued_at=c.queued_at, wait_s=now - c.queued_at, at=now))
                self._close(c, "timed_out", now)
            elif kind == "snooze":
                self._snooze_due(c, token, now)
            elif kind == "idle":
                self._idle_due(c, token, now)
            elif kind == "wrap" and aid is not None:
                wrapping = self.agents.get(aid)
                asg = wrapping.work.get(cid) if wrapping is not None else None
                if (wrapping is not None and asg is not None and asg.stage is _WRAP_UP_STAGE
                        and asg.wrap_until is not None and asg.wrap_until <= now):
                    self._complete_assignment(asg, asg.disposition, asg.notes, now, timed_out=True)
                    self._match_agent(wrapping, now)
            if self._touched:
                self._sync_states()  # state changes carry this timer's time
        return self._take()

    # ------------------------------------------------------------------ queries

    def is_terminal(self, contact_id: str) -> bool:
        c = self.contacts.get(contact_id)
        return c is None or c.state in TERMINAL

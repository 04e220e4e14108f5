"""Engine commands for digital conversations: pending/snoozed (capacity freed, the agent stays the owner),
back to open (routed to the owner first, then the queue), resolved, and a reopened conversation's new contact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.channels import Channel, Direction
from blendcc.domain.conversation_events import ConversationReopened, ConversationStateChanged
from blendcc.domain.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.contact import IN_CONVERSATION
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.domain.lifecycle.conversation import CONVERSATION, PARKED, ConversationState
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.state import LiveState
from blendcc.routing.workflow import CompiledWorkflow  # not only for type checking: compiled, annotations are evaluated

CS = ConversationState
_DIGITAL = frozenset(c.value for c in Channel if c is not Channel.VOICE)


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class ConversationMixin(LiveState):
    """Conversation-state commands; mixed into ``Engine``, which provides emitting, matching and routing."""

    # provided by the class this is mixed into (``Engine``/``LiveState``); annotations only: a
    # class-level ``if TYPE_CHECKING`` cannot be compiled (mypyc, ADR 0061)
    _emit: Callable[[ev.Event], None]
    _take: Callable[[], list[ev.Event]]
    _contact: Callable[[str], ContactRecord]
    _match_agent: Callable[[AgentRecord, float], None]
    _enter_step: Callable[..., None]  # (c, index, now, reason, hops)
    _close: Callable[[ContactRecord, str, float], None]
    _complete_assignment: Callable[..., None]  # (asg, disposition, notes, now, timed_out)
    _plan: Callable[[CompiledWorkflow, Mapping[str, Any], str, str, str | None, str | None, int, str | None, float],
                     tuple[str, tuple[RouteStep, ...]]]

    # ------------------------------------------------------------------ commands

    def set_conversation_state(self, contact_id: str, state: str, now: float, *, agent_id: str | None = None,
                               by: str | None = None, until: float | None = None, reason: str | None = None,
                               disposition: str | None = None, notes: str | None = None) -> list[ev.Event]:
        """Move a digital conversation to ``state``. ``agent_id``: the agent asking (it must hold or own the
        conversation); None for a supervisor or the system. InvalidState for a step the table refuses."""
        c = self._contact(contact_id)
        if c.channel.value not in _DIGITAL:
            raise ValidationFailed(f"contact {contact_id} is a voice call; only digital conversations have states")
        try:
            target = CS(state)
        except ValueError:
            raise ValidationFailed(f"unknown conversation state {state!r}") from None
        current = CS(c.conversation)
        CONVERSATION.check(current, target, contact_id)
        holder = c.agent_id if c.state in IN_CONVERSATION or c.state is S.WRAP_UP else None
        if agent_id is not None and agent_id not in (holder, c.owner if c.state is S.PARKED else None):
            raise Forbidden(f"agent {agent_id} neither holds nor owns conversation {contact_id}")
        who = by or agent_id
        if target is CS.SNOOZED and (until is None or until <= now):
            raise ValidationFailed("snoozing needs a time in the future (until)")
        if target in PARKED:
            self._park(c, target, current, holder, now, who, until, reason)
        elif target is CS.OPEN:
            if c.state is not S.PARKED:
                raise InvalidState(f"conversation {contact_id} is not pending or snoozed")
            self._wake(c, current, now, who, reason)
        else:
            self._resolve(c, current, holder, now, who, reason, disposition, notes)
        return self._take()

    def customer_wrote(self, contact_id: str, now: float) -> list[ev.Event]:
        """The customer's message: a pending or snoozed conversation is open again (owner first)."""
        c = self.contacts.get(contact_id)
        if c is None or c.state is not S.PARKED:
            return []
        self._wake(c, CS(c.conversation), now, "customer", "customer_message")
        return self._take()

    def reopen_contact(self, contact_id: str, channel: str, now: float, *, previous_contact_id: str,
                       resolved_at: float, owner: str | None, attributes: Mapping[str, Any] | None = None,
                       customer_id: str | None = None, tier: str | None = None,
                       workflow_id: str | None = None) -> list[ev.Event]:
        """A customer wrote to a resolved conversation: a new contact that continues it
        (``ConversationReopened``), routed to ``owner`` first, then by its workflow."""
        if contact_id in self.contacts:
            raise InvalidState(f"contact {contact_id} already exists")
        if channel not in _DIGITAL:
            raise ValidationFailed(f"{channel!r} is not a digital channel")
        attrs = dict(attributes or {})
        workflow = self.catalog.workflow_for(channel, workflow_id)
        direction = Direction.INBOUND.value
        self._emit(ev.ContactCreated(contact_id=contact_id, channel=channel, direction=direction,
                                     customer_id=customer_id, priority=0, attributes=attrs, at=now))
        self._emit(ConversationReopened(contact_id=contact_id, previous_contact_id=previous_contact_id,
                                        resolved_at=resolved_at, agent_id=owner, at=now))
        name, steps = self._plan(workflow, attrs, channel, direction, customer_id, tier, 0, owner, now)
        first = self._owner_step(owner, steps[0])
        if first is not None and not any(s.agent_id == owner for s in steps):
            steps = (first, *steps)
        self._emit(ev.ContactRouted(contact_id=contact_id, workflow_id=workflow.id, filter_name=name,
                                    steps=steps, at=now))
        self._enter_step(self.contacts[contact_id], 0, now, "new", hops=0)
        return self._take()

    def transfer_parked(self, c: ContactRecord, agent_id: str, now: float, *, to_queue: str | None,
                        to_agent: str | None) -> list[ev.Event]:
        """The owner hands a pending/snoozed conversation on: it opens again, routed to ``to_agent`` first
        (then ``to_queue`` or its queue), or to ``to_queue``; the thread stays with the contact."""
        if agent_id != c.owner:
            raise Forbidden(f"agent {agent_id} does not own conversation {c.id}")
        if (to_queue is None) == (to_agent is None):
            raise ValidationFailed("transfer to exactly one of: a queue, an agent")
        queue_id = to_queue or c.queue.id
        target_q = self.catalog.queues.get(queue_id)
        if target_q is None:
            raise NotFound(f"queue {queue_id} does not exist")
        base = RouteStep(queue_id=queue_id, skills=target_q.skill_requirement())
        steps: tuple[RouteStep, ...] = (base,)
        if to_agent is not None:
            target = self.agents.get(to_agent)
            if target is None or to_agent not in self.catalog.agents:
                raise NotFound(f"agent {to_agent} is not configured")
            if to_agent == agent_id:
                raise ValidationFailed("cannot transfer a contact to yourself")
            if not target.logged_in:
                raise InvalidState(f"agent {to_agent} is not logged in")
            steps = (RouteStep(queue_id=queue_id, agent_id=to_agent,
                               timeout_s=self.catalog.settings.transfer_to_agent_timeout_s), base)
        self._emit(ConversationStateChanged(contact_id=c.id, state=CS.OPEN.value, previous=c.conversation,
                                            agent_id=to_agent, reason="transfer", by=agent_id, at=now))
        self._emit(ev.ContactRouted(contact_id=c.id, workflow_id="-", filter_name="transfer", steps=steps, at=now))
        self._enter_step(c, 0, now, "transfer", hops=0)
        return self._take()

    # ------------------------------------------------------------------ steps

    def _park(self, c: ContactRecord, target: CS, current: CS, holder: str | None, now: float, who: str | None,
              until: float | None, reason: str | None) -> None:
        if c.state is not S.PARKED and c.state not in IN_CONVERSATION:
            raise InvalidState(f"conversation {c.id} is {c.state.value}; only a conversation an agent has "
                               "accepted can wait for the customer")
        owner = holder if holder is not None else c.owner
        self._emit(ConversationStateChanged(contact_id=c.id, state=target.value, previous=current.value,
                                            agent_id=owner, until=until if target is CS.SNOOZED else None,
                                            reason=reason, by=who, at=now))
        if holder is not None:  # the agent's slot is freed; the agent stays the owner
            agent = self.agents[holder]
            asg = agent.work[c.id]
            self._emit(ev.ContactEnded(contact_id=c.id, agent_id=holder, queue_id=asg.queue_id,
                                       reason=target.value, wrap_up_until=None, at=now))
            self._complete_assignment(asg, None, None, now, timed_out=False)
            self._match_agent(agent, now)

    def _wake(self, c: ContactRecord, current: CS, now: float, who: str | None, reason: str | None) -> None:
        self._emit(ConversationStateChanged(contact_id=c.id, state=CS.OPEN.value, previous=current.value,
                                            agent_id=c.owner, reason=reason, by=who, at=now))
        queue = self.queue(c.queue.id)
        base = RouteStep(queue_id=queue.id, skills=queue.skill_requirement())
        first = self._owner_step(c.owner, base)
        steps = (first, base) if first is not None else (base,)
        self._emit(ev.ContactRouted(contact_id=c.id, workflow_id="-", filter_name="resume", steps=steps, at=now))
        self._enter_step(c, 0, now, "resume", hops=0)

    def _owner_step(self, owner: str | None, after: RouteStep) -> RouteStep | None:
        """The step that waits for the owner (only a configured, logged-in owner; else straight on)."""
        agent = self.agents.get(owner) if owner is not None else None
        if owner is None or agent is None or not agent.logged_in or owner not in self.catalog.agents:
            return None
        return RouteStep(queue_id=after.queue_id, agent_id=owner,
                         timeout_s=self.catalog.settings.conversation_owner_wait_s)

    def _resolve(self, c: ContactRecord, current: CS, holder: str | None, now: float, who: str | None,
                 reason: str | None, disposition: str | None, notes: str | None) -> None:
        if c.state is not S.PARKED and holder is None:
            raise InvalidState(f"conversation {c.id} is {c.state.value}; an agent must take it before it is resolved")
        self._emit(ConversationStateChanged(contact_id=c.id, state=CS.RESOLVED.value, previous=current.value,
                                            agent_id=holder if holder is not None else c.owner, reason=reason,
                                            by=who, at=now))
        if holder is None:
            self._close(c, "completed", now)
            return
        agent = self.agents[holder]
        asg = agent.work[c.id]
        if c.state in IN_CONVERSATION:
            self._emit(ev.ContactEnded(contact_id=c.id, agent_id=holder, queue_id=asg.queue_id,
                                       reason="resolved", wrap_up_until=None, at=now))
        self._complete_assignment(asg, disposition, notes, now, timed_out=False)
        self._match_agent(agent, now)

    def _idle_due(self, c: ContactRecord | None, token: int, now: float) -> None:
        """A chat's idle timer fell due: the customer never answered the agent, so the chat is resolved."""
        if (c is None or c.idle_token != token or c.state not in IN_CONVERSATION or c.agent_id is None
                or c.conversation != CS.OPEN.value):
            return
        self._resolve(c, CS.OPEN, c.agent_id, now, "system", "customer_idle", None, None)

    def _snooze_due(self, c: ContactRecord | None, token: int, now: float) -> None:
        """A snooze timer fell due: the conversation opens again (unless it changed meanwhile)."""
        if c is None or c.snooze_token != token or c.state is not S.PARKED or c.conversation != CS.SNOOZED.value:
            return
        self._wake(c, CS.SNOOZED, now, "system", "snooze_expired")

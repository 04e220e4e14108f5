"""Engine commands for outbound dialling: agents free for outbound, reservations, connecting answers.

Blending is "inbound first": an agent is free for outbound only while it is logged in to the pool
queue, available, idle on voice and no waiting inbound contact could be offered to it. A
preview/progressive reservation puts the agent in aux with reason ``outbound`` (set ``by`` the
dialer), so inbound routing skips it and the state shows in agent reports. An answered call becomes an
ordinary engine interaction (direction outbound) connected at once to the reserved agent or to the
longest-idle free agent of the pool; from there talk, hold, transfer and wrap-up work as for inbound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.agent import Presence
from blendcc.domain.channels import Channel, Direction
from blendcc.domain.dialer_events import DIALER_EVENT_TYPES
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.domain.interaction import RouteStep
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.catalog import Catalog
from blendcc.routing.records import AgentRecord
from blendcc.routing.state import LiveState

#: aux reason code of an agent held for an outbound call (preview or progressive)
OUTBOUND_REASON = "outbound"
DIALER = "dialer"
#: assignment stages that count an agent as busy in the pool (ringing, talking or holding)
_ENGAGED = frozenset({AssignmentStage.RESERVED, AssignmentStage.BUSY, AssignmentStage.HELD})


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class OutboundMixin(LiveState):
    """Outbound commands; mixed into ``Engine`` (which provides ``_emit``, ``_take``, ``set_status``)."""

    # provided by the class this is mixed into (``Engine``/``LiveState``); annotations only: a
    # class-level ``if TYPE_CHECKING`` cannot be compiled (mypyc, ADR 0061)
    _emit: Callable[[ev.Event], None]
    _take: Callable[[], list[ev.Event]]
    set_status: Callable[..., list[ev.Event]]  # (agent_id, status, now, *, reason=None, by=None)
    _agent: Callable[[str], AgentRecord]

    def __init__(self, catalog: Catalog, now: float):
        super().__init__(catalog, now)
        # dialer events share the event log; replaying them changes nothing in the ACD state
        for kind in (*DIALER_EVENT_TYPES, *ev.VOICE_EVENT_TYPES, *ev.CONTROL_EVENT_TYPES):  # voice media facts: none
            self._handlers[kind] = _no_change

    # ------------------------------------------------------------------ queries

    def _free_for_outbound(self, agent: AgentRecord) -> bool:
        return (agent.routable and not agent.work
                and agent.capacity.can_take(agent.load, Channel.VOICE)
                and self.matcher.best_contact(agent) is None)  # inbound first

    def outbound_agents(self, queue_id: str) -> list[str]:
        """Agents of pool ``queue_id`` free for outbound now, longest idle first."""
        agents = self.agents
        available = Presence.AVAILABLE
        free = []
        for aid in self.members_on.get(queue_id, ()):
            a = agents[aid]
            if not a.work and a.presence is available and self._free_for_outbound(a):  # cheap checks first
                free.append(a)
        free.sort(key=lambda a: (a.idle_since, a.id))
        return [a.id for a in free]

    def is_reserved_outbound(self, agent_id: str) -> bool:
        """True if ``agent_id`` is held for an outbound call (aux ``outbound``) and idle."""
        a = self.agents.get(agent_id)
        return (a is not None and a.logged_in and a.presence is Presence.AUX
                and a.aux_reason == OUTBOUND_REASON and not a.work)

    def pool_counts(self, queue_id: str) -> dict[str, int]:
        """Logged-in pool members by what they are doing: free (for outbound), reserved (outbound),
        busy (talking, on hold or reserved for an offer), wrap_up, aux, and inbound contacts waiting
        in the pool queue."""
        counts = {"logged_in": 0, "free": 0, "reserved": 0, "busy": 0, "wrap_up": 0, "aux": 0,
                  "available": 0}
        for aid in self.members_on.get(queue_id, ()):
            a = self.agents[aid]
            counts["logged_in"] += 1
            stages = {asg.stage for asg in a.work.values()}
            if not stages.isdisjoint(_ENGAGED):
                counts["busy"] += 1
            elif AssignmentStage.WRAP_UP in stages:
                counts["wrap_up"] += 1
            elif self.is_reserved_outbound(aid):
                counts["reserved"] += 1
            elif a.presence is Presence.AUX:
                counts["aux"] += 1
            else:
                counts["available"] += 1
                if self._free_for_outbound(a):
                    counts["free"] += 1
        counts["inbound_waiting"] = sum(1 for c in self.waiting() if c.queue.id == queue_id)
        return counts

    # ------------------------------------------------------------------ commands

    def reserve_outbound(self, agent_id: str, now: float, *, campaign_id: str) -> list[ev.Event]:
        """Hold ``agent_id`` for a preview/progressive call: no inbound is offered meanwhile."""
        agent = self._agent(agent_id)
        if not self._free_for_outbound(agent):
            raise InvalidState(f"agent {agent_id} is not free for outbound")
        self._emit(ev.AgentStatusChanged(agent_id=agent_id, status=Presence.AUX.value, reason=OUTBOUND_REASON,
                                         by=f"{DIALER}:{campaign_id}", at=now))
        return self._take()

    def release_outbound(self, agent_id: str, now: float) -> list[ev.Event]:
        """End a reservation (no answer, skip): the agent is available and inbound may be offered."""
        if not self.is_reserved_outbound(agent_id):
            return []  # the agent changed its own status meanwhile (break, logout): leave it be
        return self.set_status(agent_id, Presence.AVAILABLE.value, now, by=DIALER)

    def connect_outbound(
        self,
        call_id: str,
        queue_id: str,
        now: float,
        *,
        agent_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        customer_id: str | None = None,
    ) -> list[ev.Event]:
        """An answered call becomes contact ``call_id`` (outbound voice) connected to ``agent_id`` (a
        reserved agent) or to the longest-idle agent free for outbound in ``queue_id``. Raises
        InvalidState when nobody can take it (the dialer then holds the call, or abandons it)."""
        if call_id in self.contacts:
            raise InvalidState(f"contact {call_id} already exists")
        if agent_id is not None:
            agent = self._agent(agent_id)
            if not self.is_reserved_outbound(agent_id) and not self._free_for_outbound(agent):
                raise InvalidState(f"agent {agent_id} is no longer reserved for outbound")
        else:
            free = self.outbound_agents(queue_id)
            if not free:
                raise InvalidState(f"no agent of {queue_id} is free for outbound")
            agent = self.agents[free[0]]
        if queue_id not in agent.queues:
            raise ValidationFailed(f"agent {agent.id} does not serve queue {queue_id}")
        if agent.presence is not Presence.AVAILABLE:
            # reserved: back to available without matching inbound, the call takes the agent now
            self._emit(ev.AgentStatusChanged(agent_id=agent.id, status=Presence.AVAILABLE.value, reason=None,
                                             by=DIALER, at=now))
        queue = self.queue(queue_id)
        channel = Channel.VOICE.value
        self._emit(ev.ContactCreated(contact_id=call_id, channel=channel, direction=Direction.OUTBOUND.value,
                                     customer_id=customer_id, priority=0, attributes=dict(attributes or {}),
                                     at=now))
        steps = (RouteStep(queue_id=queue_id, agent_id=agent.id),)
        self._emit(ev.ContactRouted(contact_id=call_id, workflow_id="-", filter_name="outbound", steps=steps,
                                    at=now))
        self._emit(ev.ContactQueued(contact_id=call_id, queue_id=queue_id, channel=channel, step_index=0,
                                    priority=0, reason="outbound", at=now))
        self._emit(ev.ContactOffered(contact_id=call_id, agent_id=agent.id, queue_id=queue_id, channel=channel,
                                     expires_at=now + queue.offer_timeout_s, at=now))
        self._emit(ev.ContactConnected(contact_id=call_id, agent_id=agent.id, queue_id=queue_id, channel=channel,
                                       queued_at=now, wait_s=0.0, at=now))
        return self._take()


def _no_change(_event: ev.Event) -> None:
    return None

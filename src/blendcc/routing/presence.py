"""Engine commands for agent presence: login, available/aux with a reason, logout (offers back to their queues)."""

from __future__ import annotations

from collections.abc import Callable

from blendcc.domain import events as ev
from blendcc.domain.agent import Presence
from blendcc.domain.errors import InvalidState, ValidationFailed
from blendcc.domain.lifecycle.assignment import ASSIGNMENT, IN_CONVERSATION, AssignmentStage
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.mypyc_hints import mypyc_attr
from blendcc.routing.records import AgentRecord, ContactRecord
from blendcc.routing.state import LiveState

_PRESENCE: dict[Presence, str] = {p: p.value for p in Presence}
_WRAP_UP = AssignmentStage.WRAP_UP
_CAN_REVOKE = frozenset(ASSIGNMENT.by_trigger("OfferRevoked"))
_CAN_END = frozenset(ASSIGNMENT.by_trigger("ContactEnded"))
_AgentStatusChanged = ev.factory(ev.AgentStatusChanged)
_OfferRevoked = ev.factory(ev.OfferRevoked)


@mypyc_attr(native_class=False)  # a mixin hierarchy: compiled methods, Python class (ADR 0061)
class PresenceMixin(LiveState):
    """Presence commands; mixed into ``Engine``, which provides the emitting, matching and asg plumbing."""

    # provided by the class this is mixed into (``Engine``/``LiveState``); annotations only: a
    # class-level ``if TYPE_CHECKING`` cannot be compiled (mypyc, ADR 0061)
    _emit: Callable[[ev.Event], None]
    _take: Callable[[], list[ev.Event]]
    _agent: Callable[[str], AgentRecord]
    _match_agent: Callable[[AgentRecord, float], None]
    _match_contact: Callable[[ContactRecord, float], None]
    _anyone_for: Callable[..., bool]  # (step, channel=None)
    _enter_step: Callable[..., None]  # (c, index, now, reason, hops)
    _reroute: Callable[..., None]  # (c, queue_id, now, reason, hops)
    _end_assignment: Callable[..., None]  # (asg, reason, now, auto_complete=True)
    _complete_assignment: Callable[..., None]  # (asg, disposition, notes, now, timed_out)

    def login(self, agent_id: str, now: float, *, status: str = "available",
              reason: str | None = None) -> list[ev.Event]:
        agent = self._agent(agent_id)
        if agent.logged_in:
            raise InvalidState(f"agent {agent_id} is already logged in")
        self._presence(status, reason)  # refuse a bad status before anything happens
        self._emit(ev.AgentLoggedIn(agent_id=agent_id, at=now))
        self._set_presence(agent, status, reason, now, None)
        return self._take()

    def set_status(self, agent_id: str, status: str, now: float, *, reason: str | None = None,
                   by: str | None = None) -> list[ev.Event]:
        """Agent (or supervisor ``by``) sets presence: 'available' or 'aux' with a reason code.

        Aux chosen by the agent while assignments are open is pending: no new offers, and the observable
        state becomes aux when the last one ends. Aux forced by a supervisor (``by``) also ends every
        open wrap-up now (``WrapUpCompleted``, ``timed_out``), so the agent is in aux at once unless a
        conversation or a ringing offer is still in progress."""
        agent = self._agent(agent_id)
        if not agent.logged_in:
            raise InvalidState(f"agent {agent_id} is not logged in")
        self._set_presence(agent, status, reason, now, by)
        return self._take()

    @staticmethod
    def _presence(status: str, reason: str | None) -> Presence:
        try:
            presence = Presence(status)
        except ValueError:
            raise ValidationFailed(f"unknown status {status!r}; use 'available' or 'aux'") from None
        if presence is Presence.AUX and not reason:
            raise ValidationFailed("aux needs a reason code (e.g. break, lunch, meeting, training)")
        return presence

    def _set_presence(self, agent: AgentRecord, status: str, reason: str | None, now: float,
                      by: str | None) -> None:
        presence = self._presence(status, reason)
        self._emit(_AgentStatusChanged(agent_id=agent.id, status=_PRESENCE[presence],
                                         reason=reason if presence is Presence.AUX else None, by=by, at=now))
        if presence is Presence.AVAILABLE:
            self._match_agent(agent, now)
        elif by is not None:
            for asg in [a for a in agent.work.values() if a.stage is _WRAP_UP]:
                self._complete_assignment(asg, asg.disposition, asg.notes, now, timed_out=True)

    def logout(self, agent_id: str, now: float, *, force: bool = False) -> list[ev.Event]:
        """Log out. Ringing offers go back to their queues; open wrap-ups complete. Contacts in
        progress block a logout unless ``force`` (supervisor), which ends them."""
        agent = self._agent(agent_id)
        if not agent.logged_in:
            raise InvalidState(f"agent {agent_id} is not logged in")
        self._logout(agent, now, force)
        return self._take()

    def _logout(self, agent: AgentRecord, now: float, force: bool) -> None:
        agent_id = agent.id
        busy = [asg for asg in agent.work.values() if asg.stage in IN_CONVERSATION]
        if busy and not force:
            raise InvalidState(f"agent {agent_id} is handling {len(busy)} contact(s); end them first")
        requeue: list[ContactRecord] = []
        for asg in list(agent.work.values()):
            if asg.stage in _CAN_REVOKE:  # still ringing: the offer goes back
                self._emit(_OfferRevoked(contact_id=asg.contact_id, agent_id=agent_id, reason="logout", at=now))
                c = self.contacts.get(asg.contact_id)
                if c is not None:
                    requeue.append(c)
            else:
                if asg.stage in _CAN_END:
                    self._end_assignment(asg, "agent", now, auto_complete=False)  # completed just below
                self._complete_assignment(asg, None, None, now, timed_out=False)
        self._emit(ev.AgentLoggedOut(agent_id=agent_id, at=now))
        for c in requeue:
            self._match_contact(c, now)
        self._recheck_no_agents(agent.queues, now)

    def _recheck_no_agents(self, queue_ids: tuple[str, ...], now: float) -> None:
        """Contacts whose step says 'skip if nobody is logged in' move on when the last agent leaves."""
        affected = set(queue_ids)
        for c in list(self.contacts.values()):
            if c.state is S.QUEUED and c.queue.id in affected:
                step = c.step
                if self._anyone_for(step, c.channel):
                    continue
                if step.skip_if_no_agents and c.step_index + 1 < len(c.steps):
                    self._enter_step(c, c.step_index + 1, now, "no_agents", hops=0)
                elif c.queue.no_agents_overflow_queue and c.queue.no_agents_overflow_queue != c.queue.id:
                    self._reroute(c, c.queue.no_agents_overflow_queue, now, "no_agents", hops=1)

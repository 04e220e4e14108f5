"""Which engine timers can still act: used to leave dead timers out of a snapshot and to compare live states."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.domain.lifecycle.contact import WAITING
from blendcc.domain.lifecycle.contact import ContactState as S

if TYPE_CHECKING:
    from blendcc.routing.state import LiveState, Timer

_WRAP_UP = AssignmentStage.WRAP_UP


def may_act(state: LiveState, timer: Timer) -> bool:
    """False only for a timer that can never do anything again (its token is out of date, its contact or
    assignment is gone): ``Engine.tick`` would pop it and do nothing. Conservative: True when unsure."""
    _due, _seq, kind, cid, aid, token = timer
    if kind == "wrap":
        agent = state.agents.get(aid) if aid is not None else None
        return agent is not None and cid in agent.work
    c = state.contacts.get(cid)
    if c is None:
        return False
    if kind == "offer":
        return c.token == token
    if kind == "step":
        return c.step_token == token
    if kind == "max_wait":
        return c.visit_token == token
    if kind == "snooze":
        return c.snooze_token == token
    if kind == "idle":
        return c.idle_token == token
    return True


def effective(state: LiveState, timer: Timer) -> tuple[float, str, str, str | None, int] | None:
    """(when it acts, kind, contact, agent, token) of a timer that acts now-or-later, else None. A step or
    maximum-wait timer that falls due while its contact is on offer waits for the offer's end (``tick``
    re-schedules it), so two states that differ only by that re-scheduling compare equal."""
    if not may_act(state, timer):
        return None
    due, _seq, kind, cid, aid, token = timer
    c = state.contacts.get(cid)
    if kind == "offer":
        if c is None or c.state is not S.OFFERED or c.agent_id != aid:
            return None
    elif kind == "wrap":
        agent = state.agents.get(aid) if aid is not None else None
        asg = agent.work.get(cid) if agent is not None else None
        if asg is None or asg.stage is not _WRAP_UP or asg.wrap_until != due:
            return None
    elif kind in ("step", "max_wait") and c is not None:
        if c.state not in WAITING:  # it is dropped when it falls due; a contact waits again only with a new token
            return None
        if c.state is S.OFFERED and c.offer_expires is not None:
            due = max(due, c.offer_expires)
    elif kind == "snooze" and c is not None and (c.state is not S.PARKED or c.conversation != "snoozed"):
        return None  # any change of the conversation's state takes a new token
    return (due, kind, cid, aid, token)

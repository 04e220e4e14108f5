"""Hand-built, realistic event sequences for the storage contract tests."""

from __future__ import annotations

from blendcc.domain import events as ev
from blendcc.domain.interaction import RouteStep

#: A quarter-hour boundary (1_700_000_100 = 900 * 1_888_889), so interval arithmetic is easy to read.
T0 = 1_700_000_100.0


def handled(cid: str, agent: str, *, queue: str = "sales", channel: str = "voice", t0: float = T0,
            customer_id: str | None = None, wait: float = 12.0, talk: float = 95.5, hold: float = 10.25,
            acw: float = 20.0, disposition: str | None = "resolved") -> list[ev.Event]:
    """Created -> Routed -> Queued -> Offered -> Connected -> Held/Resumed -> Ended -> WrapUp -> Closed."""
    queued_at = t0 + 1.0
    connected_at = queued_at + wait
    held_at = connected_at + 30.0
    ended_at = connected_at + talk + hold
    return [
        ev.ContactCreated(at=t0, contact_id=cid, channel=channel, direction="inbound",
                          customer_id=customer_id, priority=5, attributes={"lang": "en", "ivr": ["1", "3"]}),
        ev.ContactRouted(at=t0 + 0.5, contact_id=cid, workflow_id="wf-main", filter_name="default",
                         steps=(RouteStep(queue_id=queue, skills=(("english", 3),), timeout_s=60.0),
                                RouteStep(queue_id="overflow", priority=2))),
        ev.ContactQueued(at=queued_at, contact_id=cid, queue_id=queue, channel=channel, step_index=0,
                         priority=5),
        ev.ContactOffered(at=connected_at - 2.0, contact_id=cid, agent_id=agent, queue_id=queue,
                          channel=channel, expires_at=connected_at + 13.0),
        ev.ContactConnected(at=connected_at, contact_id=cid, agent_id=agent, queue_id=queue,
                            channel=channel, queued_at=queued_at, wait_s=wait),
        ev.ContactHeld(at=held_at, contact_id=cid, agent_id=agent),
        ev.ContactResumed(at=held_at + hold, contact_id=cid, agent_id=agent),
        ev.ContactEnded(at=ended_at, contact_id=cid, agent_id=agent, queue_id=queue, reason="customer",
                        wrap_up_until=ended_at + 60.0),
        ev.WrapUpCompleted(at=ended_at + acw, contact_id=cid, agent_id=agent, queue_id=queue,
                           channel=channel, queued_at=queued_at, disposition=disposition, notes="callback",
                           talk_s=talk, hold_s=hold, acw_s=acw),
        ev.ContactClosed(at=ended_at + acw, contact_id=cid, outcome="completed"),
    ]


def abandoned(cid: str, *, queue: str = "sales", channel: str = "voice", t0: float = T0,
              wait: float = 40.0, customer_id: str | None = None) -> list[ev.Event]:
    """Created -> Queued -> Abandoned -> Closed(abandoned)."""
    return [
        ev.ContactCreated(at=t0, contact_id=cid, channel=channel, direction="inbound",
                          customer_id=customer_id, priority=3),
        ev.ContactQueued(at=t0 + 1.0, contact_id=cid, queue_id=queue, channel=channel, step_index=0,
                         priority=3),
        ev.ContactAbandoned(at=t0 + 1.0 + wait, contact_id=cid, queue_id=queue, channel=channel,
                            queued_at=t0 + 1.0, wait_s=wait),
        ev.ContactClosed(at=t0 + 1.0 + wait, contact_id=cid, outcome="abandoned"),
    ]


def eventful(cid: str, first: str, second: str, *, t0: float = T0) -> list[ev.Event]:
    """Overflow, a revoked offer, a second offer, a transfer to another agent: set_if_null territory."""
    q1 = t0 + 1.0
    q2 = t0 + 31.0
    return [
        ev.ContactCreated(at=t0, contact_id=cid, channel="chat", direction="inbound", customer_id=None,
                          priority=4),
        ev.ContactRouted(at=t0, contact_id=cid, workflow_id="wf-chat", filter_name="vip", steps=()),
        ev.ContactQueued(at=q1, contact_id=cid, queue_id="sales", channel="chat", step_index=0, priority=4),
        ev.ContactOverflowed(at=q2, contact_id=cid, from_queue_id="sales", to_queue_id="support",
                             channel="chat", queued_at=q1, reason="step_timeout"),
        ev.ContactQueued(at=q2, contact_id=cid, queue_id="support", channel="chat", step_index=1, priority=4,
                         reason="overflow"),
        ev.ContactOffered(at=q2 + 5, contact_id=cid, agent_id=first, queue_id="support", channel="chat",
                          expires_at=q2 + 20),
        ev.OfferRevoked(at=q2 + 20, contact_id=cid, agent_id=first, reason="timeout"),
        ev.ContactOffered(at=q2 + 25, contact_id=cid, agent_id=first, queue_id="support", channel="chat",
                          expires_at=q2 + 40),
        ev.ContactConnected(at=q2 + 27, contact_id=cid, agent_id=first, queue_id="support", channel="chat",
                            queued_at=q2, wait_s=27.0),
        ev.ContactTransferred(at=q2 + 100, contact_id=cid, from_agent_id=first, from_queue_id="support",
                              channel="chat", queued_at=q2, to_queue_id="billing", to_agent_id=None),
        ev.ContactEnded(at=q2 + 100, contact_id=cid, agent_id=first, queue_id="support", reason="transfer",
                        wrap_up_until=None),
        ev.ContactQueued(at=q2 + 100, contact_id=cid, queue_id="billing", channel="chat", step_index=0,
                         priority=4, reason="transfer"),
        ev.ContactOffered(at=q2 + 104, contact_id=cid, agent_id=second, queue_id="billing", channel="chat",
                          expires_at=q2 + 120),
        ev.ContactConnected(at=q2 + 105, contact_id=cid, agent_id=second, queue_id="billing", channel="chat",
                            queued_at=q2 + 100, wait_s=5.0),
        ev.WrapUpCompleted(at=q2 + 110, contact_id=cid, agent_id=first, queue_id="support", channel="chat",
                           queued_at=q2, disposition="transferred", notes=None, talk_s=73.0, hold_s=0.0,
                           acw_s=10.0),
        ev.ContactEnded(at=q2 + 205, contact_id=cid, agent_id=second, queue_id="billing", reason="agent",
                        wrap_up_until=q2 + 235),
        ev.WrapUpCompleted(at=q2 + 215, contact_id=cid, agent_id=second, queue_id="billing", channel="chat",
                           queued_at=q2 + 100, disposition=None, notes="paid", talk_s=100.0, hold_s=0.0,
                           acw_s=10.0),
        ev.ContactClosed(at=q2 + 215, contact_id=cid, outcome="completed"),
    ]


def agent_shift(agent: str, *, t0: float = T0) -> list[ev.Event]:
    """Login, available, reserved, busy, wrap-up, available, break, logout."""
    return [
        ev.AgentLoggedIn(at=t0, agent_id=agent),
        ev.AgentStateChanged(at=t0, agent_id=agent, state="available", reason=None),
        ev.AgentStateChanged(at=t0 + 100, agent_id=agent, state="reserved", reason=None),
        ev.AgentStateChanged(at=t0 + 105, agent_id=agent, state="busy", reason=None),
        ev.AgentStateChanged(at=t0 + 300, agent_id=agent, state="wrap_up", reason=None),
        ev.AgentStateChanged(at=t0 + 330, agent_id=agent, state="available", reason=None),
        ev.AgentStatusChanged(at=t0 + 400, agent_id=agent, status="aux", reason="break"),
        ev.AgentStateChanged(at=t0 + 400, agent_id=agent, state="aux", reason="break"),
        ev.AgentLoggedOut(at=t0 + 1000, agent_id=agent),
        ev.AgentStateChanged(at=t0 + 1000, agent_id=agent, state="offline", reason=None),
    ]


def timed_out(cid: str, *, queue: str = "support", t0: float = T0) -> list[ev.Event]:
    return [
        ev.ContactCreated(at=t0, contact_id=cid, channel="email", direction="inbound", customer_id=None,
                          priority=1),
        ev.ContactQueued(at=t0, contact_id=cid, queue_id=queue, channel="email", step_index=0, priority=1),
        ev.ContactTimedOut(at=t0 + 3600, contact_id=cid, queue_id=queue, channel="email", queued_at=t0,
                           wait_s=3600.0),
        ev.ContactClosed(at=t0 + 3600, contact_id=cid, outcome="timed_out"),
    ]

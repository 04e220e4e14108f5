"""Agent and supervisor use cases: presence, offers, conversation controls, wrap-up, transfers."""

from __future__ import annotations

from typing import Any

from blendcc.app.acd.runtime import Runtime
from blendcc.domain.errors import NotFound
from blendcc.domain.events import Event
from blendcc.domain.lifecycle.assignment import AssignmentStage
from blendcc.ports import CustomerRepository
from blendcc.routing.commands import (
    AcceptOffer,
    CompleteWrapUp,
    DeclineOffer,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    ResumeContact,
    SetStatus,
    TransferContact,
)
from blendcc.routing.engine import Engine


def _types(events: list[Event]) -> list[str]:
    return [e.type for e in events]


class AgentService:
    def __init__(self, runtime: Runtime, customers: CustomerRepository):
        self.runtime = runtime
        self.customers = customers

    # presence
    def login(self, agent_id: str, status: str = "available", reason: str | None = None) -> dict[str, Any]:
        self.runtime.execute(LogIn(agent_id, status, reason))
        return self.view(agent_id)

    def logout(self, agent_id: str, force: bool = False) -> dict[str, Any]:
        self.runtime.execute(LogOut(agent_id, force))
        return self.view(agent_id)

    def set_status(self, agent_id: str, status: str, reason: str | None, by: str | None = None) -> dict[str, Any]:
        self.runtime.execute(SetStatus(agent_id, status, reason, by))
        return self.view(agent_id)

    # contact controls (the engine checks that the contact belongs to this agent)
    def accept(self, agent_id: str, contact_id: str) -> list[str]:
        return _types(self.runtime.execute(AcceptOffer(contact_id, agent_id)))

    def decline(self, agent_id: str, contact_id: str) -> list[str]:
        return _types(self.runtime.execute(DeclineOffer(contact_id, agent_id)))

    def hold(self, agent_id: str, contact_id: str) -> list[str]:
        return _types(self.runtime.execute(HoldContact(contact_id, agent_id)))

    def resume(self, agent_id: str, contact_id: str) -> list[str]:
        return _types(self.runtime.execute(ResumeContact(contact_id, agent_id)))

    def end(self, agent_id: str, contact_id: str) -> list[str]:
        return _types(self.runtime.execute(EndContact(contact_id, agent_id)))

    def wrap_up(self, agent_id: str, contact_id: str, disposition: str | None, notes: str | None) -> list[str]:
        return _types(self.runtime.execute(CompleteWrapUp(contact_id, agent_id, disposition, notes)))

    def transfer(self, agent_id: str, contact_id: str, queue_id: str | None, to_agent: str | None) -> list[str]:
        return _types(self.runtime.execute(TransferContact(contact_id, agent_id, queue_id, to_agent)))

    # views
    def view(self, agent_id: str) -> dict[str, Any]:
        return self.runtime.query(lambda e, now: agent_view(e, agent_id, now))

    def owns(self, agent_id: str, contact_id: str) -> bool:
        return self.runtime.query(lambda e, now: contact_id in e.agents.get(agent_id, _NoAgent).work)


class _NoAgentType:
    work: dict[str, Any] = {}


_NoAgent = _NoAgentType()


def agent_view(engine: Engine, agent_id: str, now: float) -> dict[str, Any]:
    """An agent's desktop state: presence, observable state and every contact it holds."""
    agent = engine.agents.get(agent_id)
    if agent is None or agent_id not in engine.catalog.agents:
        raise NotFound(f"agent {agent_id} is not configured")
    work = []
    for cid, asg in agent.work.items():
        c = engine.contacts.get(cid)
        work.append({
            "contact_id": cid, "stage": asg.stage.value, "queue_id": asg.queue_id, "channel": asg.channel.value,
            "offer_expires": c.offer_expires if c is not None and asg.stage is AssignmentStage.RESERVED else None,
            "wrap_until": asg.wrap_until, "customer_id": c.customer_id if c else None,
            "attributes": dict(c.attributes) if c else {}, "priority": c.priority if c else None,
            "state": c.state.value if c else "closed",
        })
    return {
        "id": agent.id, "name": agent.config.name or agent.id, "logged_in": agent.logged_in,
        "presence": agent.presence.value, "state": agent.state.value, "reason": agent.state_reason,
        "since": agent.state_since, "skills": dict(agent.skills), "queues": list(agent.queues),
        "capacity": {ch.value: n for ch, n in agent.capacity.limits.items()},
        "load": {ch.value: n for ch, n in agent.load.items()}, "work": work, "at": now,
    }

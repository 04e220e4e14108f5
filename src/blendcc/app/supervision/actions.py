"""Supervisor actions from the agent grid beyond forcing a state: message an agent (a frame on the agent's
/ws/agent socket through the bus) and move a contact to another queue or agent."""

from __future__ import annotations

from typing import Any

from blendcc.app.acd.agents import AgentService
from blendcc.app.acd.contacts import ContactService
from blendcc.app.acd.runtime import Runtime
from blendcc.app.container import Container
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.lifecycle.contact import WAITING
from blendcc.ports import Clock, EventBus
from blendcc.routing.engine import Engine

MAX_MESSAGE = 1000
#: the bus message type the agent's desktop shows as a banner
MESSAGE_TYPE = "SupervisorMessage"


class SupervisorActions:
    def __init__(self, runtime: Runtime, contacts: ContactService, agents: AgentService, bus: EventBus,
                 clock: Clock) -> None:
        self.runtime = runtime
        self.contacts = contacts
        self.agents = agents
        self.bus = bus
        self.clock = clock

    def message(self, agent_id: str, text: str, by: str) -> dict[str, Any]:
        """Send ``text`` to the agent's desktop (every open /ws/agent socket of the agent). Not stored:
        an agent whose desktop is closed does not get it (``delivered`` False says so)."""
        text = text.strip()
        if not text:
            raise ValidationFailed("the message is empty")
        if len(text) > MAX_MESSAGE:
            raise ValidationFailed(f"a message has at most {MAX_MESSAGE} characters")
        logged_in = self.runtime.query(lambda e, _now: _logged_in(e, agent_id))
        now = self.clock.now()
        message = {"type": MESSAGE_TYPE, "agent_id": agent_id, "text": text, "from": by, "at": now}
        self.bus.publish("agent", message)
        return {"agent_id": agent_id, "text": text, "from": by, "at": now, "logged_in": logged_in}

    def move(self, contact_id: str, queue_id: str | None, agent_id: str | None) -> dict[str, Any]:
        """To a queue: a waiting (queued or ringing) contact moves there, keeping its time in line. To an
        agent: a contact in conversation is transferred there on behalf of the agent who holds it."""
        if (queue_id is None) == (agent_id is None):
            raise ValidationFailed("move to exactly one of: a queue (queue_id), an agent (agent_id)")
        if queue_id is not None:
            return self.contacts.move(contact_id, queue_id)
        state, holder = self.runtime.query(lambda e, _now: _where(e, contact_id))
        if holder is None:
            raise InvalidState(f"contact {contact_id} is {state.value}: only a contact in conversation moves to "
                               "an agent (move a waiting one to a queue)")
        self.agents.transfer(holder, contact_id, None, agent_id)
        return {"contact_id": contact_id, "state": "transferred", "queue_id": None, "offered_to": agent_id}


def _logged_in(engine: Engine, agent_id: str) -> bool:
    agent = engine.agents.get(agent_id)
    if agent is None or agent_id not in engine.catalog.agents:
        raise NotFound(f"agent {agent_id} is not configured")
    return agent.logged_in


def _where(engine: Engine, contact_id: str) -> tuple[Any, str | None]:
    """The live contact's state and the agent in conversation with it (None if nobody is)."""
    c = engine.contacts.get(contact_id)
    if c is None:
        raise NotFound(f"contact {contact_id} is not active")
    holder = c.agent_id if c.agent_id is not None and c.state not in WAITING else None
    return c.state, holder


def actions_of(c: Container) -> SupervisorActions:
    return SupervisorActions(c.runtime, c.contacts, c.agents, c.bus, c.clock)

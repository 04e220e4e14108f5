"""Live contacts for the supervisor's monitor (queue, agent, channel, state, duration) and joining a conversation."""

from __future__ import annotations

from typing import Any

from blendcc.app.acd.runtime import Runtime
from blendcc.domain.conversation import MessageDirection, SendMessage, supervisor_author
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.lifecycle.contact import ContactState as S
from blendcc.routing.engine import Engine

#: states shown on the monitor: waiting (queued, offered) and with an agent (connected, held, wrap-up)
LIVE = (S.QUEUED, S.OFFERED, S.CONNECTED, S.HELD, S.WRAP_UP)


def live_contacts(engine: Engine, now: float) -> list[dict[str, Any]]:
    """Every live contact, oldest first, with where it waits or who holds it."""
    out: list[dict[str, Any]] = []
    for c in engine.contacts.values():
        if c.state not in LIVE:
            continue
        agent = engine.agents.get(c.agent_id) if c.agent_id else None
        out.append({"contact_id": c.id, "channel": c.channel.value, "direction": c.direction,
                    "state": c.state.value, "queue_id": c.queue.id or None,
                    "queue_name": (c.queue.name or c.queue.id) or None, "agent_id": c.agent_id,
                    "agent_name": (agent.config.name or agent.id) if agent is not None else None,
                    "caller_id": c.attributes.get("caller_id"), "created_at": c.created_at,
                    "customer": _customer(c.attributes),
                    "duration_s": max(0.0, now - c.created_at),
                    "waiting_s": max(0.0, now - c.queued_at) if c.state in (S.QUEUED, S.OFFERED) else None})
    return sorted(out, key=lambda r: (r["created_at"], r["contact_id"]))


def _customer(attributes: Any) -> str | None:
    """What names the customer on the monitor: the name or address they gave (web chat), else the caller id."""
    for key in ("name", "email", "caller_id"):
        value = attributes.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class LiveMonitor:
    """The monitor page's reads and the supervisor's message into a conversation."""

    def __init__(self, runtime: Runtime, conversations: Any) -> None:
        self.runtime = runtime
        self.conversations = conversations  # app.channels.messaging.conversations.ConversationService

    def contacts(self) -> list[dict[str, Any]]:
        return self.runtime.query(live_contacts)

    def join(self, contact_id: str, supervisor: str, body: str) -> dict[str, Any]:
        """The supervisor writes to the customer in a live digital conversation (delivered by its channel)."""
        def check(engine: Engine, _now: float) -> str:
            c = engine.contacts.get(contact_id)
            if c is None or c.state not in LIVE:
                raise NotFound(f"no live contact {contact_id}")
            return str(c.channel.value)

        if self.runtime.query(check) == "voice":
            raise InvalidState("a voice call is joined with barge, not a message")
        if self.conversations is None:
            raise InvalidState("conversations are not wired in this server")
        command = SendMessage(contact_id, supervisor_author(supervisor), body,
                              MessageDirection.OUTBOUND)
        out: dict[str, Any] = self.conversations.write(command)
        return out

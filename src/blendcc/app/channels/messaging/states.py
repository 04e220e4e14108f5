"""Conversation-state use cases: set a digital conversation open/pending/snoozed/resolved, list an agent's."""

from __future__ import annotations

from typing import Any

from blendcc.app.acd.runtime import Runtime
from blendcc.domain.channels import Channel
from blendcc.domain.conversation_events import ConversationStateChanged
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.lifecycle.contact import ContactState
from blendcc.ports import ReportReader
from blendcc.routing.commands import SetConversationState
from blendcc.routing.engine import Engine


class ConversationStates:
    def __init__(self, runtime: Runtime, reader: ReportReader) -> None:
        self.runtime = runtime
        self.reader = reader

    def set_state(self, contact_id: str, state: str, *, agent_id: str | None, by: str | None,
                  until: float | None = None, reason: str | None = None, disposition: str | None = None,
                  notes: str | None = None) -> dict[str, Any]:
        """Run the state change as the single writer; 404 for an unknown contact, 409 for a closed one or a
        step the lifecycle refuses."""
        row = self.reader.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        if row.get("state") == "closed":
            raise InvalidState(f"conversation {contact_id} is closed (resolved); a customer's reply reopens it")
        events = self.runtime.execute(SetConversationState(contact_id, state, agent_id=agent_id, by=by, until=until,
                                                           reason=reason, disposition=disposition, notes=notes))
        change = next(e for e in events if isinstance(e, ConversationStateChanged))
        return {"contact_id": contact_id, "state": change.state, "previous": change.previous,
                "owner": change.agent_id, "until": change.until, "events": [type(e).__name__ for e in events]}

    def of_agent(self, agent_id: str) -> list[dict[str, Any]]:
        """The agent's digital conversations: those it holds (open) and those it owns while they wait for the
        customer (pending) or a time (snoozed), oldest first."""
        def read(engine: Engine, _now: float) -> list[dict[str, Any]]:
            agent = engine.agents.get(agent_id)
            held = set(agent.work) if agent is not None else set()
            out = []
            for c in engine.contacts.values():
                if c.channel is Channel.VOICE:
                    continue
                parked = c.state is ContactState.PARKED
                if (c.id in held and not parked) or (parked and c.owner == agent_id):
                    out.append({"contact_id": c.id, "channel": c.channel.value, "state": c.conversation,
                                "contact_state": c.state.value, "owner": c.owner if parked else agent_id,
                                "until": c.snooze_until, "customer_id": c.customer_id, "queue_id": c.queue.id,
                                "created_at": c.created_at})
            return sorted(out, key=lambda r: r["created_at"])

        return self.runtime.query(read)

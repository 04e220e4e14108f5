"""Contact use cases: accept an inbound contact from a channel, resolve its customer, route it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.acd.limits import FreeForm, IvrChoices
from blendcc.app.acd.runtime import Runtime
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import message_id_for
from blendcc.domain.conversation_events import MessageReceived
from blendcc.domain.customer import IdentityKind, NewCustomer, normalise_identity
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.events import ContactOffered, ContactQueued, ContactRejected, Event
from blendcc.ports import CustomerRepository, EventStore, ReportReader
from blendcc.routing.commands import AppendEvents, Batch, Command, CreateContact, DisconnectCustomer, MoveContact

IDENTITY_FOR_CHANNEL = {
    Channel.VOICE: IdentityKind.PHONE,
    Channel.SMS: IdentityKind.PHONE,
    Channel.EMAIL: IdentityKind.EMAIL,
    Channel.CHAT: IdentityKind.CHAT,
    Channel.SOCIAL: IdentityKind.SOCIAL,
}


class NewContact(BaseModel):
    """An inbound contact as a channel hands it over."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    contact_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$",
                                   description="client-chosen id: makes retries idempotent")
    caller_id: str | None = Field(default=None, max_length=256, description="phone number, email address, "
                                  "chat id or social handle of the customer")
    dialled_number: str | None = Field(default=None, max_length=256)
    language: str | None = Field(default=None, max_length=16)
    subject: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=10000)
    ivr: IvrChoices = Field(default_factory=dict)
    attributes: FreeForm = Field(default_factory=dict, description="JSON values; limits in docs/security.md")
    priority: int = Field(default=0, ge=0, le=100, strict=True)
    workflow_id: str | None = None
    customer_name: str | None = Field(default=None, max_length=200)


class ContactService:
    region: str | None = None  # national phone numbers' region (Settings.phone_region, set by bootstrap)

    def __init__(self, runtime: Runtime, customers: CustomerRepository, store: EventStore,
                 reader: ReportReader, new_id: Callable[[], str] | None = None):
        self.runtime = runtime
        self.customers = customers
        self.store = store
        self.reader = reader
        self.new_id = new_id or (lambda: uuid.uuid4().hex[:20])
        #: the writer stores a first contact's new customer in the contact's own transaction when the store
        #: can (ADR 0060); else the customer is created first, in a transaction of its own
        self.batched_customers = callable(getattr(store, "append_with_customers", None))
        #: (kind, value) -> the id of a customer being created with a contact not yet committed: a second
        #: first contact from the same address meanwhile gets the same customer (its insert is idempotent)
        self._creating: dict[tuple[str, str], str] = {}
        self._creating_lock = threading.Lock()

    def resolve_customer(self, channel: Channel, address: str | None, name: str | None) -> dict[str, Any] | None:
        if not address:
            return None
        kind = IDENTITY_FOR_CHANNEL[channel]
        value = normalise_identity(kind, address, self.region)
        found = self.customers.find_by_identity(kind.value, value)
        if found is not None:
            return dict(found)
        customer_id = "cu-" + self.new_id()
        try:
            created = self.customers.create(customer_id, [(kind.value, value)], "standard", name or "", {},
                                            self.runtime.clock.now())
        except InvalidState:  # a concurrent first contact from this address created the customer meanwhile
            found = self.customers.find_by_identity(kind.value, value)
            if found is None:
                raise
            return dict(found)
        return dict(created)

    def _first_seen(self, channel: Channel, address: str | None,
                    name: str | None) -> tuple[dict[str, Any] | None, NewCustomer | None]:
        """The contact's customer, found by its address; an unknown address with a store that can batch
        customers gives a new customer to be stored with the contact's events (not stored yet)."""
        if not self.batched_customers or not address:
            return self.resolve_customer(channel, address, name), None
        kind = IDENTITY_FOR_CHANNEL[channel]
        value = normalise_identity(kind, address, self.region)
        found = self.customers.find_by_identity(kind.value, value)
        if found is not None:
            return dict(found), None
        with self._creating_lock:
            customer_id = self._creating.setdefault((kind.value, value), "cu-" + self.new_id())
        new = NewCustomer(customer_id, ((kind.value, value),), "standard", name or "", self.runtime.clock.now())
        return {"id": customer_id, "tier": "standard", "last_agent_id": None}, new

    def _created(self, new: NewCustomer) -> None:
        with self._creating_lock:
            for key in new.identities:
                if self._creating.get(key) == new.customer_id:
                    del self._creating[key]

    def create(self, req: NewContact) -> dict[str, Any]:
        contact_id = req.contact_id or self.new_id()
        customer, new = self._first_seen(req.channel, req.caller_id, req.customer_name)
        attributes: dict[str, Any] = dict(req.attributes)
        for key in ("caller_id", "dialled_number", "language", "subject", "text"):
            value = getattr(req, key)
            if value is not None:
                attributes[key] = value
        if req.ivr:
            attributes["ivr"] = dict(req.ivr)
        customer_id = customer["id"] if customer else None
        tier = customer.get("tier") if customer else None
        last_agent = customer.get("last_agent_id") if customer else None
        if tier:
            attributes.setdefault("tier", tier)
        create = CreateContact(
            contact_id, req.channel.value, attributes=attributes, priority=req.priority, customer_id=customer_id,
            tier=tier, last_agent_id=last_agent, workflow_id=req.workflow_id, once=req.contact_id is not None)
        command: Command = create
        if req.text and req.channel is not Channel.VOICE:
            # the first message opens the thread (the ``text`` attribute stays: workflows route on it)
            first = MessageReceived(contact_id=contact_id, message_id=message_id_for(contact_id, "0"),
                                    channel=req.channel.value, channel_instance="default", body=req.text,
                                    address=req.caller_id, at=0.0)
            command = Batch((create, AppendEvents((first,), stamp=True)))
        try:
            events = self.runtime.execute(command, customers=(new,)) if new else self.runtime.execute(command)
        finally:
            if new is not None:
                self._created(new)
        return {"contact_id": contact_id, "customer_id": customer_id, **_outcome(events)}

    def customer_left(self, contact_id: str) -> dict[str, Any]:
        events = self.runtime.execute(DisconnectCustomer(contact_id))
        return {"contact_id": contact_id, "events": [e.type for e in events]}

    def move(self, contact_id: str, queue_id: str) -> dict[str, Any]:
        events = self.runtime.execute(MoveContact(contact_id, queue_id))
        return {"contact_id": contact_id, **_outcome(events)}

    def get(self, contact_id: str) -> dict[str, Any]:
        row = self.reader.interaction(contact_id)
        if row is None:
            raise NotFound(f"contact {contact_id} does not exist")
        return row

    def timeline(self, contact_id: str) -> list[dict[str, Any]]:
        self.get(contact_id)
        stored = self.store.contact_events(contact_id)
        return [{"seq": s.seq, "type": s.event.type, **s.event.to_dict()} for s in stored]


def _outcome(events: list[Event]) -> dict[str, Any]:
    """Where the contact ended up after a command: its queue, the agent offered, or why rejected."""
    out: dict[str, Any] = {"state": "created", "queue_id": None, "offered_to": None}
    for e in events:
        if isinstance(e, ContactQueued):
            out.update(state="queued", queue_id=e.queue_id)
        elif isinstance(e, ContactOffered):
            out.update(state="offered", offered_to=e.agent_id)
        elif isinstance(e, ContactRejected):
            out.update(state="rejected", reason=e.reason)
    return out

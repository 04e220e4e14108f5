"""A small centre for the channel tests: a Runtime on the memory store, customers, the channel registry,
manual timers on a FakeClock, and the conversation service."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.channels.registry import ChannelRegistry
from blendcc.adapters.storage.memory.store import MemoryCustomerRepository
from blendcc.app.acd.contacts import ContactService, NewContact
from blendcc.app.acd.runtime import Runtime
from blendcc.app.channels.messaging.conversations import ConversationService
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import RetryPolicy, Thread
from blendcc.domain.events import Event
from blendcc.domain.queue import QueueConfig
from blendcc.ports import ChannelAdapter
from blendcc.routing.catalog import build_catalog
from blendcc.routing.workflow import Target, Workflow
from blendcc.testing import FakeClock, MemoryStore, RecordingBus
from blendcc.testing.fake_channel import ManualTimers

T0 = 1_705_309_200.0  # Monday 15 January 2024, 09:00 UTC
POLICY = RetryPolicy(attempts=4, base_s=2.0, factor=2.0, max_s=60.0)


class Centre:
    """One queue ``main`` for every channel, agent ``a1`` taking voice or up to three chats/messages."""

    def __init__(self, *adapters: ChannelAdapter) -> None:
        self.clock = FakeClock(T0)
        limits = {Channel.VOICE: 1, Channel.CHAT: 3, Channel.SMS: 3, Channel.EMAIL: 3, Channel.SOCIAL: 3}
        catalog = build_catalog([QueueConfig(id="main", wrap_up_s=None)], [],
                                [AgentConfig(id="a1", queues=["main"], capacity=Capacity(limits=limits))],
                                [Workflow(id="main", default=[Target(queue="main")])], None)
        self.customers = MemoryCustomerRepository()
        self.store = MemoryStore(customers=self.customers)
        self.bus = RecordingBus()
        self.runtime = Runtime(catalog, self.store, self.bus, self.clock, LiveStats(lambda q, c: (20.0, 5.0)))
        self.contacts = ContactService(self.runtime, self.customers, self.store, self.store)
        self.registry = ChannelRegistry()
        for adapter in adapters:
            self.registry.register(adapter)
        self.timers = ManualTimers(self.clock)
        self.service = self.new_service()

    def new_service(self) -> ConversationService:
        """A conversation service on the same store (as after a restart: nothing remembered in memory)."""
        return ConversationService(self.runtime, self.contacts, self.store, self.store, self.registry, self.timers,
                                   POLICY)

    def events(self) -> list[Event]:
        return [s.event for s in self.store.read()]

    def thread(self, contact_id: str) -> Thread:
        return self.service.thread(contact_id)

    def login(self, agent_id: str = "a1") -> None:
        self.runtime.execute(lambda eng, now: eng.login(agent_id, now))

    def accept(self, contact_id: str, agent_id: str = "a1") -> None:
        self.runtime.execute(lambda eng, now: eng.accept(contact_id, agent_id, now))

    def contact(self, channel: Channel, **kw: Any) -> str:
        out = self.contacts.create(NewContact(channel=channel, **kw))
        return str(out["contact_id"])

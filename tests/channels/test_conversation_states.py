"""Conversation states through the use case on the memory store: the customer's reply brings a pending
conversation back to its owner, a snooze wakes up, a resolved conversation reopens within the window (chat and
email) as a new contact that continues the thread, and after the window it is a new conversation."""

from __future__ import annotations

from blendcc.app.acd.runtime import Runtime
from blendcc.domain.agent import AgentConfig, Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.conversation import Author, AuthorKind, ChannelRef, ReceiveMessage, SendMessage
from blendcc.domain.conversation_events import ConversationReopened, ConversationStateChanged
from blendcc.domain.events import ContactOffered
from blendcc.domain.lifecycle.conversation import DAY_S
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import RoutingSettings, build_catalog
from blendcc.routing.commands import Configure, SetConversationState, Tick
from blendcc.routing.workflow import Target, Workflow
from blendcc.testing.fake_channel import FakeChannel

from .support import Centre

LIMITS = {Channel.VOICE: 1, Channel.CHAT: 3, Channel.EMAIL: 2, Channel.SMS: 3, Channel.SOCIAL: 3}


def two_agents(*adapters: FakeChannel) -> Centre:
    centre = Centre(*adapters)
    agents = [AgentConfig(id=a, queues=["main"], capacity=Capacity(limits=LIMITS)) for a in ("a1", "a2")]
    catalog = build_catalog([QueueConfig(id="main", wrap_up_s=None)], [], agents,
                            [Workflow(id="main", default=[Target(queue="main")])],
                            RoutingSettings(conversation_owner_wait_s=60, reopen_days=7))
    centre.runtime.execute(Configure(catalog))
    centre.login("a1")
    return centre


def offers(centre: Centre, contact_id: str) -> list[str]:
    return [e.agent_id for e in centre.events() if isinstance(e, ContactOffered) and e.contact_id == contact_id]


def test_the_customers_reply_to_a_pending_conversation_goes_back_to_its_owner() -> None:
    chat = FakeChannel()
    centre = two_agents(chat)
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "my order is late", "p1"))
    centre.accept(got.contact_id, "a1")
    centre.runtime.execute(SetConversationState(got.contact_id, "pending", agent_id="a1"))
    centre.login("a2")  # free, but not the owner
    centre.clock.advance(300)
    again = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "here is the number: 42", "p2"))
    assert again.contact_id == got.contact_id and not again.created_contact
    assert offers(centre, got.contact_id) == ["a1", "a1"]
    states = [e.state for e in centre.events() if isinstance(e, ConversationStateChanged)]
    assert states == ["pending", "open"]
    assert [m.body for m in centre.thread(got.contact_id).messages] == ["my order is late", "here is the number: 42"]


def test_a_snoozed_conversation_opens_again_at_its_time() -> None:
    chat = FakeChannel()
    centre = two_agents(chat)
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "call me tomorrow", "p1"))
    centre.accept(got.contact_id, "a1")
    until = centre.clock.now() + 3600
    centre.runtime.execute(SetConversationState(got.contact_id, "snoozed", agent_id="a1", until=until))
    centre.clock.advance(3599)
    centre.runtime.execute(Tick())
    assert offers(centre, got.contact_id) == ["a1"]
    centre.clock.advance(1)
    centre.runtime.execute(Tick())
    woke = [e for e in centre.events() if isinstance(e, ConversationStateChanged)][-1]
    assert (woke.state, woke.by, woke.at) == ("open", "system", until)
    assert offers(centre, got.contact_id) == ["a1", "a1"]


def test_a_chat_resolved_within_the_window_reopens_as_a_new_contact_with_the_whole_thread() -> None:
    chat = FakeChannel()
    centre = two_agents(chat)
    first = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "password reset?", "p1"))
    centre.accept(first.contact_id, "a1")
    centre.runtime.execute(SetConversationState(first.contact_id, "resolved", agent_id="a1"))
    resolved_at = centre.clock.now()
    centre.login("a2")
    centre.clock.advance(2 * DAY_S)
    again = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "it happened again", "p2"))
    assert again.created_contact and again.contact_id != first.contact_id
    reopened = [e for e in centre.events() if isinstance(e, ConversationReopened)]
    assert [(e.contact_id, e.previous_contact_id, e.resolved_at, e.agent_id) for e in reopened] == [
        (again.contact_id, first.contact_id, resolved_at, "a1")]
    assert offers(centre, again.contact_id) == ["a1"]  # the owner first although a2 is free
    chain = centre.service.conversation(again.contact_id)
    assert [t.contact_id for t in chain] == [first.contact_id, again.contact_id]
    assert [m.body for t in chain for m in t.messages] == ["password reset?", "it happened again"]


def test_after_the_window_it_is_a_new_conversation() -> None:
    chat = FakeChannel()
    centre = two_agents(chat)
    first = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello", "p1"))
    centre.accept(first.contact_id, "a1")
    centre.runtime.execute(SetConversationState(first.contact_id, "resolved", agent_id="a1"))
    centre.clock.advance(7 * DAY_S + 1)
    again = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello again", "p2"))
    assert again.created_contact
    assert not [e for e in centre.events() if isinstance(e, ConversationReopened)]
    assert [t.contact_id for t in centre.service.conversation(again.contact_id)] == [again.contact_id]


def test_an_abandoned_chat_is_not_reopened() -> None:
    chat = FakeChannel()
    centre = two_agents(chat)
    first = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello", "p1"))
    centre.runtime.execute(lambda eng, now: eng.customer_left(first.contact_id, now))
    centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hello?", "p2"))
    assert not [e for e in centre.events() if isinstance(e, ConversationReopened)]


def test_an_email_reply_to_a_resolved_thread_emits_conversation_reopened() -> None:
    mailbox = FakeChannel("email", "support@x")
    centre = two_agents(mailbox)
    first = centre.service.receive(ReceiveMessage(mailbox.channel, "jane@example.com", "invoice wrong", "<m1@x>",
                                                  subject="Invoice", thread_ref="<m1@x>"))
    centre.accept(first.contact_id, "a1")
    centre.runtime.execute(SetConversationState(first.contact_id, "resolved", agent_id="a1"))
    centre.clock.advance(3600)
    # what the email channel makes of a reply to that thread (adapters/channels/email: reopens + preferred agent)
    reply = ReceiveMessage(mailbox.channel, "jane@example.com", "still wrong", "<m2@x>", subject="Re: Invoice",
                           thread_ref="<m1@x>", attributes={"reopens": first.contact_id,
                                                            "preferred_agent_id": "a1"})
    again = centre.service.receive(reply)
    reopened = [e for e in centre.events() if isinstance(e, ConversationReopened)]
    assert [(e.contact_id, e.previous_contact_id, e.agent_id) for e in reopened] == [
        (again.contact_id, first.contact_id, "a1")]
    # a new thread from the same customer is a new conversation, not a reopen
    centre.service.receive(ReceiveMessage(ChannelRef("email", "support@x"), "jane@example.com", "new topic",
                                          "<m3@x>", subject="Other", thread_ref="<m3@x>"))
    assert len([e for e in centre.events() if isinstance(e, ConversationReopened)]) == 1


def idle_centre(chat: FakeChannel, idle_s: float) -> Centre:
    centre = Centre(chat)
    catalog = build_catalog([QueueConfig(id="main", wrap_up_s=None)], [],
                            [AgentConfig(id="a1", queues=["main"], capacity=Capacity(limits=LIMITS))],
                            [Workflow(id="main", default=[Target(queue="main")])],
                            RoutingSettings(chat_idle_timeout_s=idle_s))
    centre.runtime.execute(Configure(catalog))
    centre.login("a1")
    return centre


def test_a_chat_customer_who_stops_answering_times_out_after_the_idle_time() -> None:
    chat = FakeChannel()
    centre = idle_centre(chat, 300)
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hi", "p1"))
    centre.accept(got.contact_id)
    centre.service.write(SendMessage(got.contact_id, Author(AuthorKind.AGENT, "a1"), "How can I help?"))
    centre.clock.advance(200)
    centre.service.receive(ReceiveMessage(chat.channel, "web-1", "one moment", "p2"))  # answered: no timeout
    centre.clock.advance(200)
    centre.runtime.execute(Tick())
    assert not [e for e in centre.events() if isinstance(e, ConversationStateChanged)]
    centre.service.write(SendMessage(got.contact_id, Author(AuthorKind.AGENT, "a1"), "Are you still there?"))
    sent_at = centre.clock.now()
    centre.clock.advance(301)
    centre.runtime.execute(Tick())
    (change,) = [e for e in centre.events() if isinstance(e, ConversationStateChanged)]
    assert (change.state, change.by, change.reason, change.at) == ("resolved", "system", "customer_idle",
                                                                   sent_at + 300)
    assert centre.store.interaction(got.contact_id)["state"] == "closed"


def test_the_idle_timeout_survives_a_restart() -> None:
    chat = FakeChannel()
    centre = idle_centre(chat, 300)
    got = centre.service.receive(ReceiveMessage(chat.channel, "web-1", "hi", "p1"))
    centre.accept(got.contact_id)
    centre.service.write(SendMessage(got.contact_id, Author(AuthorKind.AGENT, "a1"), "Hello?"))
    centre.clock.advance(1000)
    # a restart: a new writer replays the stored events and lets the overdue idle timer fire
    Runtime(centre.runtime.engine.catalog, centre.store, centre.bus, centre.clock)
    assert [e.reason for e in centre.events() if isinstance(e, ConversationStateChanged)] == ["customer_idle"]

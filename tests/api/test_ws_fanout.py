"""The /ws/agent fan-out: each event reaches the sockets of its agent and of the contacts they hold, once, and
the bus subscription lives exactly as long as some socket listens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.api.ws_fanout import AgentFanout, Followed, fanout_of


class Inbox:
    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []

    def __call__(self, topic: str, message: Mapping[str, Any]) -> None:
        self.got.append((topic, str(message["type"])))


def test_events_reach_their_agent_and_the_holders_of_their_contact_once() -> None:
    bus = MemoryBus()
    fan = AgentFanout(bus.subscribe)
    ann, bob, ann2 = Inbox(), Inbox(), Inbox()
    bob_holds = {"c2"}
    fan.listen("a1", set(), ann)
    fan.listen("a2", bob_holds, bob)
    fan.listen("a1", {"c2"}, ann2)  # a second tab of ann's, following c2
    bus.publish("agent", {"type": "AgentStateChanged", "agent_id": "a1"})
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c2"})  # no agent id: by contact
    bus.publish("contact", {"type": "ContactAccepted", "contact_id": "c2", "agent_id": "a2"})
    bus.publish("contact", {"type": "ContactTransferred", "contact_id": "c9", "from_agent_id": "a2"})
    bus.publish("contact", {"type": "ContactCreated", "contact_id": "c7"})  # nobody's
    assert ann.got == [("agent", "AgentStateChanged")]
    assert bob.got == [("contact", "MessageReceived"), ("contact", "ContactAccepted"),
                       ("contact", "ContactTransferred")]
    assert ann2.got == [("agent", "AgentStateChanged"), ("contact", "MessageReceived"),
                        ("contact", "ContactAccepted")]
    bob_holds.discard("c2")  # the socket's own set is read live
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c2"})
    assert bob.got[-1] == ("contact", "ContactTransferred")
    assert ann2.got[-1] == ("contact", "MessageReceived")


def test_one_bus_subscription_per_topic_while_anyone_listens() -> None:
    bus = MemoryBus()
    fan = AgentFanout(bus.subscribe)
    assert bus.subscriber_count("contact") == bus.subscriber_count("agent") == 0
    stops = [fan.listen(f"a{n}", set(), Inbox()) for n in range(50)]
    assert bus.subscriber_count("contact") == bus.subscriber_count("agent") == 1
    for stop in stops[:-1]:
        stop()
    assert bus.subscriber_count("agent") == 1
    stops[-1]()
    stops[-1]()  # stopping twice is harmless
    assert bus.subscriber_count("contact") == bus.subscriber_count("agent") == 0
    again = Inbox()
    fan.listen("a1", set(), again)
    bus.publish("agent", {"type": "AgentStateChanged", "agent_id": "a1"})
    assert again.got == [("agent", "AgentStateChanged")]


def test_a_failing_socket_handler_does_not_stop_the_others() -> None:
    bus = MemoryBus()
    fan = AgentFanout(bus.subscribe)

    def broken(topic: str, message: Mapping[str, Any]) -> None:
        raise RuntimeError("socket gone")

    fine = Inbox()
    fan.listen("a1", set(), broken)
    fan.listen("a1", set(), fine)
    bus.publish("agent", {"type": "AgentStateChanged", "agent_id": "a1"})
    assert fine.got == [("agent", "AgentStateChanged")]


def test_the_app_keeps_one_fanout() -> None:
    class State:
        pass

    state, bus = State(), MemoryBus()
    first = fanout_of(state, bus.subscribe)
    assert fanout_of(state, bus.subscribe) is first


def test_a_followed_set_is_indexed_as_it_changes() -> None:
    """The socket's ``Followed`` set: adds and removals after ``listen`` route the contact's events, a stopped
    listener's contacts leave the index, and the other listeners are untouched."""
    bus = MemoryBus()
    fan = AgentFanout(bus.subscribe)
    ann, bob, cat = Inbox(), Inbox(), Inbox()
    ann_holds = Followed({"c1"})
    stop_ann = fan.listen("a1", ann_holds, ann)
    bob_holds = Followed()
    fan.listen("a2", bob_holds, bob)
    fan.listen("a3", {"c1"}, cat)  # a plain set beside them: still read live
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c1"})
    bob_holds.update(["c1", "c2"])
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c1"})
    bus.publish("contact", {"type": "MessageSent", "contact_id": "c2"})
    ann_holds.discard("c1")
    ann_holds.discard("c1")  # twice is harmless
    bus.publish("contact", {"type": "ContactEnded", "contact_id": "c1"})
    assert ann.got == [("contact", "MessageReceived"), ("contact", "MessageReceived")]
    assert bob.got == [("contact", "MessageReceived"), ("contact", "MessageSent"), ("contact", "ContactEnded")]
    assert cat.got == [("contact", "MessageReceived"), ("contact", "MessageReceived"), ("contact", "ContactEnded")]
    ann_holds.add("c3")
    stop_ann()
    ann_holds.add("c4")  # after stop: no longer indexed, nothing delivered
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c3"})
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c4"})
    assert ann.got[-1] == ("contact", "MessageReceived") and len(ann.got) == 2
    assert fan._by_contact.keys() == {"c1", "c2"}  # bob's two; ann's left with her


def test_a_handler_following_its_offer_gets_the_contact_s_later_events_once() -> None:
    """What /ws/agent does: on its agent's offer the handler adds the contact; the next events of that contact
    (with or without the agent id) arrive once each."""
    bus = MemoryBus()
    fan = AgentFanout(bus.subscribe)
    held = Followed()
    got: list[str] = []

    def handler(topic: str, message: Mapping[str, Any]) -> None:
        got.append(str(message["type"]))
        if message["type"] == "ContactOffered":
            held.add(str(message["contact_id"]))
        if message["type"] == "WrapUpCompleted":
            held.discard(str(message["contact_id"]))

    fan.listen("a1", held, handler)
    for t in ("ContactOffered", "ContactAccepted", "WrapUpCompleted"):
        bus.publish("contact", {"type": t, "contact_id": "c1", "agent_id": "a1"})
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c1"})  # after the wrap-up: not followed
    bus.publish("contact", {"type": "ContactOffered", "contact_id": "c2", "agent_id": "a1"})
    bus.publish("contact", {"type": "MessageReceived", "contact_id": "c2"})
    assert got == ["ContactOffered", "ContactAccepted", "WrapUpCompleted", "ContactOffered", "MessageReceived"]
    assert set(fan._by_contact) == {"c2"}

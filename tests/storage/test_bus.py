"""EventBus contract, one suite for every bus: the in-process MemoryBus (and the RecordingBus fake built on it)
and the RedisBus on Redis Streams (a real Redis at 127.0.0.1:6379; skipped only outside CI when absent).
Delivery on Redis is asynchronous: the tests wait for what must arrive, and check what must not arrive
against a later marker message on the same topic (a topic's messages are delivered in order)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from bus_support import eventually, redis_bus

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.testing import RecordingBus

Received = list[tuple[str, Mapping[str, Any]]]


@pytest.fixture(params=["memory", "recording", "redis"])
def bus(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "redis":
        with redis_bus() as b:
            yield b
    else:
        yield MemoryBus() if request.param == "memory" else RecordingBus()


def collector() -> tuple[Received, Any]:
    got: Received = []
    return got, lambda topic, message: got.append((topic, message))


def marked(bus: Any, topic: str, *handlers: Received) -> None:
    """Publish a marker on ``topic`` and wait until every given collector got it: all earlier messages of
    the topic were delivered by then."""
    bus.publish(topic, {"marker": True})
    for got in handlers:
        eventually(lambda got=got: any(m.get("marker") for _, m in got))  # type: ignore[misc]
        got[:] = [(t, m) for t, m in got if not m.get("marker")]


def test_topics_are_isolated(bus: Any) -> None:
    contacts, on_contact = collector()
    agents, on_agent = collector()
    bus.subscribe("contact", on_contact)
    bus.subscribe("agent", on_agent)
    bus.publish("contact", {"n": 1})
    bus.publish("agent", {"n": 2})
    bus.publish("stats", {"n": 3})  # nobody listens: dropped
    bus.publish("contact", {"n": 4})
    marked(bus, "contact", contacts)
    marked(bus, "agent", agents)
    assert contacts == [("contact", {"n": 1}), ("contact", {"n": 4})]
    assert agents == [("agent", {"n": 2})]


def test_every_subscriber_gets_each_message_in_order(bus: Any) -> None:
    order: list[str] = []
    bus.subscribe("t", lambda _t, m: order.append(f"first:{m['n']}"))
    bus.subscribe("t", lambda _t, m: order.append(f"second:{m['n']}"))
    bus.publish("t", {"n": 1})
    bus.publish("t", {"n": 2})
    eventually(lambda: len(order) == 4)
    assert order == ["first:1", "second:1", "first:2", "second:2"]


def test_unsubscribe_stops_delivery_and_is_idempotent(bus: Any) -> None:
    got, handler = collector()
    other, other_handler = collector()
    unsubscribe = bus.subscribe("t", handler)
    bus.subscribe("t", other_handler)
    bus.publish("t", {"n": 1})
    eventually(lambda: len(got) == 1)
    unsubscribe()
    unsubscribe()
    bus.publish("t", {"n": 2})
    marked(bus, "t", other)
    assert got == [("t", {"n": 1})]
    assert other == [("t", {"n": 1}), ("t", {"n": 2})]
    assert bus.subscriber_count("t") == 1


def test_same_handler_twice_is_two_subscriptions(bus: Any) -> None:
    got, handler = collector()
    first = bus.subscribe("t", handler)
    bus.subscribe("t", handler)
    bus.publish("t", {"n": 1})
    eventually(lambda: len(got) == 2)
    first()
    bus.publish("t", {"n": 2})
    eventually(lambda: len(got) == 3)
    marked(bus, "t", got)
    assert [m["n"] for _, m in got] == [1, 1, 2]


def test_failing_handler_is_logged_and_does_not_break_others(bus: Any, caplog: pytest.LogCaptureFixture) -> None:
    got, handler = collector()

    def broken(_topic: str, _message: Mapping[str, Any]) -> None:
        raise RuntimeError("boom")

    bus.subscribe("t", broken)
    bus.subscribe("t", handler)
    with caplog.at_level(logging.ERROR, logger=type(bus).__module__):
        bus.publish("t", {"n": 1})
        eventually(lambda: got == [("t", {"n": 1})])
        eventually(lambda: any("boom" in (r.exc_text or "") or "boom" in str(r.exc_info) for r in caplog.records))


def test_handler_may_unsubscribe_itself_while_handling(bus: Any) -> None:
    got: list[int] = []
    holder: dict[str, Any] = {}
    witness, on_witness = collector()

    def once(_topic: str, message: Mapping[str, Any]) -> None:
        got.append(message["n"])
        holder["unsubscribe"]()

    holder["unsubscribe"] = bus.subscribe("t", once)
    bus.subscribe("t", on_witness)
    bus.publish("t", {"n": 1})
    bus.publish("t", {"n": 2})
    marked(bus, "t", witness)
    assert got == [1]


def test_concurrent_publish_and_subscribe(bus: Any) -> None:
    counts: dict[int, int] = {}
    lock = threading.Lock()
    publishers, messages = 4, 200

    def count(_topic: str, message: Mapping[str, Any]) -> None:
        with lock:
            counts[message["p"]] = counts.get(message["p"], 0) + 1

    bus.subscribe("t", count)
    start = threading.Barrier(publishers + 1)

    def publish(p: int) -> None:
        start.wait()
        for i in range(messages):
            bus.publish("t", {"p": p, "i": i})

    def churn() -> None:
        start.wait()
        for _ in range(messages):
            bus.subscribe("t", lambda _t, _m: None)()

    threads = [threading.Thread(target=publish, args=(p,)) for p in range(publishers)]
    threads.append(threading.Thread(target=churn))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    eventually(lambda: sum(counts.values()) >= publishers * messages)
    assert counts == dict.fromkeys(range(publishers), messages)
    assert bus.subscriber_count("t") == 1


def test_recording_bus_records_everything() -> None:
    bus = RecordingBus()
    got, handler = collector()
    bus.subscribe("contact", handler)
    bus.publish("contact", {"n": 1})
    bus.publish("agent", {"n": 2})
    assert bus.published == [("contact", {"n": 1}), ("agent", {"n": 2})]
    assert bus.messages("agent") == [{"n": 2}]
    assert got == [("contact", {"n": 1})]  # and it still delivers
    bus.clear()
    assert bus.published == []



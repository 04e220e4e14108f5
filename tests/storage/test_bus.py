"""EventBus contract for the in-process MemoryBus (and the RecordingBus fake built on it)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from blendcc.adapters.bus.memory import MemoryBus
from blendcc.testing import RecordingBus

Received = list[tuple[str, Mapping[str, Any]]]


@pytest.fixture(params=["memory", "recording"])
def bus(request: pytest.FixtureRequest) -> MemoryBus:
    return MemoryBus() if request.param == "memory" else RecordingBus()


def collector() -> tuple[Received, Any]:
    got: Received = []
    return got, lambda topic, message: got.append((topic, message))


def test_topics_are_isolated(bus: MemoryBus) -> None:
    contacts, on_contact = collector()
    agents, on_agent = collector()
    bus.subscribe("contact", on_contact)
    bus.subscribe("agent", on_agent)
    bus.publish("contact", {"n": 1})
    bus.publish("agent", {"n": 2})
    bus.publish("stats", {"n": 3})  # nobody listens: dropped
    bus.publish("contact", {"n": 4})
    assert contacts == [("contact", {"n": 1}), ("contact", {"n": 4})]
    assert agents == [("agent", {"n": 2})]


def test_every_subscriber_gets_each_message_in_order(bus: MemoryBus) -> None:
    order: list[str] = []
    bus.subscribe("t", lambda _t, m: order.append(f"first:{m['n']}"))
    bus.subscribe("t", lambda _t, m: order.append(f"second:{m['n']}"))
    bus.publish("t", {"n": 1})
    bus.publish("t", {"n": 2})
    assert order == ["first:1", "second:1", "first:2", "second:2"]


def test_unsubscribe_stops_delivery_and_is_idempotent(bus: MemoryBus) -> None:
    got, handler = collector()
    other, other_handler = collector()
    unsubscribe = bus.subscribe("t", handler)
    bus.subscribe("t", other_handler)
    bus.publish("t", {"n": 1})
    unsubscribe()
    unsubscribe()
    bus.publish("t", {"n": 2})
    assert got == [("t", {"n": 1})]
    assert other == [("t", {"n": 1}), ("t", {"n": 2})]
    assert bus.subscriber_count("t") == 1


def test_same_handler_twice_is_two_subscriptions(bus: MemoryBus) -> None:
    got, handler = collector()
    first = bus.subscribe("t", handler)
    bus.subscribe("t", handler)
    bus.publish("t", {"n": 1})
    first()
    bus.publish("t", {"n": 2})
    assert [m["n"] for _, m in got] == [1, 1, 2]


def test_failing_handler_is_logged_and_does_not_break_others(bus: MemoryBus,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    got, handler = collector()

    def broken(_topic: str, _message: Mapping[str, Any]) -> None:
        raise RuntimeError("boom")

    bus.subscribe("t", broken)
    bus.subscribe("t", handler)
    with caplog.at_level(logging.ERROR, logger="blendcc.adapters.bus.memory"):
        bus.publish("t", {"n": 1})
    assert got == [("t", {"n": 1})]
    assert any("boom" in (r.exc_text or "") or "boom" in str(r.exc_info) for r in caplog.records)


def test_handler_may_unsubscribe_itself_while_handling(bus: MemoryBus) -> None:
    got: list[int] = []
    holder: dict[str, Any] = {}

    def once(_topic: str, message: Mapping[str, Any]) -> None:
        got.append(message["n"])
        holder["unsubscribe"]()

    holder["unsubscribe"] = bus.subscribe("t", once)
    bus.publish("t", {"n": 1})
    bus.publish("t", {"n": 2})
    assert got == [1]


def test_concurrent_publish_and_subscribe(bus: MemoryBus) -> None:
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

"""What only the Redis bus does: several nodes each get every message, a node that restarts with the same
node id resumes where it stopped (what it had not acknowledged first), and publishing waits on no one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bus_support import eventually, redis_prefix

from blendcc.adapters.bus.redis_streams import RedisBus

Received = list[Mapping[str, Any]]


def _collect(bus: RedisBus, topic: str) -> Received:
    got: Received = []
    bus.subscribe(topic, lambda _t, m: got.append(m))
    return got


def test_every_node_gets_every_message_published_by_any() -> None:
    with redis_prefix() as (client, prefix):
        a, b = RedisBus(client, prefix=prefix, node_id="a"), RedisBus(client, prefix=prefix, node_id="b")
        try:
            on_a, on_b = _collect(a, "contact"), _collect(b, "contact")
            a.publish("contact", {"n": 1, "from": "a"})
            b.publish("contact", {"n": 2, "from": "b"})
            eventually(lambda: len(on_a) == 2 and len(on_b) == 2)
            assert sorted(m["n"] for m in on_a) == sorted(m["n"] for m in on_b) == [1, 2]
        finally:
            a.close()
            b.close()


def test_a_restarted_node_resumes_where_it_stopped() -> None:
    with redis_prefix() as (client, prefix):
        publisher = RedisBus(client, prefix=prefix, node_id="publisher")
        node = RedisBus(client, prefix=prefix, node_id="n1")
        got = _collect(node, "agent")
        publisher.publish("agent", {"n": 1})
        eventually(lambda: [m["n"] for m in got] == [1])
        node.close()  # the node stops; the world goes on
        for n in (2, 3):
            publisher.publish("agent", {"n": n})
        assert publisher.flush()
        again = RedisBus(client, prefix=prefix, node_id="n1")  # restarted under the same node id
        try:
            got_again = _collect(again, "agent")
            eventually(lambda: [m["n"] for m in got_again] == [2, 3])
            publisher.publish("agent", {"n": 4})
            eventually(lambda: [m["n"] for m in got_again] == [2, 3, 4])
        finally:
            again.close()
            publisher.close()


def test_messages_read_but_not_acknowledged_come_again_after_a_crash() -> None:
    with redis_prefix() as (client, prefix):
        probe = RedisBus(client, prefix=prefix, node_id="n1")
        probe.subscribe("t", lambda _t, _m: None)()  # creates n1's group at the stream's end
        probe.close()
        publisher = RedisBus(client, prefix=prefix, node_id="publisher")
        for n in (1, 2):
            publisher.publish("t", {"n": n})
        assert publisher.flush()
        # n1 read both and died before acknowledging them (what a kill -9 between read and XACK leaves)
        read = client.xreadgroup("n1", "n1", {probe.key("t"): ">"}, count=10)
        assert len(read[0][1]) == 2
        node = RedisBus(client, prefix=prefix, node_id="n1")
        try:
            got = _collect(node, "t")
            eventually(lambda: [m["n"] for m in got] == [1, 2])
            eventually(lambda: client.xpending(probe.key("t"), "n1")["pending"] == 0)
        finally:
            node.close()
            publisher.close()


def test_a_node_that_never_subscribed_gets_only_what_comes_after() -> None:
    with redis_prefix() as (client, prefix):
        publisher = RedisBus(client, prefix=prefix, node_id="publisher")
        publisher.publish("t", {"n": 1})
        assert publisher.flush()
        late = RedisBus(client, prefix=prefix, node_id="late")
        try:
            got = _collect(late, "t")
            publisher.publish("t", {"n": 2})
            eventually(lambda: len(got) >= 1)
            publisher.publish("t", {"n": 3})
            eventually(lambda: len(got) >= 2)
            assert [m["n"] for m in got] == [2, 3]
        finally:
            late.close()
            publisher.close()


def test_streams_are_bounded_and_closed_bus_refuses_to_publish() -> None:
    with redis_prefix() as (client, prefix):
        bus = RedisBus(client, prefix=prefix, node_id="n1", maxlen=10)
        for n in range(500):
            bus.publish("t", {"n": n})
        assert bus.flush()
        assert client.xlen(bus.key("t")) < 500  # trimmed (approximately) to about maxlen
        bus.close()
        try:
            bus.publish("t", {"n": 1})
        except RuntimeError as exc:
            assert "closed" in str(exc)
        else:
            raise AssertionError("a closed bus accepted a message")

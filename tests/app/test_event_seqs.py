"""Each committed event is published with its own sequence number, the one the log gives it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def test_a_batch_is_published_with_consecutive_seqs_that_the_timeline_shows(centre: Any) -> None:
    bus = centre.container.bus
    seen: list[Mapping[str, Any]] = []
    unsubscribe = bus.subscribe("contact", lambda _topic, message: seen.append(message))
    try:
        cid = centre.new_contact(caller_id="+44 20 7946 0000", language="en")["contact_id"]
    finally:
        unsubscribe()
    mine = [m for m in seen if m.get("contact_id") == cid]
    # nobody is logged in: ContactCreated, ContactRouted, ContactQueued in one command (one append)
    assert [m["type"] for m in mine] == ["ContactCreated", "ContactRouted", "ContactQueued"]
    seqs = [m["seq"] for m in mine]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    timeline = centre.get(f"/api/contacts/{cid}/events")
    assert [(e["seq"], e["type"]) for e in timeline] == [(m["seq"], m["type"]) for m in mine]
    assert centre.container.runtime.last_seq == seqs[-1]


def test_live_stats_follow_the_log_as_a_commit_subscriber(centre: Any) -> None:
    stats = centre.container.stats
    runtime = centre.container.runtime
    centre.new_contact(caller_id="+44 20 7946 0001", language="en")
    assert stats.seq == runtime.last_seq
    before = stats.queues_today()
    # a batch fed again (an at-least-once delivery) is not counted twice
    again = runtime.store.read(after_seq=0)
    stats.committed(again)
    assert stats.queues_today() == before

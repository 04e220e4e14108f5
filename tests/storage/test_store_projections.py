"""Projection contract: interactions rows, agent intervals, queue stats, report readers, on every backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from storage_backend import Backend
from storage_events import T0, abandoned, agent_shift, eventful, handled, timed_out

from blendcc.analytics.agent_stats import StateInterval
from blendcc.analytics.interactions import COLUMNS
from blendcc.analytics.queue_stats import COUNTER_NAMES, fold
from blendcc.domain import events as ev


def append_in_chunks(store: Any, events: Sequence[ev.Event], size: int) -> None:
    for i in range(0, len(events), size):
        store.append(events[i:i + size])


# ---------------------------------------------------------------------- interactions


def test_handled_contact_row(store: Any) -> None:
    store.append(handled("c1", "a1", customer_id="cu1"))
    row = store.interaction("c1")
    q = T0 + 1.0
    assert set(row) == set(COLUMNS)
    assert row == {
        "contact_id": "c1", "channel": "voice", "direction": "inbound", "customer_id": "cu1", "priority": 5,
        "attributes": {"lang": "en", "ivr": ["1", "3"]}, "state": "closed", "outcome": "completed",
        "workflow_id": "wf-main", "filter_name": "default", "created_at": T0, "first_queued_at": q,
        "first_queue_id": "sales", "queue_id": "sales", "offered_at": q + 10.0, "connected_at": q + 12.0,
        "agent_id": "a1", "ended_at": q + 12.0 + 95.5 + 10.25, "closed_at": q + 12.0 + 95.5 + 10.25 + 20.0,
        "wait_s": 12.0, "talk_s": 95.5, "hold_s": 10.25, "acw_s": 20.0, "transfers": 0, "overflows": 0,
        "offers": 1, "disposition": "resolved", "notes": "callback",
    }
    assert store.interaction("unknown") is None


@pytest.mark.parametrize("chunk", [1, 3, 100])
def test_row_is_the_same_however_events_are_batched(backend: Backend, chunk: int) -> None:
    """set / set_if_null / add compose the same in one append as in many (and as the memory fake)."""
    store = backend.store()
    append_in_chunks(store, eventful("c1", "a1", "a2"), chunk)
    row = store.interaction("c1")
    q1, q2 = T0 + 1.0, T0 + 31.0
    expected_subset = {
        "state": "closed", "outcome": "completed", "workflow_id": "wf-chat", "filter_name": "vip",
        "first_queued_at": q1, "first_queue_id": "sales",  # set_if_null: the first queue stays
        "queue_id": "billing",  # set: the last queue
        "offered_at": q2 + 5, "offers": 3,  # first offer time, every offer counted
        "connected_at": q2 + 27, "wait_s": 27.0,  # the first answer
        "agent_id": "a2",  # the last agent
        "ended_at": q2 + 205,  # the transfer leg's end does not set ended_at
        "closed_at": q2 + 215, "overflows": 1, "transfers": 1,
        "talk_s": 173.0, "hold_s": 0.0, "acw_s": 20.0,  # added over both legs
        "disposition": "transferred",  # a later WrapUpCompleted without a disposition keeps it
        "notes": "paid",
    }
    assert {k: row[k] for k in expected_subset} == expected_subset


def test_row_states_follow_the_lifecycle(store: Any) -> None:
    events = handled("c1", "a1")
    expected = ["created", "created", "queued", "offered", "connected", "held", "connected", "wrap_up",
                "wrap_up", "closed"]
    seen = []
    for e in events:
        store.append([e])
        seen.append(store.interaction("c1")["state"])
    assert seen == expected


def test_set_if_null_keeps_first_values_across_appends(store: Any) -> None:
    events = handled("c1", "a1")
    store.append(events[:5])  # connected
    again = ev.ContactConnected(at=T0 + 500, contact_id="c1", agent_id="a7", queue_id="vip", channel="voice",
                                queued_at=T0 + 400, wait_s=99.0)
    requeue = ev.ContactQueued(at=T0 + 400, contact_id="c1", queue_id="vip", channel="voice", step_index=0,
                               priority=9, reason="transfer")
    store.append([requeue, again])
    row = store.interaction("c1")
    assert (row["first_queued_at"], row["first_queue_id"], row["queue_id"]) == (T0 + 1.0, "sales", "vip")
    assert (row["connected_at"], row["wait_s"], row["agent_id"]) == (T0 + 13.0, 12.0, "a7")


def test_abandoned_and_timed_out_rows(store: Any) -> None:
    store.append(abandoned("c1", wait=40.0) + timed_out("c2"))
    a = store.interaction("c1")
    assert (a["state"], a["outcome"], a["wait_s"], a["ended_at"], a["connected_at"]) == (
        "closed", "abandoned", 40.0, T0 + 41.0, None)
    t = store.interaction("c2")
    assert (t["state"], t["outcome"], t["wait_s"], t["ended_at"]) == ("closed", "timed_out", 3600.0, T0 + 3600)


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["contact_id"] for r in rows]


def test_interactions_reader_filters_and_pages(store: Any) -> None:
    store.append(handled("c1", "a1", customer_id="cu1"))
    store.append(handled("c2", "a2", queue="support", t0=T0 + 100))
    store.append(abandoned("c3", t0=T0 + 200, customer_id="cu1"))
    store.append(handled("c4", "a1", t0=T0 + 300)[:5])
    assert ids(store.interactions()) == ["c4", "c3", "c2", "c1"]
    assert ids(store.interactions(start=T0 + 100, end=T0 + 300)) == ["c3", "c2"]
    assert ids(store.interactions(queue_id="support")) == ["c2"]
    assert ids(store.interactions(agent_id="a1")) == ["c4", "c1"]
    assert ids(store.interactions(customer_id="cu1")) == ["c3", "c1"]
    assert ids(store.interactions(state="connected")) == ["c4"]
    assert ids(store.interactions(limit=2)) == ["c4", "c3"]
    assert ids(store.interactions(limit=2, offset=2)) == ["c2", "c1"]
    assert ids(store.interactions(agent_id="nobody")) == []
    assert all(set(r) == set(COLUMNS) for r in store.interactions())


def test_same_created_at_orders_by_creation(store: Any) -> None:
    store.append(abandoned("c1") + abandoned("c2") + abandoned("c0"))
    assert ids(store.interactions()) == ["c0", "c2", "c1"]


def test_connected_contact_updates_its_customer(backend: Backend) -> None:
    customers = backend.customers()
    customers.create("cu1", [("phone", "+442079460000")], "gold", "Ada", {}, at=T0 - 10)
    store = backend.store()
    store.append(handled("c1", "a1", customer_id="cu1")[:4])  # offered only
    assert customers.get("cu1")["last_agent_id"] is None
    store.append(handled("c1", "a1", customer_id="cu1")[4:5])
    got = customers.get("cu1")
    assert (got["last_agent_id"], got["last_contact_at"]) == ("a1", T0 + 13.0)
    store.append(handled("c2", "a2", customer_id="cu1", t0=T0 + 1000) + handled("c3", "a3", t0=T0 + 2000))
    got = customers.get("cu1")
    assert (got["last_agent_id"], got["last_contact_at"]) == ("a2", T0 + 1013.0)


# ---------------------------------------------------------------------- agent intervals


SHIFT = [
    StateInterval("a1", "available", None, T0, T0 + 100),
    StateInterval("a1", "reserved", None, T0 + 100, T0 + 105),
    StateInterval("a1", "busy", None, T0 + 105, T0 + 300),
    StateInterval("a1", "wrap_up", None, T0 + 300, T0 + 330),
    StateInterval("a1", "available", None, T0 + 330, T0 + 400),
    StateInterval("a1", "aux", "break", T0 + 400, T0 + 1000),
]


@pytest.mark.parametrize("chunk", [1, 4, 100])
def test_state_intervals_open_and_close(backend: Backend, chunk: int) -> None:
    store = backend.store()
    shift = agent_shift("a1")
    append_in_chunks(store, shift[:-2], chunk)
    assert store.state_intervals(T0, T0 + 5000) == [*SHIFT[:-1], StateInterval("a1", "aux", "break", T0 + 400, None)]
    assert store.open_state_intervals() == [StateInterval("a1", "aux", "break", T0 + 400, None)]  # the current one
    append_in_chunks(store, shift[-2:], chunk)  # logout + offline closes without opening a new one
    assert store.state_intervals(T0, T0 + 5000) == SHIFT
    assert store.open_state_intervals() == []


def test_state_intervals_window_overlap(store: Any) -> None:
    store.append(agent_shift("a1") + agent_shift("a2", t0=T0 + 2000))
    window = store.state_intervals(T0 + 102, T0 + 330)
    assert [(iv.agent_id, iv.state) for iv in window] == [("a1", "reserved"), ("a1", "busy"), ("a1", "wrap_up")]
    assert store.state_intervals(T0 + 1000, T0 + 2000) == []  # a1 offline, a2 not yet in
    assert [iv.agent_id for iv in store.state_intervals(T0 + 999, T0 + 2001)] == ["a1", "a2"]


# ---------------------------------------------------------------------- queue stats


def thresholds(queue_id: str, channel: str) -> tuple[float, float]:
    return (30.0, 2.0) if channel == "chat" else (10.0, 5.0)


def mixed_day() -> list[ev.Event]:
    return (handled("c1", "a1", wait=8.0) + handled("c2", "a2", wait=25.0, t0=T0 + 60)
            + handled("c3", "a1", wait=4.0, queue="support", t0=T0 + 950)
            + abandoned("c4", wait=40.0) + abandoned("c5", wait=3.0, t0=T0 + 10)
            + eventful("c6", "a1", "a2", t0=T0 + 20) + timed_out("c7", t0=T0 + 1800)
            + agent_shift("a1"))


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_queue_counters_equal_fold_over_the_same_events(backend: Backend, chunk: int) -> None:
    store = backend.store(thresholds=thresholds)
    events = mixed_day()
    append_in_chunks(store, events, chunk)
    expected = fold(events, thresholds)
    got = store.queue_counters(T0 - 900, T0 + 7200)
    assert set(got) == set(expected)
    for key, counters in expected.items():
        assert got[key].as_dict() == pytest.approx(counters.as_dict()), key
    sales = got[(T0, "sales", "voice")]
    assert (sales.offered, sales.handled, sales.answered_in_sl, sales.abandoned, sales.short_abandoned) == (
        4, 2, 1, 1, 1)
    assert sales.max_wait_handled_s == 25.0
    assert isinstance(sales.offered, int)
    assert got[(T0 + 900, "support", "voice")].handled == 1  # queued at T0 + 951: next interval


def test_queue_counters_window_and_max_across_appends(store: Any) -> None:
    store.append(handled("c1", "a1", wait=30.0))
    store.append(handled("c2", "a2", wait=7.0, t0=T0 + 5))
    store.append(handled("c3", "a1", wait=31.5, t0=T0 + 10)[:5])
    got = store.queue_counters(T0, T0 + 900)
    c = got[(T0, "sales", "voice")]
    assert (c.handled, c.max_wait_handled_s, c.wait_handled_s, c.handled_done) == (3, 31.5, 68.5, 2)
    assert c.answered_in_sl == 1  # default thresholds (20 s)
    assert store.queue_counters(T0 + 900, T0 + 1800) == {}
    assert store.queue_counters(T0 - 900, T0) == {}


def test_set_thresholds_applies_to_later_appends(store: Any) -> None:
    store.append(handled("c1", "a1", wait=25.0))
    store.set_thresholds(lambda q, ch: (60.0, 5.0))
    store.append(handled("c2", "a1", wait=25.0, t0=T0 + 1))
    assert store.queue_counters(T0, T0 + 900)[(T0, "sales", "voice")].answered_in_sl == 1


def test_counter_names_are_all_stored(store: Any) -> None:
    store.append(mixed_day())
    for counters in store.queue_counters(T0 - 900, T0 + 7200).values():
        assert set(counters.as_dict()) == set(COUNTER_NAMES)


def test_handled_by_agent_counts_connects_in_window(store: Any) -> None:
    store.append(mixed_day())
    assert store.handled_by_agent(T0 - 900, T0 + 7200) == {"a1": 3, "a2": 2}
    # c1 connects at T0 + 9, c2 at T0 + 86, c6's first connect at T0 + 78
    assert store.handled_by_agent(T0, T0 + 80) == {"a1": 2}
    assert store.handled_by_agent(T0 + 5000, T0 + 6000) == {}

"""EventStore contract: append, read, ordering, atomicity, replay window (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from storage_backend import Backend
from storage_events import T0, abandoned, agent_shift, eventful, handled

from blendcc.domain import events as ev


def test_empty_store(store: Any) -> None:
    assert store.read() == []
    assert store.append([]) == []
    assert store.replay_window() == []
    assert store.contact_events("nope") == []


def test_append_returns_each_events_seq_and_read_round_trips(store: Any) -> None:
    first = handled("c1", "a1")
    second = abandoned("c2", t0=T0 + 60)
    assert store.append(first) == list(range(1, len(first) + 1))
    assert store.append(second) == list(range(len(first) + 1, len(first) + len(second) + 1))
    assert store.append([]) == []
    stored = store.read()
    assert [s.seq for s in stored] == list(range(1, len(first) + len(second) + 1))
    assert [s.event for s in stored] == first + second  # typed events come back equal (steps, attributes)
    routed = stored[1].event
    assert isinstance(routed, ev.ContactRouted)
    assert routed.steps[0].skills == (("english", 3),)


def test_read_after_and_limit(store: Any) -> None:
    events = handled("c1", "a1") + abandoned("c2")
    store.append(events)
    assert [s.seq for s in store.read(after_seq=3, limit=4)] == [4, 5, 6, 7]
    assert [s.event for s in store.read(after_seq=3, limit=4)] == events[3:7]
    assert [s.seq for s in store.read(after_seq=12)] == [13, 14]
    assert store.read(after_seq=14) == []
    assert store.read(after_seq=0, limit=0) == []


def test_contact_events_are_that_contacts_in_order(store: Any) -> None:
    one, two = handled("c1", "a1"), abandoned("c2")
    interleaved = [e for pair in zip(one, two, strict=False) for e in pair] + one[len(two):]
    for e in interleaved:
        store.append([e])
    got = store.contact_events("c1")
    assert [s.event for s in got] == one
    assert [s.seq for s in got] == sorted(s.seq for s in got)
    assert [s.event for s in store.contact_events("c2")] == two


def test_failed_append_stores_nothing(store: Any) -> None:
    store.append(handled("c1", "a1")[:3])
    before_events = store.read()
    before_row = store.interaction("c1")
    bad = [ev.ContactQueued(at=T0 + 50, contact_id="c1", queue_id="other", channel="voice", step_index=1,
                            priority=1),
           *abandoned("c1", t0=T0 + 60)]  # creates c1 a second time
    with pytest.raises(ValueError):
        store.append(bad)
    assert store.read() == before_events
    assert store.interaction("c1") == before_row
    assert store.queue_counters(T0 - 3600, T0 + 3600)[(T0, "sales", "voice")].offered == 1
    seqs = store.append(abandoned("c2"))  # the log goes on (PostgreSQL may skip the rolled-back seqs)
    after = store.read(after_seq=3)
    assert [s.event for s in after] == abandoned("c2")
    assert [s.seq for s in after] == seqs
    assert [s.seq for s in after] == sorted({s.seq for s in after})


def test_concurrent_appends_get_distinct_ordered_seqs(backend: Backend) -> None:
    store = backend.store()
    writers, batches = 4, 15
    errors: list[BaseException] = []

    def write(w: int) -> None:
        # SQL: each writer has its own store object on the shared database; memory: the store is the database
        own = backend.store() if backend.engine is not None else store
        try:
            for b in range(batches):
                own.append(abandoned(f"w{w}-{b}", t0=T0 + b))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    stored = store.read()
    assert [s.seq for s in stored] == list(range(1, writers * batches * 4 + 1))
    for w in range(writers):
        mine = [s.event for s in stored if s.event.contact_id.startswith(f"w{w}-")]
        assert mine == [e for b in range(batches) for e in abandoned(f"w{w}-{b}", t0=T0 + b)]
    # every append stays contiguous in the log
    for b in range(0, len(stored), 4):
        assert len({s.event.contact_id for s in stored[b:b + 4]}) == 1
    assert len(store.interactions(limit=1000)) == writers * batches


# ---------------------------------------------------------------------- replay window


def test_replay_window_starts_at_oldest_open_contact(store: Any) -> None:
    done = handled("c1", "a1")
    store.append(done)
    open_events = handled("c2", "a1", t0=T0 + 10)[:5]  # connected, not ended
    store.append(open_events)
    store.append(abandoned("c3", t0=T0 + 20))
    later = handled("c4", "a2", t0=T0 + 30)[:3]
    store.append(later)
    assert store.replay_window() == open_events + abandoned("c3", t0=T0 + 20) + later


def test_replay_window_counts_abandoned_until_closed(store: Any) -> None:
    events = abandoned("c1")
    store.append(events[:3])  # abandoned, ContactClosed not yet written
    assert store.replay_window() == events[:3]
    store.append(events[3:])
    assert store.replay_window() == []


def test_replay_window_starts_at_logged_in_agent(store: Any) -> None:
    shift = agent_shift("a1", t0=T0 - 500)
    store.append(handled("c0", "a9", t0=T0 - 900))  # closed contact before the login: not replayed
    store.append(shift[:6])  # logged in, available
    contact = handled("c1", "a1")[:4]
    store.append(contact)
    assert store.replay_window() == shift[:6] + contact
    store.append(shift[6:])  # logged out
    assert store.replay_window() == contact + shift[6:]


def test_replay_window_relogin_moves_to_new_session(store: Any) -> None:
    store.append(agent_shift("a1"))
    assert store.replay_window() == []
    again = [ev.AgentLoggedIn(at=T0 + 5000, agent_id="a1"),
             ev.AgentStateChanged(at=T0 + 5000, agent_id="a1", state="available", reason=None)]
    store.append(again)
    assert store.replay_window() == again


def test_replay_window_empty_when_everything_is_closed(store: Any) -> None:
    store.append(handled("c1", "a1") + abandoned("c2") + eventful("c3", "a1", "a2") + agent_shift("a1"))
    assert store.replay_window() == []


def test_events_of_type_by_type_and_time_in_log_order(store: Any) -> None:
    store.append(handled("c1", "a1") + abandoned("c2", t0=T0 + 60) + agent_shift("a1"))
    closed = store.events_of_type(["ContactClosed"])
    assert [(s.event.contact_id, s.event.outcome) for s in closed] == [("c1", "completed"), ("c2", "abandoned")]
    assert [s.seq for s in closed] == sorted(s.seq for s in closed)
    both = store.events_of_type(["ContactCreated", "AgentLoggedIn"], start=T0, end=T0 + 60)
    assert [s.event.type for s in both] == ["ContactCreated", "AgentLoggedIn"]  # c2 is created at T0 + 60
    assert store.events_of_type(["NoSuchEvent"]) == []
    # about one agent (the log's indexed agent column; the desktop's own figures read it)
    mine = store.events_of_type(["ContactConnected", "AgentLoggedIn", "ContactClosed"], agent_id="a1")
    assert [(s.event.type, s.event.agent_id) for s in mine] == [("ContactConnected", "a1"), ("AgentLoggedIn", "a1")]
    assert store.events_of_type(["ContactConnected"], agent_id="a9") == []

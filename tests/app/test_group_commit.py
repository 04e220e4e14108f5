"""Group commit in the single writer: commands that arrive together share one append, each caller returns only
after that commit, and a command refused on its own never takes its batch-mates down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from blendcc.app.acd.runtime import Runtime, StoreUnavailable
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.routing.commands import Batch, CreateContact, LogIn, MoveContact
from blendcc.routing.engine import Engine
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore, RecordingBus

from .test_restart import engine_fingerprint
from .test_runtime_commands import T0, _catalog


class Appends:
    """Wraps ``store.append``: counts calls and events, can fail or hold a call."""

    def __init__(self, store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[int] = []
        self.batches: list[set[str | None]] = []  # the contact ids in each append
        self.fail: Callable[[list[ev.Event]], Exception | None] = lambda _events: None
        self.hold: threading.Event | None = None
        self.entered = threading.Event()
        real = store.append

        def append(events: list[ev.Event]) -> list[int]:
            self.entered.set()
            if self.hold is not None:
                self.hold.wait(10)
            error = self.fail(events)
            if error is not None:
                raise error
            self.calls.append(len(events))
            self.batches.append({getattr(e, "contact_id", None) for e in events})
            result: list[int] = real(events)
            return result

        monkeypatch.setattr(store, "append", append)


def _runtime(monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[Runtime, MemoryStore, Appends]:
    store = MemoryStore()
    runtime = Runtime(_catalog(), store, RecordingBus(), SimClock(T0), LiveStats(lambda q, c: (20.0, 5.0)), **kw)
    return runtime, store, Appends(store, monkeypatch)


def _together(runtime: Runtime, commands: list[Any]) -> list[Any]:
    """Run ``commands`` from one thread each, all queued while the writer is busy: one batch.
    Returns each command's events or the exception it raised."""
    results: list[Any] = [None] * len(commands)

    def call(i: int) -> None:
        try:
            results[i] = runtime.execute(commands[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(commands))]
    with runtime.lock:  # the writer is busy: every command waits in the queue
        for th in threads:
            th.start()
        deadline = time.monotonic() + 10
        while runtime.queue_depth() < len(commands) and time.monotonic() < deadline:
            time.sleep(0.001)
        assert runtime.queue_depth() == len(commands)
    for th in threads:
        th.join(10)
    return results


def _stored_contacts(store: MemoryStore) -> set[str]:
    return {s.event.contact_id for s in store.read() if isinstance(s.event, ev.ContactCreated)}


def _live_matches_store(runtime: Runtime, store: MemoryStore) -> None:
    replayed = Engine(runtime.engine.catalog, runtime.clock.now())
    replayed.replay(store.replay_window())
    assert runtime.query(lambda engine, _now: engine_fingerprint(engine)) == engine_fingerprint(replayed)


def test_commands_that_arrive_together_share_one_append(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch)
    ids = [f"c{i}" for i in range(20)]
    results = _together(runtime, [CreateContact(cid, "voice") for cid in ids])
    assert len(appends.calls) == 1  # one transaction for the twenty
    assert _stored_contacts(store) == set(ids)
    for cid, events in zip(ids, results, strict=True):  # each caller gets its own command's events
        assert {e.contact_id for e in events} == {cid}
        assert events[0].type == "ContactCreated"
    _live_matches_store(runtime, store)


def test_group_commit_off_appends_each_command_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch, group_commit=False)
    ids = [f"c{i}" for i in range(5)]
    threads = [threading.Thread(target=runtime.execute, args=(CreateContact(cid, "voice"),)) for cid in ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert len(appends.calls) == 5
    assert _stored_contacts(store) == set(ids)


def test_max_batch_bounds_a_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch, max_batch=4)
    _together(runtime, [CreateContact(f"c{i}", "voice") for i in range(10)])
    assert len(appends.calls) >= 3
    assert _stored_contacts(store) == {f"c{i}" for i in range(10)}


def test_no_caller_returns_before_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch)
    appends.hold = threading.Event()
    returned: list[str] = []

    def create(cid: str) -> None:
        runtime.execute(CreateContact(cid, "voice"))
        returned.append(cid)

    first = threading.Thread(target=create, args=("c0",))
    first.start()
    assert appends.entered.wait(5)  # c0's append is under way (and held): the others queue behind it
    rest = [threading.Thread(target=create, args=(f"c{i}",)) for i in range(1, 6)]
    for th in rest:
        th.start()
    deadline = time.monotonic() + 5
    while runtime.queue_depth() < 5 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert returned == [] and store.read() == []  # nothing acknowledged, nothing stored yet
    appends.hold.set()
    for th in [first, *rest]:
        th.join(10)
    assert sorted(returned) == [f"c{i}" for i in range(6)]
    assert appends.calls[0] == len(runtime.store.contact_events("c0"))
    assert len(appends.calls) == 2  # c0 alone, then the five that waited in one batch


def test_a_refused_command_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch)
    runtime.execute(CreateContact("old", "voice", once=True))
    commands = [CreateContact("c1", "voice"), CreateContact("old", "voice", once=True),  # retried id
                MoveContact("nobody", "sales"), CreateContact("c2", "voice"),
                CreateContact("twice", "voice", once=True), CreateContact("twice", "voice", once=True)]
    results = _together(runtime, commands)
    assert isinstance(results[1], InvalidState)
    assert isinstance(results[2], NotFound)
    assert isinstance(results[5], InvalidState)  # the same retry-safe id twice in one batch: the second
    assert all(isinstance(r, list) for i, r in enumerate(results) if i not in (1, 2, 5))
    assert len(appends.calls) == 2  # "old", then one batch
    assert _stored_contacts(store) == {"old", "c1", "c2", "twice"}
    _live_matches_store(runtime, store)


def test_a_command_failing_half_way_leaves_no_trace_and_its_mates_are_stored(monkeypatch: pytest.MonkeyPatch
                                                                             ) -> None:
    runtime, store, _appends = _runtime(monkeypatch)

    # "ghost" is applied, then the duplicate "c1" (live, not yet stored) refuses the rest of that Batch
    half = Batch((CreateContact("ghost", "voice"), CreateContact("c1", "voice")))
    results = _together(runtime, [CreateContact("c1", "voice"), half, CreateContact("c2", "voice")])
    assert isinstance(results[1], InvalidState)
    assert isinstance(results[0], list) and isinstance(results[2], list)
    assert _stored_contacts(store) == {"c1", "c2"}
    assert runtime.query(lambda engine, _now: "ghost" not in engine.contacts)
    _live_matches_store(runtime, store)


def test_a_batch_the_store_refuses_is_stored_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch)
    appends.fail = lambda events: (ValueError("duplicate key") if any(getattr(e, "contact_id", None) == "bad"
                                                                       for e in events) else None)
    results = _together(runtime, [CreateContact(cid, "voice") for cid in ("c1", "bad", "c2")])
    assert isinstance(results[1], InvalidState)
    assert isinstance(results[0], list) and isinstance(results[2], list)
    assert _stored_contacts(store) == {"c1", "c2"}
    _live_matches_store(runtime, store)


def test_a_store_outage_fails_the_whole_batch_and_applies_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, appends = _runtime(monkeypatch)
    runtime.execute(LogIn("a1"))
    appends.fail = lambda _events: OSError("disk on fire")
    results = _together(runtime, [CreateContact(f"c{i}", "voice") for i in range(4)])
    assert all(isinstance(r, StoreUnavailable) for r in results)
    appends.fail = lambda _events: None
    assert _stored_contacts(store) == set()
    _live_matches_store(runtime, store)
    runtime.execute(CreateContact("after", "voice"))  # the writer carries on once the store is back
    assert _stored_contacts(store) == {"after"}


def test_an_in_process_callable_is_stored_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A callable may read the store (a message's provider id, a customer's contacts), which cannot show
    batch-mates not yet committed: it runs in its own transaction; the records around it still batch."""
    runtime, store, appends = _runtime(monkeypatch)
    commands: list[Any] = [CreateContact(f"c{i}", "voice") for i in range(6)]
    commands[3] = lambda engine, now: engine.create_contact("callable", "voice", now)
    results = _together(runtime, commands)
    assert all(isinstance(r, list) for r in results)
    assert {"callable"} in appends.batches  # alone
    assert any(len(b) > 1 for b in appends.batches)  # the records batched
    assert _stored_contacts(store) == {"c0", "c1", "c2", "callable", "c4", "c5"}


def test_a_subscriber_may_run_a_command_while_its_batch_is_published(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, _appends = _runtime(monkeypatch)
    done: list[list[ev.Event]] = []

    def follow_up(_topic: str, message: Any) -> None:
        if message["type"] == "ContactCreated" and message["contact_id"] == "c1":
            done.append(runtime.execute(CreateContact("c1-follow", "voice")))

    runtime.bus.subscribe("contact", follow_up)
    results = _together(runtime, [CreateContact("c1", "voice"), Batch((CreateContact("c2", "voice"),))])
    assert all(isinstance(r, list) for r in results)
    assert done and done[0][0].contact_id == "c1-follow"
    assert _stored_contacts(store) == {"c1", "c2", "c1-follow"}


def test_batch_observers_see_commands_and_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, _store, _appends = _runtime(monkeypatch)
    seen: list[tuple[int, float]] = []
    runtime.batch_observers.append(lambda n, s: seen.append((n, s)))
    _together(runtime, [CreateContact(f"c{i}", "voice") for i in range(7)])
    assert [n for n, _ in seen] == [7]
    assert seen[0][1] >= 0


def test_concurrent_callers_on_the_real_store(centre: Any) -> None:
    """Many threads through the API's path (ContactService) on SQLite and PostgreSQL: every acknowledged
    contact is in the log and in the interactions projection, read back by a fresh engine."""
    from blendcc.app.acd.contacts import NewContact
    from blendcc.domain.channels import Channel

    container = centre.container
    sizes: list[int] = []
    container.runtime.batch_observers.append(lambda n, _s: sizes.append(n))
    acked: list[str] = []
    lock = threading.Lock()

    def caller(k: int) -> None:
        for i in range(15):
            out = container.contacts.create(NewContact(channel=Channel.VOICE, contact_id=f"k{k}-{i}"))
            with lock:
                acked.append(out["contact_id"])

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(acked) == 120
    assert sum(sizes) >= 120
    stored = {s.event.contact_id for s in container.store.read() if isinstance(s.event, ev.ContactCreated)}
    assert stored >= set(acked)
    assert all(container.store.interaction(cid) is not None for cid in acked)
    # a batch of retries and new ids: the store is asked once which ids were ever used
    retried = _together(container.runtime, [CreateContact(acked[0], "voice", once=True),
                                            CreateContact("fresh", "voice", once=True),
                                            CreateContact(acked[-1], "voice", once=True)])
    assert isinstance(retried[0], InvalidState) and isinstance(retried[2], InvalidState)
    assert isinstance(retried[1], list) and container.store.interaction("fresh") is not None

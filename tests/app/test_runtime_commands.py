"""The Runtime as the Commands port: it executes command records, and a Scheduler wakes it at the engine's due times."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain import dialer_events as dev
from blendcc.domain import events as ev
from blendcc.domain.agent import AgentConfig
from blendcc.domain.errors import InvalidState, NotFound
from blendcc.domain.queue import QueueConfig
from blendcc.ports import Commands
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import (
    AcceptOffer,
    AppendEvents,
    Batch,
    CreateContact,
    DisconnectCustomer,
    EndContact,
    LogIn,
    command_from_dict,
)
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.kernel import Kernel, SimClock
from blendcc.testing import MemoryStore, RecordingBus

T0 = 1_700_000_000.0


def _catalog(offer_timeout_s: float = 20.0, wrap_up_s: float | None = 30.0) -> Any:
    return build_catalog([QueueConfig(id="sales", offer_timeout_s=offer_timeout_s, wrap_up_s=wrap_up_s),
                          QueueConfig(id="fast", offer_timeout_s=5.0)], [],
                         [AgentConfig(id="a1", queues=["sales"]), AgentConfig(id="a2", queues=["sales"]),
                          AgentConfig(id="a3", queues=["fast"])],
                         [Workflow(id="main", default=[Target(queue="sales")]),
                          Workflow(id="fast", channels=["email"], default=[Target(queue="fast")])], None)


class _NoTimers:
    def next_due(self) -> float | None:
        return None

    def tick(self, now: float) -> list[ev.Event]:
        return []


def _runtime(clock: Any, **catalog_kw: Any) -> tuple[Runtime, MemoryStore, RecordingBus]:
    store, bus = MemoryStore(), RecordingBus()
    return Runtime(_catalog(**catalog_kw), store, bus, clock, LiveStats(lambda q, c: (20.0, 5.0))), store, bus


def _types(store: MemoryStore) -> list[str]:
    return [s.event.type for s in store.read()]


def test_records_from_the_wire_run_on_the_writer_and_are_stored_and_published() -> None:
    rt, store, bus = _runtime(SimClock(T0))
    port: Commands = rt
    for wire in (LogIn("a1").to_dict(), CreateContact("c1", "voice").to_dict(), AcceptOffer("c1", "a1").to_dict()):
        port.execute(command_from_dict(wire))
    assert _types(store)[-2:] == ["ContactConnected", "AgentStateChanged"]
    assert [m["type"] for m in bus.messages("agent")][-1] == "AgentStateChanged"
    assert rt.engine.contacts["c1"].agent_id == "a1"


def test_a_refused_record_leaves_no_trace() -> None:
    rt, store, _ = _runtime(SimClock(T0))
    rt.execute(LogIn("a1"))
    before = len(store.read())
    with pytest.raises(NotFound):
        rt.execute(AcceptOffer("nope", "a1"))
    with pytest.raises(InvalidState):  # the second login refuses the whole batch: the first is not stored
        rt.execute(Batch((LogIn("a2"), LogIn("a1"))))
    assert len(store.read()) == before
    assert not rt.engine.agents["a2"].logged_in


def test_create_contact_once_refuses_an_id_used_before_even_after_it_closed() -> None:
    rt, _, _ = _runtime(SimClock(T0))
    rt.execute(CreateContact("c1", "chat", once=True))
    rt.execute(DisconnectCustomer("c1"))
    assert "c1" not in rt.engine.contacts
    with pytest.raises(InvalidState, match="already exists"):
        rt.execute(CreateContact("c1", "chat", once=True))


def test_append_events_stamped_carry_the_writer_time() -> None:
    clock = SimClock(T0 + 42)
    rt, store, _ = _runtime(clock)
    rt.execute(AppendEvents((dev.CampaignStateChanged(campaign_id="camp", state="running", at=0.0),), stamp=True))
    (stored,) = [s.event for s in store.read() if isinstance(s.event, dev.CampaignStateChanged)]
    assert stored.at == T0 + 42


def _kernel(clock: SimClock) -> Kernel:
    return Kernel(_NoTimers(), lambda _events: None, clock)


def test_the_scheduler_wakes_the_writer_when_an_offer_rings_out_without_polling() -> None:
    clock = SimClock(T0)
    kernel = _kernel(clock)
    rt, store, _ = _runtime(clock, offer_timeout_s=20.0)
    rt.attach_scheduler(kernel)
    rt.execute(LogIn("a1"))
    rt.execute(CreateContact("c1", "voice"))
    assert kernel.pending() == 1  # one wake-up armed: the ring-no-answer
    kernel.run(T0 + 3600)  # nobody calls tick: the kernel only runs what was scheduled
    revoked = [s.event for s in store.read() if isinstance(s.event, ev.OfferRevoked)]
    assert [(e.reason, e.at) for e in revoked] == [("timeout", T0 + 20.0)]
    assert [e.reason for e in (s.event for s in store.read()) if isinstance(e, ev.AgentStatusChanged)][-1] == "missed"


def test_timed_wrap_up_ends_at_its_due_time_on_the_scheduler() -> None:
    clock = SimClock(T0)
    kernel = _kernel(clock)
    rt, store, _ = _runtime(clock, wrap_up_s=30.0)
    rt.attach_scheduler(kernel)
    rt.execute(LogIn("a1"))
    rt.execute(CreateContact("c1", "voice"))
    kernel.call_at(T0 + 5, lambda: rt.execute(AcceptOffer("c1", "a1")))
    kernel.call_at(T0 + 65, lambda: rt.execute(EndContact("c1", "a1")))
    kernel.run(T0 + 3600)
    (done,) = [s.event for s in store.read() if isinstance(s.event, ev.WrapUpCompleted)]
    assert done.timed_out and done.at == T0 + 95


def test_detaching_the_scheduler_cancels_the_armed_wake_up() -> None:
    clock = SimClock(T0)
    kernel = _kernel(clock)
    rt, _, _ = _runtime(clock)
    rt.execute(LogIn("a1"))
    rt.execute(LogIn("a2"))
    rt.attach_scheduler(kernel)
    rt.execute(CreateContact("c1", "voice"))  # offer to one agent, rings out at T0 + 20
    clock.t = T0 + 10
    with rt.lock:
        first = rt._wake
    rt.attach_scheduler(None)
    assert first is not None and first[1].cancelled  # type: ignore[attr-defined]
    kernel.run(T0 + 3600)
    assert rt.engine.contacts["c1"].state.value == "offered"  # detached: nothing fired


class _Recorder:
    """A Scheduler that records what it was asked (for the arming rules)."""

    def __init__(self) -> None:
        self.armed: list[float] = []
        self.cancelled: list[object] = []

    def call_at(self, when: float, fn: Any) -> object:
        self.armed.append(when)
        return (when, fn)

    def call_later(self, delay: float, fn: Any) -> object:
        raise AssertionError("the runtime arms absolute times")

    def cancel(self, handle: object) -> None:
        self.cancelled.append(handle)


def test_the_runtime_re_arms_only_when_the_next_due_time_moves_earlier() -> None:
    clock = SimClock(T0)
    rt, _, _ = _runtime(clock, offer_timeout_s=20.0)
    sched = _Recorder()
    rt.attach_scheduler(sched)
    assert sched.armed == []  # nothing is due: nothing armed
    rt.execute(LogIn("a1"))
    rt.execute(LogIn("a2"))
    rt.execute(CreateContact("c1", "voice"))
    clock.t = T0 + 5
    rt.execute(CreateContact("c2", "voice"))  # rings out later than c1: the armed wake-up stays
    assert sched.armed == [T0 + 20.0] and sched.cancelled == []

    rt.execute(LogIn("a3"))
    rt.execute(CreateContact("c3", "voice", workflow_id="fast"))  # rings out at T0 + 10: earlier
    assert sched.armed == [T0 + 20.0, T0 + 10.0] and len(sched.cancelled) == 1
    assert sched.cancelled[0][0] == T0 + 20.0  # type: ignore[index]

"""The routing lease on PostgreSQL and the fencing token the event store checks on every append: a node whose
lease another node took can neither renew it nor write, and a Runtime fenced out steps down (ADR 0053)."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import Engine

from blendcc.adapters.clock import SystemClock
from blendcc.adapters.storage.lease_repo import SqlLease
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.app.acd.runtime import Runtime
from blendcc.app.cluster.leadership import Leadership
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain.agent import AgentConfig
from blendcc.domain.errors import FencedOut
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import CreateContact, LogIn
from blendcc.routing.workflow import Target, Workflow
from blendcc.testing import RecordingBus

#: the session's schema is shared by the tests: each module run uses its own agent (logged in at most once)
AGENT = f"a-{uuid.uuid4().hex[:8]}"


def _catalog(agent: str = AGENT) -> object:
    return build_catalog([QueueConfig(id="sales", offer_timeout_s=600.0)], [],
                         [AgentConfig(id=agent, queues=["sales"])],
                         [Workflow(id="main", default=[Target(queue="sales")])], None)


def _name() -> str:
    return f"routing-{uuid.uuid4().hex[:8]}"


def test_a_lease_held_cannot_be_taken_and_each_acquisition_raises_the_token(pg_engine: Engine) -> None:
    lease = SqlLease(pg_engine, _name())
    first = lease.acquire("a", "http://a", 30.0)
    assert first is not None and first >= 1
    assert lease.acquire("b", "http://b", 30.0) is None  # held and not expired
    assert lease.renew("a", first, "http://a", 30.0)
    state = lease.current()
    assert state is not None and (state.holder, state.address, state.token) == ("a", "http://a", first)
    assert state.left_s > 25
    lease.release("a", first)
    second = lease.acquire("b", "http://b", 30.0)
    assert second == first + 1
    assert not lease.renew("a", first, "http://a", 30.0), "the old holder renewed a lease another node took"
    assert lease.acquire("a", "http://a", 30.0) is None


def test_an_expired_lease_goes_to_the_next_node_with_a_new_token(pg_engine: Engine) -> None:
    lease = SqlLease(pg_engine, _name())
    first = lease.acquire("a", "http://a", 0.2)
    assert first is not None
    time.sleep(0.3)  # a paused leader: its lease expires (the database's clock)
    second = lease.acquire("b", "http://b", 30.0)
    assert second == first + 1
    assert not lease.renew("a", first, "http://a", 30.0)


def test_the_store_refuses_an_append_with_an_old_token_and_stores_nothing(pg_engine: Engine) -> None:
    name = _name()
    lease = SqlLease(pg_engine, name)
    old, new = SqlStore(pg_engine), SqlStore(pg_engine)
    first = lease.acquire("a", "http://a", 30.0)
    assert first is not None
    old.fence(name, first)
    clock = SystemClock()
    runtime_old = Runtime(_catalog(), old, RecordingBus(), clock, LiveStats(lambda q, c: (20.0, 5.0)), standby=True)
    runtime_old.take_over(_catalog())
    cid = f"c-{uuid.uuid4().hex[:8]}"
    assert runtime_old.execute(CreateContact(channel="chat", contact_id=cid))
    stepped_down: list[bool] = []
    runtime_old.on_fenced.append(lambda: stepped_down.append(True))

    lease.release("a", first)  # (or it expired while the node was paused)
    second = lease.acquire("b", "http://b", 30.0)
    assert second == first + 1
    new.fence(name, second)
    runtime_new = Runtime(_catalog(), new, RecordingBus(), clock, LiveStats(lambda q, c: (20.0, 5.0)), standby=True)
    runtime_new.take_over(_catalog())
    assert cid in runtime_new.engine.contacts  # the old leader's committed work is in the rebuilt state

    before = old.last_seq()
    late = f"c-{uuid.uuid4().hex[:8]}"
    with pytest.raises(FencedOut):
        runtime_old.execute(CreateContact(channel="chat", contact_id=late))  # the paused leader wakes up
    assert old.last_seq() == before and old.interaction(late) is None, "a fenced-out append stored something"
    assert runtime_old.standby and stepped_down == [True]
    with pytest.raises(FencedOut):
        runtime_old.execute(LogIn(AGENT))  # refused at once from now on
    assert runtime_new.execute(LogIn(AGENT))  # the new leader writes, and routes the old leader's contact
    assert runtime_new.engine.contacts[cid].state.value == "offered"


def test_a_standby_store_refuses_every_append(pg_engine: Engine) -> None:
    name = _name()
    store = SqlStore(pg_engine)
    store.fence(name, 0)
    runtime = Runtime(_catalog(), store, RecordingBus(), SystemClock(), standby=True)
    with pytest.raises(FencedOut):
        runtime.execute(LogIn(AGENT))
    with pytest.raises(FencedOut):
        store.append(_one_event())  # type: ignore[arg-type]


def _one_event() -> list[object]:
    from blendcc.domain import events as ev

    return [ev.AgentLoggedIn(agent_id=AGENT, at=time.time())]


def test_leadership_takes_over_from_a_dead_leader_and_the_old_one_steps_down(pg_engine: Engine) -> None:
    name, agent = _name(), f"a-{uuid.uuid4().hex[:8]}"
    lease = SqlLease(pg_engine, name)
    nodes = []
    for node in ("a", "b"):
        store = SqlStore(pg_engine)
        store.fence(name, 0)
        runtime = Runtime(_catalog(agent), store, RecordingBus(), SystemClock(), standby=True)
        nodes.append((runtime, Leadership(lease, runtime, node, f"http://{node}", ttl_s=0.5,
                                          fence=lambda t, s=store: s.fence(name, t),
                                          elected=lambda _t, r=runtime: r.take_over(_catalog(agent)))))
    (ra, la), (rb, lb) = nodes
    la.step()
    lb.step()
    assert la.is_leader and not lb.is_leader and lb.leader_address == "http://a"
    ra.execute(LogIn(agent))
    time.sleep(0.6)  # a stops renewing (it died, or is paused): its lease expires
    lb.step()
    assert lb.is_leader and lb.token == la.token + 1
    assert rb.engine.agents[agent].logged_in  # rebuilt from the log
    la.step()  # a wakes up: its renewal is refused, it steps down
    assert not la.is_leader and ra.standby
    with pytest.raises(FencedOut):
        ra.execute(LogIn(agent))

"""Projector registry contract: the same events give the same projections on memory, SQLite and PostgreSQL,
whatever the batching; the registry dispatches by event type; a new projection is registered, not coded
into the stores."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from storage_backend import Backend
from storage_events import T0, abandoned, agent_shift, eventful, handled, timed_out

from blendcc.adapters.storage.projectors import PROJECTORS, MemoryTables, ProjectorRegistry, SqlTx
from blendcc.adapters.storage.sql_store import SqlStore
from blendcc.domain import conversation_events as ce
from blendcc.domain import events as ev
from blendcc.domain.dialer_events import CampaignStateChanged
from blendcc.domain.ivr_events import IvrCallEnded
from blendcc.ports import StoredEvent
from blendcc.testing import MemoryCustomerRepository, MemoryStore


def _thresholds(queue_id: str, channel: str) -> tuple[float, float]:
    return (30.0 if queue_id == "sales" else 60.0, 5.0)


def workload() -> list[ev.Event]:
    """Contacts of every outcome, two agent shifts and campaign state changes, interleaved by time."""
    events = (handled("c1", "a1", customer_id="cu1") + abandoned("c2", t0=T0 + 5, wait=3.0)
              + eventful("c3", "a1", "a2", t0=T0 + 20) + timed_out("c4", t0=T0 + 40)
              + agent_shift("a1", t0=T0 - 50) + agent_shift("a2", t0=T0 + 10)
              + handled("c5", "a2", t0=T0 + 2000, customer_id="cu1")
              + [CampaignStateChanged(at=T0 + 1, campaign_id="k1", state="running", reason=None),
                 CampaignStateChanged(at=T0 + 900, campaign_id="k1", state="paused", reason="lunch"),
                 CampaignStateChanged(at=T0 + 901, campaign_id="k2", state="running", reason="go")]
              + messages("c1")
              + [IvrCallEnded(at=T0 + 30, contact_id="c6", channel="voice", reason="ivr_abandoned", flow_id="bank",
                              caller_id="+442079460001", dialled="0800", ivr_s=9.0, ivr={"menu": "2"},
                              path=("welcome", "menu", "account"), last_node="account")])
    events.sort(key=lambda e: e.at)  # stable: each contact's own order is kept
    return events


def messages(contact_id: str) -> list[ev.Event]:
    """A customer's message, an agent's reply and the provider accepting it (its id learnt from the receipt)."""
    return [ce.MessageReceived(at=T0 + 2, contact_id=contact_id, message_id=f"{contact_id}.m0", channel="chat",
                               channel_instance="web", body="hi", provider_message_id="p-1", address="u1"),
            ce.MessageSent(at=T0 + 3, contact_id=contact_id, message_id=f"{contact_id}.m1", channel="chat",
                           channel_instance="web", author_kind="agent", author_id="a1", body="hello"),
            ce.MessageDeliveryUpdated(at=T0 + 4, contact_id=contact_id, message_id=f"{contact_id}.m1",
                                      status="sent", provider_message_id="out-1")]


def projections(store: Any, customers: Any) -> dict[str, Any]:
    """Everything the registry's projections answer through the store's readers."""
    return {
        "interactions": store.interactions(limit=1000),
        "intervals": store.state_intervals(T0 - 3600, T0 + 86400),
        "counters": store.queue_counters(T0 - 3600, T0 + 86400),
        "handled": store.handled_by_agent(T0 - 3600, T0 + 86400),
        "campaigns": store.campaign_states(),
        "replay": store.replay_window(),
        "customer": {k: v for k, v in (customers.get("cu1") or {}).items() if k.startswith("last_")},
        "messages": [store.message_by_provider_id(d, "chat", inst, pid) for d, inst, pid in (
            ("inbound", "web", "p-1"), ("outbound", "web", "out-1"), ("inbound", "other", "p-1"),
            ("outbound", "web", "p-1"))],
    }


def reference() -> dict[str, Any]:
    """The memory store, fed the workload one event at a time."""
    customers = MemoryCustomerRepository()
    customers.create("cu1", [("phone", "+442079460000")], "gold", "Ann", {}, T0 - 100)
    store = MemoryStore(_thresholds, customers=customers)
    for e in workload():
        store.append([e])
    return projections(store, customers)


@pytest.mark.parametrize("chunk", [1, 4, 1000])
def test_same_events_give_the_same_projections_on_every_store(backend: Backend, chunk: int) -> None:
    customers = backend.customers()
    customers.create("cu1", [("phone", "+442079460000")], "gold", "Ann", {}, T0 - 100)
    store = backend.store(_thresholds)
    events = workload()
    for i in range(0, len(events), chunk):
        store.append(events[i:i + chunk])
    got = projections(store, customers)
    want = reference()
    for name in want:
        assert got[name] == want[name], name
    # and the reference is what the events say
    assert want["campaigns"] == {"k1": ("paused", "lunch", T0 + 900), "k2": ("running", "go", T0 + 901)}
    assert want["messages"] == [("c1", "c1.m0"), ("c1", "c1.m1"), None, None]
    assert want["handled"] == {"a1": 2, "a2": 2}  # c3 is transferred from a1 to a2
    assert want["customer"] == {"last_agent_id": "a2", "last_contact_at": T0 + 2000 + 1 + 12}
    assert {r["contact_id"]: r["state"] for r in want["interactions"]} == {
        "c1": "closed", "c2": "closed", "c3": "closed", "c4": "closed", "c5": "closed", "c6": "closed"}
    c6 = next(r for r in want["interactions"] if r["contact_id"] == "c6")
    assert (c6["outcome"], c6["created_at"], c6["attributes"]["ivr_path"]) == (
        "ivr_abandoned", T0 + 21, ["welcome", "menu", "account"])
    assert [iv.end for iv in want["intervals"] if iv.agent_id == "a2"][-1] == T0 + 10 + 1000


def test_refused_batch_leaves_every_projection_as_it_was(backend: Backend) -> None:
    store = backend.store(_thresholds)
    store.append(handled("c1", "a1") + agent_shift("a1")[:4])
    before = projections(store, backend.customers())
    bad = [*agent_shift("a1")[4:], CampaignStateChanged(at=T0 + 2, campaign_id="k", state="running", reason=None),
           *abandoned("c1", t0=T0 + 60)]  # c1 exists: the whole append is refused
    with pytest.raises(ValueError):
        store.append(bad)
    assert projections(store, backend.customers()) == before


# ---------------------------------------------------------------------- the registry itself


@dataclasses.dataclass
class Recorder:
    """A projector that records what it is given (memory and SQL alike)."""

    name: str
    event_types: frozenset[type[ev.Event]]
    seen: list[tuple[str, list[int]]] = dataclasses.field(default_factory=list)

    def apply_sql(self, tx: Any, batch: Sequence[StoredEvent]) -> None:
        self.seen.append(("sql", [s.seq for s in batch]))

    def prepare_memory(self, tables: Any, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        return lambda: self.seen.append(("memory", [s.seq for s in batch]))


def test_registry_gives_each_projector_only_its_event_types_in_log_order() -> None:
    agents = Recorder("agents", frozenset({ev.AgentStateChanged, ev.AgentLoggedIn}))
    closed = Recorder("closed", frozenset({ev.ContactClosed}))
    registry = ProjectorRegistry([agents, closed])
    store = MemoryStore(projectors=registry)
    events = agent_shift("a1") + abandoned("c1")
    seqs = store.append(events)
    assert agents.seen == [("memory", [s for s, e in zip(seqs, events, strict=True)
                                       if isinstance(e, ev.AgentStateChanged | ev.AgentLoggedIn)])]
    assert closed.seen == [("memory", [seqs[-1]])]
    store.append(abandoned("c2")[:2])  # nothing for either
    assert len(agents.seen) == 1 and len(closed.seen) == 1
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Recorder("agents", frozenset()))


def test_the_default_registry_names_every_projection_once() -> None:
    names = [p.name for p in PROJECTORS.projectors]
    assert names == ["interactions", "customer_last_contact", "agent_state_intervals", "agent_presence",
                     "handled_by_agent", "queue_interval_stats", "campaign_states", "messages",
                     "customer_links", "customer_timeline", "scheduled_callbacks", "problems", "interval_counters"]
    assert all(p.event_types for p in PROJECTORS.projectors)


_meta = MetaData()
_channel_counts = Table("test_channel_counts", _meta, Column("channel", String, primary_key=True),
                        Column("n", Integer, nullable=False))


class ChannelCounts:
    """A projection added by registering it: contacts created per channel."""

    name = "channel_counts"
    event_types = frozenset({ev.ContactCreated})

    @staticmethod
    def _fold(batch: Sequence[StoredEvent]) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in batch:
            assert isinstance(s.event, ev.ContactCreated)
            out[s.event.channel] = out.get(s.event.channel, 0) + 1
        return out

    def apply_sql(self, tx: SqlTx, batch: Sequence[StoredEvent]) -> None:
        ins = tx.upsert(_channel_counts)
        tx.conn.execute(ins.on_conflict_do_update(index_elements=["channel"],
                                                  set_={"n": _channel_counts.c.n + ins.excluded.n}),
                        [{"channel": ch, "n": n} for ch, n in self._fold(batch).items()])

    def prepare_memory(self, tables: MemoryTables, batch: Sequence[StoredEvent]) -> Callable[[], None]:
        folded = self._fold(batch)
        counts: dict[str, int] = tables.extra.setdefault(self.name, {})

        def write() -> None:
            for ch, n in folded.items():
                counts[ch] = counts.get(ch, 0) + n

        return write


@pytest.fixture
def extra_table(backend: Backend) -> Iterator[None]:
    if backend.engine is not None:
        _meta.create_all(backend.engine)
    yield
    if backend.engine is not None:
        _meta.drop_all(backend.engine)


def test_a_new_projection_is_registered_and_runs_on_every_store(backend: Backend, extra_table: None) -> None:
    registry = ProjectorRegistry([*PROJECTORS.projectors, ChannelCounts()])
    if backend.engine is None:
        store: Any = MemoryStore(_thresholds, projectors=registry)
    else:
        store = SqlStore(backend.engine, _thresholds, projectors=registry)
    store.append(handled("c1", "a1") + timed_out("c2"))
    store.append(abandoned("c3", channel="chat"))
    with pytest.raises(ValueError):  # refused: the new projection rolls back with the rest
        store.append(abandoned("c4", channel="chat") + abandoned("c1"))
    if backend.engine is None:
        counts = store._t.extra["channel_counts"]
    else:
        with backend.engine.connect() as conn:
            counts = {r.channel: r.n for r in conn.execute(select(_channel_counts))}
    assert counts == {"voice": 1, "email": 1, "chat": 1}
    assert store.interaction("c3")["channel"] == "chat"  # the built-in projections still run

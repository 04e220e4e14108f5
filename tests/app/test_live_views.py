"""LiveViews: the plain views readers get instead of the engine (queue position, held customers, staffing, offers)."""

from __future__ import annotations

import json
from typing import Any

from blendcc.app.acd.live_views import LiveViews
from blendcc.app.acd.runtime import Runtime
from blendcc.app.reporting.live_stats import LiveStats
from blendcc.domain.agent import AgentConfig
from blendcc.domain.queue import QueueConfig
from blendcc.routing.catalog import build_catalog
from blendcc.routing.commands import AcceptOffer, CreateContact, LogIn, SetStatus
from blendcc.routing.workflow import Target, Workflow
from blendcc.sim.kernel import SimClock
from blendcc.testing import MemoryStore, RecordingBus

T0 = 1_700_000_000.0


def _views() -> tuple[Runtime, LiveViews, SimClock]:
    catalog = build_catalog([QueueConfig(id="sales")], [],
                            [AgentConfig(id="a1", queues=["sales"]), AgentConfig(id="a2", queues=["sales"])],
                            [Workflow(id="main", default=[Target(queue="sales")])], None)
    clock = SimClock(T0)
    stats = LiveStats(lambda q, c: (20.0, 5.0))
    rt = Runtime(catalog, MemoryStore(), RecordingBus(), clock, stats)
    return rt, LiveViews(rt, stats), clock


def test_queue_position_counts_priority_then_time_in_line() -> None:
    rt, views, clock = _views()
    rt.execute(LogIn("a1", status="aux", reason="break"))
    for i, prio in enumerate([0, 0, 5]):
        clock.t = T0 + i
        rt.execute(CreateContact(f"c{i}", "voice", priority=prio, customer_id=f"cu{i}"))
    assert views.queue_position("c2") == (1, "sales", 0)  # higher priority first; a1 is in aux
    assert views.queue_position("c0") == (2, "sales", 0)
    assert views.queue_position("c1") == (3, "sales", 0)
    rt.execute(SetStatus("a1", "available"))  # c2 is offered to a1: no longer queued
    assert views.queue_position("c2") is None
    assert views.queue_position("c0") == (1, "sales", 1)
    assert views.staffed("sales") == 1 and views.staffed("nope") == 0


def test_held_customers_offer_details_and_agent_view_are_plain_data() -> None:
    rt, views, _ = _views()
    rt.execute(LogIn("a1"))
    rt.execute(CreateContact("c1", "voice", attributes={"subject": "refund"}, priority=3, customer_id="cu1"))
    assert views.offer_details("c1") == {"attributes": {"subject": "refund"}, "customer_id": "cu1", "priority": 3}
    assert views.offer_details("gone") == {}
    rt.execute(AcceptOffer("c1", "a1"))
    assert views.customers_held("a1") == ["cu1"]
    assert views.customers_held("a2") == [] and views.customers_held(None) == [] and views.customers_held("x") == []
    seen: list[dict[str, Any]] = []
    view = views.attach_agent("a1", seen.append)
    assert seen == [view] and [w["contact_id"] for w in view["work"]] == ["c1"]
    board = views.wallboard()
    json.dumps([view, board, views.agent("a2")])  # plain data all the way down
    assert views.last_seq() == rt.last_seq > 0
    assert set(views.calendars()) == set()

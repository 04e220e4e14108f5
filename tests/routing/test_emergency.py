"""Emergency modes in the engine: a queue or the centre closed, callback-only or overflowing, applied to
arrivals; the previous mode recorded; replay rebuilds the modes; refusals change nothing."""

from __future__ import annotations

import pytest

from blendcc.domain import events as ev
from blendcc.domain.crisis_events import EmergencyModeCleared, EmergencyModeSet
from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.routing.engine import Engine
from blendcc.routing.workflow import Target

from .helpers import T0, Sim, agent, catalog, one, queue, workflow


def centre() -> Sim:
    return Sim(catalog([queue("sales"), queue("billing"), queue("partner")],
                       [agent("a1", "sales", "billing"), agent("a2", "partner")],
                       workflows=[workflow(Target(queue="sales"))]))


def test_modes_apply_to_arrivals_and_waiting_contacts_stay() -> None:
    sim = centre()
    sim.create("before", 0)
    out = sim._rec(sim.engine.set_emergency("sales", "closed", T0 + 1, message="outage", by="sup"))
    assert out == [EmergencyModeSet(scope="sales", mode="closed", message="outage", by="sup", at=T0 + 1)]
    assert one(sim.create("c1", 2), ev.ContactRejected).reason == "emergency"
    assert sim.engine.contacts["before"].state.value == "queued"  # already waiting: stays
    set_again = sim._rec(sim.engine.set_emergency("sales", "overflow", T0 + 3, overflow_queue="billing"))
    assert set_again[0].previous is not None and set_again[0].previous["mode"] == "closed"
    assert one(sim.create("c2", 4), ev.ContactQueued).queue_id == "billing"
    # the centre callback-only: its own target of an emergency overflow is spared
    sim._rec(sim.engine.set_emergency("*", "callback_only", T0 + 5))
    assert one(sim.create("c3", 6), ev.ContactQueued).queue_id == "billing"
    sim._rec(sim.engine.clear_emergency("sales", T0 + 7))
    assert one(sim.create("c4", 8), ev.ContactRejected).reason == "callback_only"
    # a centre overflow to an outsourcing partner's queue: everything goes there, the partner's queue works
    sim._rec(sim.engine.set_emergency("*", "overflow", T0 + 9, overflow_queue="partner"))
    assert one(sim.create("c5", 10), ev.ContactQueued).queue_id == "partner"
    assert sim._rec(sim.engine.clear_emergency("*", T0 + 11)) == [EmergencyModeCleared(scope="*", at=T0 + 11)]
    assert sim.engine.clear_emergency("*", T0 + 12) == []  # already normal: nothing
    assert one(sim.create("c6", 13), ev.ContactQueued).queue_id == "sales"
    assert sim.engine.emergency == {}


def test_replay_rebuilds_the_modes() -> None:
    sim = centre()
    sim._rec(sim.engine.set_emergency("sales", "overflow", T0 + 1, overflow_queue="billing", message="m"))
    sim._rec(sim.engine.set_emergency("*", "closed", T0 + 2))
    sim._rec(sim.engine.clear_emergency("*", T0 + 3))
    fresh = Engine(sim.catalog, T0)
    fresh.replay(sim.log)
    assert fresh.emergency == sim.engine.emergency and set(fresh.emergency) == {"sales"}
    assert one(fresh.create_contact("c1", "voice", T0 + 4), ev.ContactQueued).queue_id == "billing"


@pytest.mark.parametrize(("scope", "mode", "overflow", "error"), [
    ("ghost", "closed", None, NotFound), ("sales", "panic", None, ValidationFailed),
    ("sales", "overflow", None, ValidationFailed), ("sales", "overflow", "ghost", NotFound),
    ("sales", "overflow", "sales", ValidationFailed), ("sales", "closed", "billing", ValidationFailed)])
def test_refusals_change_nothing(scope: str, mode: str, overflow: str | None, error: type[Exception]) -> None:
    sim = centre()
    with pytest.raises(error):
        sim.engine.set_emergency(scope, mode, T0, overflow_queue=overflow)
    assert sim.engine.emergency == {}
    with pytest.raises(ValidationFailed):
        sim.engine.set_emergency("sales", "closed", T0, message="x" * 1001)


def sites() -> Sim:
    return Sim(catalog([queue("sales", site="north"), queue("billing", site="north"), queue("partner", site="south")],
                       [agent("a1", "sales", "billing"), agent("a2", "partner")],
                       workflows=[workflow(Target(queue="sales"))]))


def test_a_site_mode_applies_to_the_queues_of_that_site() -> None:
    sim = sites()
    sim._rec(sim.engine.set_emergency("site:south", "closed", T0 + 1))
    assert one(sim.create("c0", 2), ev.ContactQueued).queue_id == "sales"  # another site's mode: no effect
    sim._rec(sim.engine.set_emergency("site:north", "closed", T0 + 3, by="sup"))
    assert one(sim.create("c1", 4), ev.ContactRejected).reason == "emergency"
    # the queue's own mode comes before its site's
    sim._rec(sim.engine.set_emergency("sales", "overflow", T0 + 5, overflow_queue="billing"))
    assert one(sim.create("c2", 6), ev.ContactQueued).queue_id == "billing"  # the overflow's target is spared
    sim._rec(sim.engine.clear_emergency("sales", T0 + 7))
    # the site overflowing into one of its own queues: that queue is spared, the others go there
    sim._rec(sim.engine.set_emergency("site:north", "overflow", T0 + 8, overflow_queue="billing"))
    assert one(sim.create("c3", 9), ev.ContactQueued).queue_id == "billing"
    fresh = Engine(sim.catalog, T0)
    fresh.replay(sim.log)
    assert set(fresh.emergency) == {"site:north", "site:south"}
    sim._rec(sim.engine.clear_emergency("site:north", T0 + 10))
    assert one(sim.create("c4", 11), ev.ContactQueued).queue_id == "sales"


@pytest.mark.parametrize("scope", ["site:east", "site:", "region:north"])
def test_unknown_sites_are_refused(scope: str) -> None:
    sim = sites()
    with pytest.raises(NotFound):
        sim.engine.set_emergency(scope, "closed", T0)
    assert sim.engine.emergency == {}

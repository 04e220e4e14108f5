"""Engine outbound commands: free agents (inbound first), reservations, connecting answered calls."""

from __future__ import annotations

import pytest

from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState
from blendcc.routing.engine import Engine

from .helpers import T0, Sim, agent, catalog, of, one, queue


def centre(agents: int = 2, wrap_up_s: float = 30.0) -> Sim:
    return Sim(catalog([queue("sales", wrap_up_s=wrap_up_s), queue("other")],
                       [agent(f"a{i + 1}", "sales") for i in range(agents)] + [agent("x1", "other")]))


def test_free_agents_are_logged_in_available_idle_longest_idle_first() -> None:
    sim = centre(3)
    sim.login("a2", 0)
    sim.login("a1", 5)
    sim.login("a3", 6, status="aux", reason="break")
    sim.login("x1", 0)
    assert sim.engine.outbound_agents("sales") == ["a2", "a1"]
    sim.create("c1", 10)  # inbound takes a2 (longest idle)
    assert sim.engine.outbound_agents("sales") == ["a1"]
    counts = sim.engine.pool_counts("sales")
    assert counts["busy"] == 1 and counts["free"] == 1 and counts["aux"] == 1 and counts["logged_in"] == 3


def test_inbound_first_no_outbound_agent_while_inbound_waits() -> None:
    sim = centre(1)
    sim.login("a1", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a1", 2)
    sim.create("c2", 3)  # waits: nobody free
    sim.end("c1", "a1", 10)
    sim.wrap_up("c1", "a1", 11)  # a1 gets c2 offered at once
    assert sim.offered_to("c2") == "a1"
    assert sim.engine.outbound_agents("sales") == []
    with pytest.raises(InvalidState):
        sim.engine.connect_outbound("call1", "sales", T0 + 12)


def test_reservation_blocks_inbound_and_release_offers_waiting_inbound() -> None:
    sim = centre(1)
    sim.login("a1", 0)
    out = sim._rec(sim.engine.reserve_outbound("a1", T0 + 1, campaign_id="camp"))
    status = one(out, ev.AgentStatusChanged)
    assert (status.status, status.reason, status.by) == ("aux", "outbound", "dialer:camp")
    assert sim.engine.is_reserved_outbound("a1")
    sim.create("c1", 2)
    assert sim.contact_state("c1") == "queued"  # not offered to the reserved agent
    with pytest.raises(InvalidState):
        sim.engine.reserve_outbound("a1", T0 + 3, campaign_id="camp")
    out = sim._rec(sim.engine.release_outbound("a1", T0 + 27))
    assert one(out, ev.ContactOffered).contact_id == "c1"
    assert not sim.engine.is_reserved_outbound("a1")


def test_release_leaves_an_agent_who_changed_status_alone() -> None:
    sim = centre(1)
    sim.login("a1", 0)
    sim._rec(sim.engine.reserve_outbound("a1", T0 + 1, campaign_id="camp"))
    sim.aux("a1", 2, "lunch")
    assert sim.engine.release_outbound("a1", T0 + 3) == []
    assert sim.engine.agents["a1"].aux_reason == "lunch"


def test_connect_reserved_agent_then_ordinary_lifecycle_with_wrap_up() -> None:
    sim = centre(2)
    sim.login("a1", 0)
    sim.login("a2", 0)
    sim._rec(sim.engine.reserve_outbound("a2", T0 + 1, campaign_id="camp"))
    out = sim._rec(sim.engine.connect_outbound("call1", "sales", T0 + 9, agent_id="a2",
                                               attributes={"campaign_id": "camp", "record_id": "r1"}))
    created = one(out, ev.ContactCreated)
    assert created.direction == "outbound" and created.channel == "voice"
    assert created.attributes["record_id"] == "r1"
    connected = one(out, ev.ContactConnected)
    assert (connected.agent_id, connected.queue_id, connected.wait_s) == ("a2", "sales", 0.0)
    assert sim.state("a2") == "busy" and sim.contact_state("call1") == "connected"
    assert not of(out, ev.OfferRevoked)
    sim.end("call1", "a2", 159)
    assert sim.state("a2") == "wrap_up"
    out = sim.tick(189)
    done = one(out, ev.WrapUpCompleted)
    assert done.talk_s == 150.0 and done.acw_s == 30.0
    assert sim.state("a2") == "available" and sim.contact_state("call1") == "gone"


def test_connect_predictive_picks_longest_idle_free_agent_and_refuses_when_none() -> None:
    sim = centre(2)
    sim.login("a1", 0)
    sim.login("a2", 5)
    out = sim._rec(sim.engine.connect_outbound("call1", "sales", T0 + 10))
    assert one(out, ev.ContactConnected).agent_id == "a1"
    out = sim._rec(sim.engine.connect_outbound("call2", "sales", T0 + 11))
    assert one(out, ev.ContactConnected).agent_id == "a2"
    with pytest.raises(InvalidState):
        sim.engine.connect_outbound("call3", "sales", T0 + 12)
    with pytest.raises(InvalidState):
        sim.engine.connect_outbound("call1", "sales", T0 + 12)  # duplicate id


def test_outbound_contacts_replay_to_the_same_state() -> None:
    sim = centre(2)
    sim.login("a1", 0)
    sim.login("a2", 0)
    sim._rec(sim.engine.reserve_outbound("a1", T0 + 1, campaign_id="camp"))
    sim._rec(sim.engine.connect_outbound("call1", "sales", T0 + 2))
    fresh = Engine(sim.catalog, T0)
    fresh.replay(sim.log)
    assert fresh.is_reserved_outbound("a1")
    assert fresh.agents["a2"].work["call1"].stage == "busy"
    assert fresh.outbound_agents("sales") == []


def test_dialer_events_in_the_log_replay_as_no_change() -> None:
    from blendcc.domain.dialer_events import CallPlaced

    sim = centre(1)
    sim.login("a1", 0)
    placed = CallPlaced(at=T0 + 1, campaign_id="camp", call_id="call1", record_id="r1", phone="+14155550100",
                        mode="predictive")
    fresh = Engine(sim.catalog, T0)
    fresh.replay([*sim.log, placed])
    assert fresh.outbound_agents("sales") == ["a1"]

"""Engine scenarios, one contact at a time: offer, accept, hold, end, wrap-up, ring-no-answer, decline."""

from __future__ import annotations

import pytest

from blendcc.domain import events as ev
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed

from .helpers import T0, Sim, agent, catalog, names, of, offers, one, queue


def sales_centre(wrap_up_s: float | None = 30.0, agents: int = 1) -> Sim:
    return Sim(catalog([queue("sales", wrap_up_s=wrap_up_s, offer_timeout_s=20)],
                       [agent(f"a{i + 1}", "sales") for i in range(agents)]))


def test_full_lifecycle_with_hold_and_wrap_up() -> None:
    sim = sales_centre()
    out = sim.login("a1", 0)
    assert names(out) == ["AgentLoggedIn", "AgentStatusChanged", "AgentStateChanged"]
    assert one(out, ev.AgentStateChanged).state == "available"

    out = sim.create("c1", 10)
    assert names(out) == ["ContactCreated", "ContactRouted", "ContactQueued", "ContactOffered",
                          "AgentStateChanged"]
    offer = one(out, ev.ContactOffered)
    assert (offer.agent_id, offer.queue_id, offer.channel) == ("a1", "sales", "voice")
    assert offer.expires_at == T0 + 30
    assert one(out, ev.AgentStateChanged).state == "reserved"
    assert sim.contact_state("c1") == "offered"

    out = sim.accept("c1", "a1", 15)
    connected = one(out, ev.ContactConnected)
    assert connected.wait_s == 5.0 and connected.queued_at == T0 + 10
    assert one(out, ev.AgentStateChanged).state == "busy"

    assert names(sim.hold("c1", "a1", 20)) == ["ContactHeld"]
    assert sim.contact_state("c1") == "held" and sim.state("a1") == "busy"
    assert names(sim.unhold("c1", "a1", 32)) == ["ContactResumed"]
    assert sim.contact_state("c1") == "connected"

    out = sim.end("c1", "a1", 50)
    ended = one(out, ev.ContactEnded)
    assert ended.reason == "agent" and ended.wrap_up_until == T0 + 80
    assert one(out, ev.AgentStateChanged).state == "wrap_up"
    assert sim.contact_state("c1") == "wrap_up"

    out = sim.wrap_up("c1", "a1", 60, disposition="sold", notes="upsell")
    assert names(out) == ["WrapUpCompleted", "ContactClosed", "AgentStateChanged"]
    done = one(out, ev.WrapUpCompleted)
    assert (done.talk_s, done.hold_s, done.acw_s) == (23.0, 12.0, 10.0)
    assert (done.disposition, done.notes, done.timed_out) == ("sold", "upsell", False)
    assert done.queued_at == T0 + 10 and done.queue_id == "sales"
    assert one(out, ev.ContactClosed).outcome == "completed"
    assert one(out, ev.AgentStateChanged).state == "available"
    assert sim.contact_state("c1") == "gone"
    assert sim.engine.is_terminal("c1")
    assert sim.engine.agents["a1"].load == {} and sim.engine.agents["a1"].work == {}
    # the stale wrap-up timer does nothing
    assert sim.tick(100) == []


def test_timed_wrap_up_completes_on_tick() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 2)
    sim.end("c1", "a1", 62)
    assert sim.tick(91) == []
    out = sim.tick(92)
    done = one(out, ev.WrapUpCompleted)
    assert done.timed_out and (done.talk_s, done.hold_s, done.acw_s) == (60.0, 0.0, 30.0)
    assert one(out, ev.ContactClosed).outcome == "completed"
    assert sim.state("a1") == "available"


def test_end_while_on_hold_counts_hold_until_the_end() -> None:
    sim = sales_centre(wrap_up_s=None)
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 0)
    sim.hold("c1", "a1", 40)
    out = sim.end("c1", "a1", 55)
    assert one(out, ev.ContactEnded).wrap_up_until is None  # untimed wrap-up
    assert sim.tick(10_000) == []
    done = one(sim.wrap_up("c1", "a1", 100), ev.WrapUpCompleted)
    assert (done.talk_s, done.hold_s, done.acw_s) == (40.0, 15.0, 45.0)


def test_wrap_up_during_conversation_ends_it_first() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 0)
    out = sim.wrap_up("c1", "a1", 30, disposition="resolved")
    assert names(out)[:3] == ["ContactEnded", "WrapUpCompleted", "ContactClosed"]
    done = one(out, ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s) == (30.0, 0.0)


def test_zero_wrap_up_completes_at_once_and_takes_the_next_contact() -> None:
    sim = sales_centre(wrap_up_s=0)
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.create("c2", 5)
    sim.accept("c1", "a1", 1)
    out = sim.end("c1", "a1", 20)
    done = one(out, ev.WrapUpCompleted)
    assert done.timed_out and done.acw_s == 0.0
    assert one(out, ev.ContactClosed).contact_id == "c1"
    # the agent is free again and the waiting contact is offered at once
    assert offers(out) == [("c2", "a1")]


def test_ring_no_answer_puts_agent_in_missed_and_contact_keeps_its_place() -> None:
    sim = sales_centre(agents=2)
    sim.login("a1", 0)
    sim.login("a2", 1, status="aux", reason="break")
    sim.create("c1", 10)
    sim.create("c2", 12)
    assert sim.offered_to("c1") == "a1"
    assert sim.contact_state("c2") == "queued"
    assert sim.tick(29) == []
    out = sim.tick(30)
    revoked = one(out, ev.OfferRevoked)
    assert (revoked.contact_id, revoked.agent_id, revoked.reason) == ("c1", "a1", "timeout")
    status = one(out, ev.AgentStatusChanged)
    assert (status.agent_id, status.status, status.reason) == ("a1", "aux", "missed")
    assert sim.state("a1") == "aux" and sim.engine.agents["a1"].state_reason == "missed"
    assert sim.contact_state("c1") == "queued"
    # the next free agent gets c1 (first in line), not c2
    out = sim.available("a2", 40)
    assert offers(out) == [("c1", "a2")]
    # a1 comes back: c2 is next
    assert offers(sim.available("a1", 41)) == [("c2", "a1")]
    # c1's wait counts from its queue entry, through the missed offer
    assert one(sim.accept("c1", "a2", 45), ev.ContactConnected).wait_s == 35.0


def test_accepting_an_expired_offer_is_refused() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.tick(20)
    with pytest.raises(NotFound):
        sim.accept("c1", "a1", 21)


def test_decline_offers_the_contact_to_another_agent_and_never_back() -> None:
    sim = sales_centre(agents=2)
    sim.login("a1", 0)
    sim.login("a2", 5, status="aux", reason="lunch")
    sim.create("c1", 10)
    assert sim.offered_to("c1") == "a1"
    out = sim.decline("c1", "a1", 12)
    assert one(out, ev.OfferRevoked).reason == "declined"
    assert of(out, ev.ContactOffered) == []  # a1 declined; a2 is not ready
    assert sim.state("a1") == "available"  # declining is not a missed offer
    assert sim.contact_state("c1") == "queued"
    # a1 stays available but is never offered c1 again ...
    sim.create("c2", 20)
    assert sim.offered_to("c2") == "a1"
    sim.handle("c2", "a1", 21)
    assert sim.offered_to("c1") is None
    # ... a2 gets it
    assert offers(sim.available("a2", 100)) == [("c1", "a2")]


def test_decline_by_the_only_agent_leaves_the_contact_waiting() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.decline("c1", "a1", 1)
    assert sim.contact_state("c1") == "queued"
    assert sim.tick(100) == []  # the old offer timer is stale
    assert sim.state("a1") == "available"


def test_invalid_commands_raise_domain_errors() -> None:
    sim = sales_centre(agents=2)
    with pytest.raises(NotFound):
        sim.login("ghost", 0)
    with pytest.raises(InvalidState):
        sim.available("a1", 0)  # not logged in
    sim.login("a1", 0)
    with pytest.raises(InvalidState):
        sim.login("a1", 1)
    with pytest.raises(ValidationFailed):
        sim.status("a1", 1, "aux")  # aux needs a reason
    with pytest.raises(ValidationFailed):
        sim.status("a1", 1, "sleeping")
    with pytest.raises(ValidationFailed):
        sim.create("c0", 1, channel="pigeon")
    sim.create("c1", 2)
    with pytest.raises(InvalidState):
        sim.create("c1", 2)
    with pytest.raises(NotFound):
        sim.accept("c1", "a2", 3)  # offered to a1, not a2
    with pytest.raises(NotFound):
        sim.hold("c1", "a2", 3)
    with pytest.raises(InvalidState):
        sim.hold("c1", "a1", 3)  # not accepted yet
    with pytest.raises(InvalidState):
        sim.end("c1", "a1", 3)
    with pytest.raises(InvalidState):
        sim.wrap_up("c1", "a1", 3)
    sim.accept("c1", "a1", 4)
    with pytest.raises(InvalidState):
        sim.accept("c1", "a1", 4)
    with pytest.raises(InvalidState):
        sim.decline("c1", "a1", 4)
    with pytest.raises(InvalidState):
        sim.unhold("c1", "a1", 5)
    with pytest.raises(InvalidState):
        sim.logout("a1", 6)  # handling a contact
    with pytest.raises(NotFound):
        sim.customer_left("nope", 6)
    with pytest.raises(InvalidState):
        sim.move("c1", "sales", 6)  # connected contacts cannot be moved


def test_forced_logout_ends_the_conversation_once() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 0)
    out = sim.logout("a1", 30, force=True)
    assert names(out)[:3] == ["ContactEnded", "WrapUpCompleted", "ContactClosed"]
    assert len(of(out, ev.WrapUpCompleted)) == 1
    assert one(out, ev.AgentLoggedOut).agent_id == "a1"
    assert sim.state("a1") == "offline"


def test_forced_logout_with_zero_wrap_up_completes_the_leg_once() -> None:
    sim = sales_centre(wrap_up_s=0)
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.create("c2", 1)
    sim.accept("c1", "a1", 0)
    out = sim.logout("a1", 30, force=True)
    assert len(of(out, ev.WrapUpCompleted)) == 1
    assert of(out, ev.ContactOffered) == []  # nothing offered to an agent who is leaving
    assert sim.engine.agents["a1"].work == {}
    assert sim.contact_state("c2") == "queued"


def test_logout_completes_open_wrap_up() -> None:
    sim = sales_centre(wrap_up_s=None)
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 0)
    sim.end("c1", "a1", 10)
    out = sim.logout("a1", 25)
    assert names(out) == ["WrapUpCompleted", "ContactClosed", "AgentLoggedOut", "AgentStateChanged"]
    assert one(out, ev.WrapUpCompleted).acw_s == 15.0


def test_customer_hangs_up_during_conversation() -> None:
    sim = sales_centre()
    sim.login("a1", 0)
    sim.create("c1", 0)
    sim.accept("c1", "a1", 3)
    out = sim.customer_left("c1", 33)
    ended = one(out, ev.ContactEnded)
    assert ended.reason == "customer" and ended.wrap_up_until == T0 + 63
    assert sim.state("a1") == "wrap_up"
    done = one(sim.wrap_up("c1", "a1", 40), ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s) == (30.0, 7.0)
    # leaving again after the end changes nothing
    sim2 = sales_centre()
    sim2.login("a1", 0)
    sim2.create("c1", 0)
    sim2.accept("c1", "a1", 0)
    sim2.end("c1", "a1", 5)
    assert sim2.customer_left("c1", 6) == []


def test_refused_login_changes_nothing() -> None:
    sim = sales_centre()
    with pytest.raises(ValidationFailed):
        sim.login("a1", 0, status="aux")  # aux needs a reason
    with pytest.raises(ValidationFailed):
        sim.login("a1", 0, status="lunching")
    assert sim.state("a1") == "offline"
    assert not sim.engine.agents["a1"].logged_in
    out = sim.login("a1", 1, status="aux", reason="break")
    assert names(out) == ["AgentLoggedIn", "AgentStatusChanged", "AgentStateChanged"]

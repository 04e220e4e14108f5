"""Regression tests for the two agent-state bugs of the browser trial: aux forced during wrap-up, and the
transferring agent left in untimed wrap-up for a contact another agent closed."""

from __future__ import annotations

from blendcc.domain import events as ev
from blendcc.domain.channels import Channel

from .helpers import T0, Sim, agent, catalog, names, of, offers, one, queue


def untimed_centre() -> Sim:
    cat = catalog([queue("q1", wrap_up_s=None), queue("q2", wrap_up_s=None)],
                  [agent("a", "q1"), agent("b", "q2"), agent("c", "q1")])
    return Sim(cat)


def last_logged_state(sim: Sim, aid: str) -> str:
    return [e for e in sim.log if isinstance(e, ev.AgentStateChanged) and e.agent_id == aid][-1].state


def in_wrap_up(sim: Sim, aid: str, cid: str, t: float) -> None:
    sim.login(aid, t)
    sim.create(cid, t + 1)
    sim.accept(cid, aid, t + 2)
    sim.end(cid, aid, t + 30)
    assert sim.state(aid) == "wrap_up"


def test_supervisor_forcing_aux_during_untimed_wrap_up_ends_it_and_the_agent_is_in_aux() -> None:
    sim = untimed_centre()
    in_wrap_up(sim, "a", "c1", 0)
    out = sim._rec(sim.engine.set_status("a", "aux", T0 + 40, reason="meeting", by="sup"))
    assert names(out) == ["AgentStatusChanged", "WrapUpCompleted", "ContactClosed", "AgentStateChanged"]
    done = one(out, ev.WrapUpCompleted)
    assert (done.agent_id, done.contact_id, done.acw_s, done.timed_out) == ("a", "c1", 10.0, True)
    a = sim.engine.agents["a"]
    assert (sim.state("a"), a.state_reason, a.work, a.load) == ("aux", "meeting", {}, {})
    assert last_logged_state(sim, "a") == "aux"  # the log and the observable state agree
    assert sim.contact_state("c1") == "gone"
    sim.create("c2", 41)  # aux: nothing is offered
    assert sim.offered_to("c2") is None


def test_supervisor_forcing_aux_during_timed_wrap_up_ends_it_too() -> None:
    sim = Sim(catalog([queue("q1", wrap_up_s=60)], [agent("a", "q1")]))
    in_wrap_up(sim, "a", "c1", 0)
    out = sim._rec(sim.engine.set_status("a", "aux", T0 + 35, reason="coaching", by="sup"))
    assert one(out, ev.WrapUpCompleted).acw_s == 5.0
    assert sim.state("a") == "aux" and last_logged_state(sim, "a") == "aux"
    assert of(sim.tick(200), ev.WrapUpCompleted) == []  # the wrap-up timer finds nothing left to end


def test_agent_choosing_aux_during_wrap_up_is_pending_until_the_wrap_up_ends() -> None:
    sim = untimed_centre()
    in_wrap_up(sim, "a", "c1", 0)
    out = sim.aux("a", 40, "lunch")
    assert names(out) == ["AgentStatusChanged"]  # presence is aux; the observable state stays wrap-up
    assert sim.state("a") == "wrap_up" and last_logged_state(sim, "a") == "wrap_up"
    out = sim.wrap_up("c1", "a", 50)
    assert one(out, ev.AgentStateChanged).state == "aux" and sim.state("a") == "aux"


def test_supervisor_forcing_aux_during_a_conversation_applies_when_it_ends() -> None:
    sim = untimed_centre()
    sim.login("a", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    out = sim._rec(sim.engine.set_status("a", "aux", T0 + 10, reason="meeting", by="sup"))
    assert names(out) == ["AgentStatusChanged"] and sim.state("a") == "busy"
    sim.end("c1", "a", 20)
    assert sim.state("a") == "wrap_up"  # the agent's own after-call work is kept


def test_transferring_agent_in_untimed_wrap_up_is_freed_when_the_other_agent_closes_the_contact() -> None:
    sim = untimed_centre()
    sim.login("a", 0)
    sim.login("b", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    sim.transfer("c1", "a", 20, to_queue="q2")
    a = sim.engine.agents["a"]
    assert sim.state("a") == "wrap_up" and a.load == {Channel.VOICE: 1}
    assert offers(sim.log[-6:]) == [("c1", "b")]
    sim.accept("c1", "b", 22)
    sim.end("c1", "b", 60)
    out = sim.wrap_up("c1", "b", 65, disposition="solved")
    closed = one(out, ev.ContactClosed)
    freed = [e for e in of(out, ev.WrapUpCompleted) if e.agent_id == "a"]
    assert len(freed) == 1 and freed[0].timed_out and freed[0].at >= closed.at
    assert (a.work, a.load, sim.state("a")) == ({}, {}, "available")
    assert last_logged_state(sim, "a") == "available"
    sim.create("c2", 70)  # the voice capacity is free again: a takes the next call
    assert sim.offered_to("c2") == "a"


def test_transferring_agent_can_still_wrap_up_before_the_contact_closes() -> None:
    sim = untimed_centre()
    sim.login("a", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    sim.transfer("c1", "a", 20, to_queue="q2")
    out = sim.wrap_up("c1", "a", 30, disposition="transferred")
    assert one(out, ev.WrapUpCompleted).disposition == "transferred" and of(out, ev.ContactClosed) == []
    assert sim.state("a") == "available"


def test_transferred_contact_abandoned_in_the_new_queue_frees_the_transferring_agent() -> None:
    sim = untimed_centre()
    sim.login("a", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    sim.transfer("c1", "a", 20, to_queue="q2")  # nobody logged in to q2
    out = sim.customer_left("c1", 40)
    assert [e.agent_id for e in of(out, ev.WrapUpCompleted)] == ["a"]
    assert sim.engine.agents["a"].work == {} and sim.state("a") == "available"

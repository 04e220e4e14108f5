"""Digital conversation states in the engine: pending/snoozed free capacity and keep the owner; the customer's
reply or the snooze time routes back to the owner first, then the queue; resolve closes; replay agrees."""

from __future__ import annotations

from typing import Any

import pytest

from blendcc.domain import events as ev
from blendcc.domain.conversation_events import ConversationReopened, ConversationStateChanged
from blendcc.domain.errors import Forbidden, InvalidState, ValidationFailed
from blendcc.routing.catalog import RoutingSettings
from blendcc.routing.commands import SetConversationState, command_from_dict, run
from blendcc.routing.engine import Engine

from .helpers import CHAT_3_EMAIL_2, T0, Sim, agent, catalog, of, one, queue

OWNER_WAIT = 90.0


def centre() -> Sim:
    cat = catalog([queue("support", wrap_up_s=None)],
                  [agent("a1", "support", capacity=CHAT_3_EMAIL_2), agent("a2", "support", capacity=CHAT_3_EMAIL_2)],
                  settings=RoutingSettings(conversation_owner_wait_s=OWNER_WAIT))
    return Sim(cat)


def set_state(sim: Sim, cid: str, state: str, t: float, **kw: Any) -> list[ev.Event]:
    return sim._rec(sim.engine.set_conversation_state(cid, state, T0 + t, **kw))


def chat_with_a1(sim: Sim) -> None:
    sim.login("a1", 0)
    sim.create("c1", 1, channel="chat")
    assert sim.offered_to("c1") == "a1"
    sim.accept("c1", "a1", 2)


def test_pending_frees_the_slot_and_keeps_the_owner() -> None:
    sim = centre()
    chat_with_a1(sim)
    out = set_state(sim, "c1", "pending", 10, agent_id="a1")
    change = one(out, ConversationStateChanged)
    assert (change.state, change.previous, change.agent_id, change.by) == ("pending", "open", "a1", "a1")
    assert "c1" not in sim.engine.agents["a1"].work  # the capacity slot is free
    assert sim.engine.agents["a1"].load.get(sim.engine.contacts["c1"].channel, 0) == 0
    assert sim.contact_state("c1") == "parked"
    assert sim.engine.contacts["c1"].owner == "a1"
    assert one(out, ev.WrapUpCompleted).talk_s == pytest.approx(8.0)
    assert not of(out, ev.ContactClosed)


def test_customer_reply_goes_to_the_owner_first_then_the_queue() -> None:
    sim = centre()
    chat_with_a1(sim)
    set_state(sim, "c1", "pending", 10, agent_id="a1")
    sim.login("a2", 11)
    sim.aux("a1", 12)
    out = sim._rec(sim.engine.customer_wrote("c1", T0 + 20))
    assert one(out, ConversationStateChanged).state == "open"
    routed = one(out, ev.ContactRouted)
    assert routed.steps[0].agent_id == "a1" and routed.steps[0].timeout_s == OWNER_WAIT
    assert sim.contact_state("c1") == "queued"  # a2 is free but the owner has the first claim
    sim.available("a1", 30)
    assert sim.offered_to("c1") == "a1"
    sim.decline("c1", "a1", 31)
    sim.aux("a1", 32)
    sim.tick(20 + OWNER_WAIT)  # the owner's time is up: the queue's rules apply
    assert sim.offered_to("c1") == "a2"


def test_reply_when_the_owner_is_logged_out_goes_straight_to_the_queue() -> None:
    sim = centre()
    chat_with_a1(sim)
    set_state(sim, "c1", "pending", 10, agent_id="a1")
    sim.logout("a1", 11)
    sim.login("a2", 12)
    out = sim._rec(sim.engine.customer_wrote("c1", T0 + 20))
    assert all(s.agent_id is None for s in one(out, ev.ContactRouted).steps)
    assert sim.offered_to("c1") == "a2"


def test_snooze_wakes_up_at_its_time_and_a_later_change_cancels_it() -> None:
    sim = centre()
    chat_with_a1(sim)
    set_state(sim, "c1", "snoozed", 10, agent_id="a1", until=T0 + 3600)
    assert not of(sim.tick(3599), ConversationStateChanged)
    out = sim.tick(3600)
    change = one(out, ConversationStateChanged)
    assert (change.state, change.previous, change.by, change.reason) == ("open", "snoozed", "system", "snooze_expired")
    assert sim.offered_to("c1") == "a1"
    # a second snooze, then pending: the first wake-up no longer fires
    sim.accept("c1", "a1", 3601)
    set_state(sim, "c1", "snoozed", 3602, agent_id="a1", until=T0 + 7200)
    set_state(sim, "c1", "pending", 3603, agent_id="a1")
    assert not of(sim.tick(7300), ConversationStateChanged)
    assert sim.contact_state("c1") == "parked"


def test_resolve_closes_from_connected_and_from_pending() -> None:
    sim = centre()
    chat_with_a1(sim)
    out = set_state(sim, "c1", "resolved", 10, agent_id="a1", disposition="solved")
    assert one(out, ev.WrapUpCompleted).disposition == "solved"
    assert one(out, ev.ContactClosed).outcome == "completed"
    assert sim.contact_state("c1") == "gone"
    sim.create("c2", 20, channel="chat")
    sim.accept("c2", "a1", 21)
    set_state(sim, "c2", "pending", 22, agent_id="a1")
    out = set_state(sim, "c2", "resolved", 30, agent_id="a1")
    assert one(out, ConversationStateChanged).previous == "pending"
    assert one(out, ev.ContactClosed).outcome == "completed"
    assert sim.contact_state("c2") == "gone"


def test_illegal_steps_are_refused_and_change_nothing() -> None:
    sim = centre()
    sim.login("a1", 0)
    sim.login("a2", 0)
    sim.create("v1", 1, channel="voice")
    with pytest.raises(ValidationFailed):
        set_state(sim, "v1", "pending", 2)
    sim.create("c1", 3, channel="chat")
    with pytest.raises(InvalidState):  # still on offer: nobody holds it yet
        set_state(sim, "c1", "pending", 4)
    holder = sim.offered_to("c1")
    assert holder is not None
    sim.accept("c1", holder, 5)
    other = "a2" if holder == "a1" else "a1"
    with pytest.raises(Forbidden):  # only the holder (or a supervisor) may park it
        set_state(sim, "c1", "pending", 6, agent_id=other)
    with pytest.raises(InvalidState):  # open -> open is no step
        set_state(sim, "c1", "open", 6)
    with pytest.raises(ValidationFailed):
        set_state(sim, "c1", "snoozed", 6, until=T0 + 6)
    with pytest.raises(ValidationFailed):
        set_state(sim, "c1", "closed", 6)
    assert sim.contact_state("c1") == "connected"


def test_reopened_contact_prefers_the_previous_owner() -> None:
    sim = centre()
    sim.login("a1", 0)
    sim.login("a2", 0)
    sim.aux("a1", 0)
    out = sim._rec(sim.engine.reopen_contact("c9", "email", T0 + 5, previous_contact_id="c1",
                                             resolved_at=T0 - 100, owner="a1", customer_id="k1"))
    reopened = one(out, ConversationReopened)
    assert (reopened.previous_contact_id, reopened.agent_id) == ("c1", "a1")
    assert one(out, ev.ContactRouted).steps[0].agent_id == "a1"
    assert sim.contact_state("c9") == "queued"  # waiting for a1, although a2 is free
    sim.available("a1", 6)
    assert sim.offered_to("c9") == "a1"


def test_replay_rebuilds_parked_and_snoozed_conversations() -> None:
    sim = centre()
    chat_with_a1(sim)
    set_state(sim, "c1", "snoozed", 10, agent_id="a1", until=T0 + 500)
    sim.create("c2", 11, channel="chat")
    sim.accept("c2", "a1", 12)
    set_state(sim, "c2", "pending", 13, agent_id="a1")
    again = Engine(sim.catalog, T0)
    again.replay(sim.log)
    for cid in ("c1", "c2"):
        a, b = sim.engine.contacts[cid], again.contacts[cid]
        assert (a.state, a.conversation, a.owner, a.snooze_until) == (b.state, b.conversation, b.owner, b.snooze_until)
    assert again.agents["a1"].work == {}
    out = again.resume(T0 + 600)
    assert one(out, ConversationStateChanged).contact_id == "c1"


def test_the_command_record_round_trips_and_runs() -> None:
    sim = centre()
    chat_with_a1(sim)
    cmd = SetConversationState("c1", "snoozed", agent_id="a1", until=T0 + 60.0, reason="call back later")
    assert command_from_dict(cmd.to_dict()) == cmd
    out = run(sim.engine, cmd, T0 + 10)
    assert one(out, ConversationStateChanged).until == T0 + 60.0


def test_the_owner_transfers_a_pending_conversation_to_an_agent_or_a_queue() -> None:
    sim = centre()
    chat_with_a1(sim)
    set_state(sim, "c1", "pending", 10, agent_id="a1")
    sim.login("a2", 11)
    with pytest.raises(Forbidden):
        sim.transfer("c1", "a2", 12, to_agent="a1")  # only the owner hands it on
    out = sim.transfer("c1", "a1", 12, to_agent="a2")
    change = one(out, ConversationStateChanged)
    assert (change.state, change.previous, change.agent_id, change.reason) == ("open", "pending", "a2", "transfer")
    assert sim.offered_to("c1") == "a2"
    sim.accept("c1", "a2", 13)
    set_state(sim, "c1", "pending", 14, agent_id="a2")
    assert sim.engine.contacts["c1"].owner == "a2"
    sim.aux("a2", 15)
    sim.transfer("c1", "a2", 16, to_queue="support")
    assert sim.offered_to("c1") == "a1"  # the queue's rules: a1 is the one available

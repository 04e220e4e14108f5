"""Engine scenarios where a contact changes hands or leaves: transfers, supervisor moves, abandons,
logout with a ringing offer, and concurrent digital work."""

from __future__ import annotations

import pytest

from blendcc.domain import events as ev
from blendcc.domain.agent import Capacity
from blendcc.domain.channels import Channel
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.routing.catalog import RoutingSettings
from blendcc.routing.workflow import Filter, Target

from .helpers import CHAT_3_EMAIL_2, T0, Sim, agent, catalog, names, of, offers, one, queue, workflow


def two_queue_centre(**settings: float) -> Sim:
    cat = catalog([queue("q1", wrap_up_s=30), queue("q2", wrap_up_s=10)],
                  [agent("a", "q1"), agent("b", "q2"), agent("c", "q1"), agent("d", "q1")],
                  settings=RoutingSettings(**settings))
    return Sim(cat)


def test_transfer_to_queue() -> None:
    sim = two_queue_centre()
    sim.login("a", 0)
    sim.login("b", 0, status="aux", reason="break")
    sim.create("c1", 10)
    sim.accept("c1", "a", 12)
    out = sim.transfer("c1", "a", 40, to_queue="q2")
    assert names(out) == ["ContactTransferred", "ContactEnded", "ContactRouted", "ContactQueued",
                          "AgentStateChanged"]
    t = one(out, ev.ContactTransferred)
    assert (t.from_agent_id, t.from_queue_id, t.to_queue_id, t.to_agent_id, t.queued_at) == (
        "a", "q1", "q2", None, T0 + 10)
    ended = one(out, ev.ContactEnded)
    assert ended.reason == "transfer" and ended.wrap_up_until == T0 + 70
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.reason) == ("q2", "transfer")
    assert sim.state("a") == "wrap_up"
    assert sim.contact_state("c1") == "queued"

    assert offers(sim.available("b", 45)) == [("c1", "b")]
    assert one(sim.accept("c1", "b", 47), ev.ContactConnected).wait_s == 7.0
    # the first agent's wrap-up does not close the contact
    out = sim.wrap_up("c1", "a", 50, disposition="transferred")
    done = one(out, ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s, done.queue_id) == (28.0, 10.0, "q1")
    assert of(out, ev.ContactClosed) == []
    sim.end("c1", "b", 107)
    out = sim.wrap_up("c1", "b", 110)
    done = one(out, ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s, done.queue_id, done.queued_at) == (60.0, 3.0, "q2", T0 + 40)
    assert one(out, ev.ContactClosed).outcome == "completed"


def test_transfer_to_agent_is_offered_to_that_agent() -> None:
    sim = two_queue_centre()
    for aid in "acd":
        sim.login(aid, 0)
    sim.create("c1", 1)
    assert sim.offered_to("c1") == "a"
    sim.accept("c1", "a", 2)
    out = sim.transfer("c1", "a", 20, to_agent="d")
    assert one(out, ev.ContactTransferred).to_agent_id == "d"
    assert offers(out) == [("c1", "d")]  # c is free and idle longer, but the transfer names d


def test_transfer_to_agent_falls_back_to_the_queue_after_timeout() -> None:
    sim = two_queue_centre(transfer_to_agent_timeout_s=30)
    sim.login("a", 0)
    sim.login("d", 0, status="aux", reason="meeting")
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    sim.login("c", 3)
    out = sim.transfer("c1", "a", 20, to_agent="d")
    assert offers(out) == []  # d is in a meeting; c must not take it yet
    routed = one(out, ev.ContactRouted)
    assert routed.filter_name == "transfer" and routed.steps[0].agent_id == "d"
    assert sim.tick(49) == []
    out = sim.tick(50)
    assert one(out, ev.ContactStepAdvanced).step_index == 1
    assert offers(out) == [("c1", "c")]


def test_transfer_errors() -> None:
    sim = two_queue_centre()
    sim.login("a", 0)
    sim.create("c1", 1)
    with pytest.raises(InvalidState):
        sim.transfer("c1", "a", 1, to_queue="q2")  # not accepted yet
    sim.accept("c1", "a", 2)
    with pytest.raises(ValidationFailed):
        sim.transfer("c1", "a", 3)
    with pytest.raises(ValidationFailed):
        sim.transfer("c1", "a", 3, to_queue="q2", to_agent="b")
    with pytest.raises(NotFound):
        sim.transfer("c1", "a", 3, to_queue="nowhere")
    with pytest.raises(ValidationFailed):
        sim.transfer("c1", "a", 3, to_agent="a")
    with pytest.raises(InvalidState):
        sim.transfer("c1", "a", 3, to_agent="b")  # b is not logged in
    with pytest.raises(NotFound):
        sim.transfer("c1", "a", 3, to_agent="nobody")
    assert sim.contact_state("c1") == "connected"


def test_transferred_chat_is_not_offered_back_to_the_agent_still_wrapping_it_up() -> None:
    chat = Capacity(limits={Channel.CHAT: 3})
    cat = catalog([queue("web", wrap_up_s=60)], [agent("x", "web", capacity=chat), agent("y", "web", capacity=chat)])
    sim = Sim(cat)
    sim.login("x", 0)
    sim.create("ch1", 1, channel="chat")
    sim.accept("ch1", "x", 2)
    sim.transfer("ch1", "x", 10, to_queue="web")
    x = sim.engine.agents["x"]
    assert x.load == {Channel.CHAT: len(x.work)}
    assert sim.offered_to("ch1") is None
    assert offers(sim.login("y", 11)) == [("ch1", "y")]


def test_supervisor_move_keeps_time_in_line() -> None:
    wf = workflow(Target(queue="q1"), filters=[
        Filter(name="q2", expression="attr.q == 2", targets=[Target(queue="q2")])])
    cat = catalog([queue("q1"), queue("q2")], [agent("a", "q1"), agent("b", "q2")], workflows=[wf])
    sim = Sim(cat)
    sim.create("c1", 0)  # in q1 since 0
    sim.create("c2", 5, attributes={"q": 2})  # in q2 since 5
    out = sim.move("c1", "q2", 10)
    over = one(out, ev.ContactOverflowed)
    assert (over.from_queue_id, over.to_queue_id, over.reason) == ("q1", "q2", "supervisor")
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.reason) == ("q2", "moved")
    assert offers(sim.login("b", 20)) == [("c1", "b")]  # c1 keeps its place from t=0
    assert offers(sim.login("a", 21)) == []


def test_supervisor_move_of_a_ringing_contact() -> None:
    cat = catalog([queue("q1"), queue("q2")], [agent("a", "q1"), agent("b", "q2")])
    sim = Sim(cat)
    sim.login("a", 0)
    sim.login("b", 0)
    sim.create("c1", 1)
    sim.create("c2", 2)
    assert sim.offered_to("c1") == "a"
    out = sim.move("c1", "q2", 5)
    assert one(out, ev.OfferRevoked).reason == "moved"
    # c1 goes to b in q2; a, free again, takes c2
    assert sorted(offers(out)) == [("c1", "b"), ("c2", "a")]
    with pytest.raises(NotFound):
        sim.move("c1", "q9", 6)


def test_customer_abandons_while_queued() -> None:
    cat = catalog([queue("q")], [agent("a", "q")])
    sim = Sim(cat)
    sim.create("c1", 0)
    out = sim.customer_left("c1", 45)
    assert names(out) == ["ContactAbandoned", "ContactClosed"]
    ab = one(out, ev.ContactAbandoned)
    assert (ab.queue_id, ab.wait_s, ab.queued_at) == ("q", 45.0, T0)
    assert one(out, ev.ContactClosed).outcome == "abandoned"
    assert offers(sim.login("a", 50)) == []
    with pytest.raises(NotFound):
        sim.customer_left("c1", 51)


def test_customer_abandons_while_offered_and_the_agent_takes_the_next() -> None:
    cat = catalog([queue("q")], [agent("a", "q")])
    sim = Sim(cat)
    sim.login("a", 0)
    sim.create("c1", 1)
    sim.create("c2", 2)
    out = sim.customer_left("c1", 8)
    revoked = one(out, ev.OfferRevoked)
    assert (revoked.agent_id, revoked.reason) == ("a", "abandoned")
    assert one(out, ev.ContactAbandoned).wait_s == 7.0
    assert offers(out) == [("c2", "a")]
    assert sim.state("a") == "reserved"
    # the abandoned offer's ring timer is stale
    out = sim.tick(21)
    assert of(out, ev.OfferRevoked) == []
    assert sim.offered_to("c2") == "a"


def test_customer_abandons_while_offered_agent_becomes_available() -> None:
    sim = Sim(catalog([queue("q")], [agent("a", "q")]))
    sim.login("a", 0)
    sim.create("c1", 1)
    out = sim.customer_left("c1", 3)
    assert one(out, ev.AgentStateChanged).state == "available"
    assert sim.engine.agents["a"].load == {}


def test_logout_with_ringing_offer_requeues_it() -> None:
    cat = catalog([queue("q")], [agent("a1", "q"), agent("a2", "q")])
    sim = Sim(cat)
    sim.login("a1", 0)
    sim.login("a2", 0, status="aux", reason="break")
    sim.create("c1", 1)
    sim.create("c2", 2)
    assert sim.offered_to("c1") == "a1"
    sim.available("a2", 3)
    assert sim.offered_to("c2") == "a2"
    sim.decline("c2", "a2", 4)  # a2 free again, c2 waits (declined by a2)
    out = sim.logout("a1", 5)
    assert names(out)[:2] == ["OfferRevoked", "AgentLoggedOut"]
    assert one(out, ev.OfferRevoked).reason == "logout"
    # c1 keeps its place and goes to a2 straight away
    assert offers(out) == [("c1", "a2")]
    assert sim.state("a1") == "offline"
    assert sim.engine.agents["a1"].load == {}


def test_chat_agent_takes_three_chats_at_once_but_no_voice() -> None:
    wf = workflow(Target(queue="voice"), filters=[
        Filter(name="digital", expression="channel in ['chat', 'email']", targets=[Target(queue="digital")])])
    cat = catalog([queue("voice", wrap_up_s=0), queue("digital", wrap_up_s=0)],
                  [agent("blend", "voice", "digital", capacity=CHAT_3_EMAIL_2)], workflows=[wf])
    sim = Sim(cat)
    sim.login("blend", 0, status="aux", reason="break")
    for i in range(4):
        sim.create(f"chat{i}", i, channel="chat")
    sim.create("call", 4, channel="voice")
    sim.create("mail0", 5, channel="email")
    sim.create("mail1", 6, channel="email")
    sim.create("mail2", 7, channel="email")
    out = sim.available("blend", 10)
    assert offers(out) == [("chat0", "blend"), ("chat1", "blend"), ("chat2", "blend"),
                           ("mail0", "blend"), ("mail1", "blend")]
    blend = sim.engine.agents["blend"]
    assert blend.load == {Channel.CHAT: 3, Channel.EMAIL: 2}
    for i in range(3):
        sim.accept(f"chat{i}", "blend", 11)
    assert sim.offered_to("call") is None and sim.offered_to("chat3") is None
    # finishing one chat frees one chat slot: the next chat, not the (older-than-email) call
    out = sim.end("chat0", "blend", 30)
    assert offers(out) == [("chat3", "blend")]
    # the call waits until every digital contact is done
    assert offers(sim.end("chat1", "blend", 40)) == []
    assert offers(sim.end("chat2", "blend", 41)) == []
    sim.accept("mail0", "blend", 42)
    assert offers(sim.end("mail0", "blend", 43)) == [("mail2", "blend")]
    for cid in ("chat3", "mail1", "mail2"):
        sim.accept(cid, "blend", 44)
    assert offers(sim.end("chat3", "blend", 50)) == []
    assert offers(sim.end("mail1", "blend", 51)) == []
    assert sim.offered_to("call") is None
    assert offers(sim.end("mail2", "blend", 52)) == [("call", "blend")]
    assert blend.load == {Channel.VOICE: 1}


def test_voice_agent_is_exclusive() -> None:
    wf = workflow(Target(queue="voice"), filters=[
        Filter(name="digital", expression="channel == 'chat'", targets=[Target(queue="digital")])])
    cat = catalog([queue("voice", wrap_up_s=0), queue("digital", wrap_up_s=0)],
                  [agent("blend", "voice", "digital", capacity=CHAT_3_EMAIL_2)], workflows=[wf])
    sim = Sim(cat)
    sim.login("blend", 0)
    assert offers(sim.create("call", 1)) == [("call", "blend")]
    assert offers(sim.create("chat", 2, channel="chat")) == []
    sim.accept("call", "blend", 3)
    out = sim.end("call", "blend", 20)
    assert offers(out) == [("chat", "blend")]
    assert offers(sim.create("call2", 21)) == []


def test_chat_only_agent_never_gets_voice() -> None:
    chat_only = Capacity(limits={Channel.CHAT: 3})
    cat = catalog([queue("q")], [agent("x", "q", capacity=chat_only)])
    sim = Sim(cat)
    sim.login("x", 0)
    assert offers(sim.create("call", 1)) == []
    got = []
    for i in range(4):
        got += offers(sim.create(f"chat{i}", 2 + i, channel="chat"))
    assert got == [("chat0", "x"), ("chat1", "x"), ("chat2", "x")]
    assert sim.state("x") == "reserved"
    sim.accept("chat0", "x", 10)
    assert sim.state("x") == "busy"


def test_a_hang_up_seen_earlier_by_the_channel_ends_the_conversation_then() -> None:
    """DisconnectCustomer.at (a SIP BYE's time): the conversation ends when the customer hung up, not when
    the writer got to it; never before the connect nor after now; the wrap-up that follows runs from then."""
    sim = Sim(catalog([queue("q", wrap_up_s=10)], [agent("a", "q")]))
    sim.login("a", 0)
    sim.create("c1", 1)
    sim.accept("c1", "a", 2)
    out = sim._rec(sim.engine.customer_left("c1", T0 + 30.4, ended_at=T0 + 30.0))
    ended = one(out, ev.ContactEnded)
    assert (ended.at, ended.reason, ended.wrap_up_until) == (T0 + 30.0, "customer", T0 + 40.0)
    done = one(sim.tick(40.5), ev.WrapUpCompleted)
    assert (done.talk_s, done.acw_s) == (28.0, 10.0)

    sim.create("c2", 41)
    sim.accept("c2", "a", 42)
    early = one(sim._rec(sim.engine.customer_left("c2", T0 + 50, ended_at=T0 + 41.5)), ev.ContactEnded)
    assert early.at == T0 + 42  # a hang-up seen before the connect was stored: the talk time is zero, not negative
    sim.tick(53)
    sim.create("c3", 54)
    sim.accept("c3", "a", 55)
    late = one(sim._rec(sim.engine.customer_left("c3", T0 + 60, ended_at=T0 + 99)), ev.ContactEnded)
    assert late.at == T0 + 60  # never in the future

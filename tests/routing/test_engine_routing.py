"""Engine scenarios about who gets what: priority and aging, fairness across queues, overflow,
skill relaxation, business hours, nobody logged in, maximum wait, strategies, sticky agents."""

from __future__ import annotations

from blendcc.domain import events as ev
from blendcc.domain.calendar import BusinessHours, Window
from blendcc.routing.catalog import RoutingSettings
from blendcc.routing.workflow import Filter, Relax, Target

from .helpers import T0, Sim, agent, catalog, names, of, offers, one, queue, workflow

OFFICE = BusinessHours(id="office", timezone="UTC",
                       weekly={d: [Window(start="08:00", end="18:00")] for d in ("mon", "tue", "wed", "thu", "fri")})
CLOSED_AT_T0 = BusinessHours(id="night", timezone="UTC", weekly={"mon": [Window(start="20:00", end="24:00")]})


def test_priority_with_aging() -> None:
    """Each priority level is worth ``priority_head_start_s`` seconds of waiting."""
    cat = catalog([queue("q")], [agent(f"a{i}", "q") for i in range(3)],
                  settings=RoutingSettings(priority_head_start_s=60))
    sim = Sim(cat)
    sim.create("low-early", 0, priority=0)  # place 0
    sim.create("high", 30, priority=1)  # place 30 - 60 = -30: ahead of low-early
    sim.create("high-late", 100, priority=1)  # place 40: behind low-early
    sim.create("low-late", 101, priority=0)  # place 101
    got = []
    for i in range(3):
        got += offers(sim.login(f"a{i}", 200 + i))
    assert got == [("high", "a0"), ("low-early", "a1"), ("high-late", "a2")]


def test_strict_priority_with_a_huge_head_start() -> None:
    cat = catalog([queue("q")], [agent("a", "q")], settings=RoutingSettings(priority_head_start_s=1e9))
    sim = Sim(cat)
    sim.create("old", 0, priority=0)
    sim.create("vip", 10_000, priority=1)
    assert offers(sim.login("a", 10_001)) == [("vip", "a")]


def test_priority_from_the_target_overrides_the_contact_priority() -> None:
    wf = workflow(Target(queue="q"), filters=[
        Filter(name="gold", expression="tier == 'gold'", targets=[Target(queue="q", priority=10)])])
    sim = Sim(catalog([queue("q")], [agent("a", "q")], workflows=[wf]))
    sim.create("plain", 0)
    out = sim.create("gold", 300, tier="gold")
    assert one(out, ev.ContactQueued).priority == 10
    assert one(out, ev.ContactRouted).filter_name == "gold"
    assert offers(sim.login("a", 301)) == [("gold", "a")]


def test_fairness_across_queues_agent_gets_globally_oldest() -> None:
    wf = workflow(Target(queue="q1"), filters=[
        Filter(name="to-q2", expression="attr.q == 2", targets=[Target(queue="q2")])])
    cat = catalog([queue("q1"), queue("q2")], [agent("both", "q1", "q2"), agent("only1", "q1")],
                  workflows=[wf])
    sim = Sim(cat)
    sim.create("q1-first", 0)
    sim.create("q2-older", 1, attributes={"q": 2})
    sim.create("q1-newer", 2)
    sim.create("q2-newest", 3, attributes={"q": 2})
    assert offers(sim.login("both", 10)) == [("q1-first", "both")]
    sim.handle("q1-first", "both", 11)
    # both queues still have contacts: the older one (in q2) comes first
    assert sim.offered_to("q2-older") == "both"
    sim.handle("q2-older", "both", 80)
    assert sim.offered_to("q1-newer") == "both"
    assert offers(sim.login("only1", 81)) == []  # only1 serves q1 only; q2-newest waits for "both"
    sim.handle("q1-newer", "both", 90)
    assert sim.offered_to("q2-newest") == "both"


def test_longest_idle_agent_gets_the_contact() -> None:
    sim = Sim(catalog([queue("q", wrap_up_s=0)], [agent("a", "q"), agent("b", "q"), agent("c", "q")]))
    sim.login("b", 0)
    sim.login("a", 5)
    sim.login("c", 10)
    assert offers(sim.create("c1", 20)) == [("c1", "b")]
    assert offers(sim.create("c2", 21)) == [("c2", "a")]
    sim.handle("c1", "b", 22, talk=1)  # b idle again since 23
    assert offers(sim.create("c3", 30)) == [("c3", "c")]
    assert offers(sim.create("c4", 31)) == [("c4", "b")]


def test_best_proficiency_strategy() -> None:
    q = queue("q", skills={"billing": 1, "french": 1}, strategy="best_proficiency")
    sim = Sim(catalog([q], [agent("novice", "q", skills={"billing": 1, "french": 1}),
                            agent("expert", "q", skills={"billing": 5, "french": 3}),
                            agent("good", "q", skills={"billing": 4, "french": 2})]))
    sim.login("novice", 0)
    sim.login("good", 1)
    sim.login("expert", 2)
    assert offers(sim.create("c1", 10)) == [("c1", "expert")]
    assert offers(sim.create("c2", 11)) == [("c2", "good")]


def test_skill_requirement_filters_agents() -> None:
    q = queue("billing", skills={"billing": 3})
    sim = Sim(catalog([q], [agent("low", "billing", skills={"billing": 2}),
                            agent("high", "billing", skills={"billing": 3})]))
    sim.login("low", 0)
    sim.create("c1", 1)
    assert sim.contact_state("c1") == "queued"
    assert offers(sim.login("high", 5)) == [("c1", "high")]


def test_step_timeout_overflows_to_another_queue() -> None:
    wf = workflow(Target(queue="first", timeout_s=30), Target(queue="second"))
    cat = catalog([queue("first"), queue("second")], [agent("f", "first"), agent("s", "second")], workflows=[wf])
    sim = Sim(cat)
    sim.login("f", 0, status="aux", reason="meeting")
    sim.login("s", 0, status="aux", reason="meeting")
    out = sim.create("c1", 10)
    assert one(out, ev.ContactQueued).queue_id == "first"
    assert sim.tick(39) == []
    out = sim.tick(40)
    assert names(out) == ["ContactOverflowed", "ContactQueued"]
    over = one(out, ev.ContactOverflowed)
    assert (over.from_queue_id, over.to_queue_id, over.reason, over.queued_at) == ("first", "second",
                                                                                    "step_timeout", T0 + 10)
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.reason, queued.step_index) == ("second", "overflow", 1)
    # the first queue's agent can no longer take it; the second's can
    assert offers(sim.available("f", 50)) == []
    assert offers(sim.available("s", 60)) == [("c1", "s")]
    # wait is counted per queue visit
    assert one(sim.accept("c1", "s", 61), ev.ContactConnected).wait_s == 21.0


def test_step_timeout_while_ringing_waits_for_the_ring_to_end() -> None:
    wf = workflow(Target(queue="first", timeout_s=30), Target(queue="second"))
    cat = catalog([queue("first", offer_timeout_s=20), queue("second")],
                  [agent("f", "first"), agent("s", "second")], workflows=[wf])
    sim = Sim(cat)
    sim.login("f", 0, status="aux", reason="break")
    sim.login("s", 0)
    sim.create("c1", 0)
    assert sim.contact_state("c1") == "queued"
    sim.available("f", 25)  # offered at 25, rings until 45
    assert sim.offered_to("c1") == "f"
    assert sim.tick(30) == []  # the step timer is deferred to the end of the ring
    assert one(sim.accept("c1", "f", 35), ev.ContactConnected).agent_id == "f"
    assert sim.tick(45) == []


def test_skill_relaxation_lets_a_less_skilled_agent_take_it() -> None:
    q = queue("billing", skills={"billing": 4})
    wf = workflow(Target(queue="billing", relax=[Relax(after_s=20, skills={"billing": 2}),
                                                Relax(after_s=50, skills={})]))
    cat = catalog([q], [agent("mid", "billing", skills={"billing": 2}), agent("none", "billing")],
                  workflows=[wf])
    sim = Sim(cat)
    sim.login("none", 0)
    sim.login("mid", 1)
    sim.create("c1", 10)
    assert sim.contact_state("c1") == "queued"
    assert sim.tick(29) == []
    out = sim.tick(30)
    adv = one(out, ev.ContactStepAdvanced)
    assert (adv.queue_id, adv.step_index) == ("billing", 1)
    assert offers(out) == [("c1", "mid")]
    sim.accept("c1", "mid", 31)
    # a second contact relaxes all the way; "none" (no billing skill) takes it at 50 s
    sim.create("c2", 40)
    sim.tick(60)
    assert sim.contact_state("c2") == "queued"  # mid is busy with c1; requirement still billing 2
    out = sim.tick(90)
    assert [e.step_index for e in of(out, ev.ContactStepAdvanced)] == [2]
    assert offers(out) == [("c2", "none")]


def test_closed_queue_rejects() -> None:
    q = queue("q", calendar_id="night", closed_action="reject")
    sim = Sim(catalog([q], [agent("a", "q")], calendars=[CLOSED_AT_T0]))
    sim.login("a", 0)
    out = sim.create("c1", 10)
    rejected = one(out, ev.ContactRejected)
    assert (rejected.queue_id, rejected.reason) == ("q", "closed")
    assert one(out, ev.ContactClosed).outcome == "rejected"
    assert of(out, ev.ContactQueued) == []
    assert sim.contact_state("c1") == "gone"
    # 11 hours later the queue is open (20:00 UTC Monday)
    out = sim.create("c2", 11 * 3600)
    assert offers(out) == [("c2", "a")]


def test_closed_queue_overflows() -> None:
    q = queue("q", calendar_id="night", closed_action="overflow", closed_overflow_queue="voicemail")
    cat = catalog([q, queue("voicemail")], [agent("a", "q"), agent("vm", "voicemail")], calendars=[CLOSED_AT_T0])
    sim = Sim(cat)
    sim.login("a", 0)
    sim.login("vm", 0)
    out = sim.create("c1", 10)
    routed = of(out, ev.ContactRouted)
    assert [r.filter_name for r in routed] == ["default", "closed"]
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.reason) == ("voicemail", "closed")
    assert offers(out) == [("c1", "vm")]


def test_closed_action_queue_waits_anyway() -> None:
    q = queue("q", calendar_id="night", closed_action="queue")
    sim = Sim(catalog([q], [agent("a", "q")], calendars=[CLOSED_AT_T0]))
    sim.login("a", 0)
    assert offers(sim.create("c1", 10)) == [("c1", "a")]


def test_is_open_in_a_workflow_expression() -> None:
    wf = workflow(Target(queue="day"), filters=[
        Filter(name="after-hours", expression="not is_open('office')", targets=[Target(queue="night")])])
    cat = catalog([queue("day"), queue("night")], [agent("a", "day")], workflows=[wf], calendars=[OFFICE])
    sim = Sim(cat)
    assert one(sim.create("c1", 0), ev.ContactRouted).filter_name == "default"  # Monday 09:00
    assert one(sim.create("c2", 10 * 3600), ev.ContactRouted).filter_name == "after-hours"  # 19:00


def test_no_agents_logged_in_overflows() -> None:
    q1 = queue("q1", no_agents_overflow_queue="backup")
    cat = catalog([q1, queue("backup")], [agent("a", "q1"), agent("b", "backup")])
    sim = Sim(cat)
    sim.login("b", 0)
    out = sim.create("c1", 5)
    assert [r.filter_name for r in of(out, ev.ContactRouted)] == ["default", "no_agents"]
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.reason) == ("backup", "no_agents")
    assert offers(out) == [("c1", "b")]
    # an agent logged in (even in aux) keeps contacts in q1
    sim.login("a", 10, status="aux", reason="break")
    out = sim.create("c2", 11)
    assert one(out, ev.ContactQueued).queue_id == "q1"
    assert of(out, ev.ContactRouted)[-1].filter_name == "default"


def test_no_agents_overflow_needs_the_skills_of_the_step() -> None:
    q1 = queue("q1", skills={"german": 1}, no_agents_overflow_queue="backup")
    cat = catalog([q1, queue("backup")], [agent("a", "q1"), agent("b", "backup")])
    sim = Sim(cat)
    sim.login("a", 0)  # logged in, but without the skill
    assert one(sim.create("c1", 5), ev.ContactQueued).queue_id == "backup"


def test_skip_if_no_agents() -> None:
    wf = workflow(Target(queue="specialist", skip_if_no_agents=True, timeout_s=60), Target(queue="general"))
    cat = catalog([queue("specialist"), queue("general")], [agent("s", "specialist"), agent("g", "general")],
                  workflows=[wf])
    sim = Sim(cat)
    sim.login("g", 0, status="aux", reason="break")
    out = sim.create("c1", 1)
    queued = one(out, ev.ContactQueued)
    assert (queued.queue_id, queued.step_index) == ("general", 1)
    sim.login("s", 2, status="aux", reason="break")
    out = sim.create("c2", 3)
    assert one(out, ev.ContactQueued).queue_id == "specialist"
    # the last specialist logs out: c2 moves on at once
    out = sim.logout("s", 4)
    over = one(out, ev.ContactOverflowed)
    assert (over.contact_id, over.to_queue_id, over.reason) == ("c2", "general", "no_agents")


def test_max_wait_times_out() -> None:
    sim = Sim(catalog([queue("q", max_wait_s=60)], [agent("a", "q")]))
    sim.login("a", 0, status="aux", reason="break")
    sim.create("c1", 10)
    assert sim.tick(69) == []
    out = sim.tick(70)
    assert names(out) == ["ContactTimedOut", "ContactClosed"]
    timed = one(out, ev.ContactTimedOut)
    assert (timed.queue_id, timed.wait_s, timed.queued_at) == ("q", 60.0, T0 + 10)
    assert one(out, ev.ContactClosed).outcome == "timed_out"
    assert offers(sim.available("a", 80)) == []


def test_max_wait_is_deferred_while_ringing() -> None:
    sim = Sim(catalog([queue("q", max_wait_s=60, offer_timeout_s=20)], [agent("a", "q")]))
    sim.login("a", 0, status="aux", reason="break")
    sim.create("c1", 0)
    sim.available("a", 50)
    assert sim.tick(60) == []
    sim.accept("c1", "a", 65)
    assert sim.tick(100) == []
    assert sim.contact_state("c1") == "connected"


def test_sticky_agent_first_then_the_queue() -> None:
    wf = workflow(Target(queue="q", preferred_agent="last", timeout_s=30), Target(queue="q"))
    cat = catalog([queue("q")], [agent("fav", "q"), agent("other", "q")], workflows=[wf])
    sim = Sim(cat)
    sim.login("other", 0)
    sim.login("fav", 1, status="aux", reason="break")
    out = sim.create("c1", 5, last_agent_id="fav")
    assert offers(out) == []  # other is free but c1 waits for fav
    assert offers(sim.available("fav", 10)) == [("c1", "fav")]
    sim.accept("c1", "fav", 11)
    # without fav available it goes to the queue after the sticky timeout
    sim.create("c2", 20, last_agent_id="fav")
    assert sim.contact_state("c2") == "queued"
    out = sim.tick(50)
    assert one(out, ev.ContactStepAdvanced).step_index == 1
    assert offers(out) == [("c2", "other")]
    # no last agent: straight to the queue
    sim.create("c3", 60)
    assert sim.engine.contacts["c3"].steps[0].agent_id is None
    assert sim.contact_state("c3") == "queued"  # both agents are busy


def test_waiting_contacts_overflow_when_the_last_agent_logs_out() -> None:
    q1 = queue("q1", no_agents_overflow_queue="backup")
    cat = catalog([q1, queue("backup")], [agent("a1", "q1"), agent("b1", "backup")])
    sim = Sim(cat)
    sim.login("a1", 0)
    sim.create("c1", 1)  # offered to a1
    sim.create("c2", 2)  # waits in q1 behind c1
    sim.login("b1", 3, status="aux", reason="break")
    out = sim.logout("a1", 10)  # c1's ringing offer returns; nobody left in q1: both go to backup
    over = of(out, ev.ContactOverflowed)
    assert sorted((o.contact_id, o.to_queue_id, o.reason) for o in over) == [
        ("c1", "backup", "no_agents"), ("c2", "backup", "no_agents")]
    assert {c.id: c.queue.id for c in sim.engine.waiting()} == {"c1": "backup", "c2": "backup"}
    offered = of(sim.available("b1", 11), ev.ContactOffered)
    assert [o.contact_id for o in offered] == ["c1"]  # still first in line


def test_removing_a_logged_in_agent_logs_it_out_and_requeues_its_offer() -> None:
    cat = catalog([queue("q1")], [agent("a1", "q1"), agent("a2", "q1")])
    sim = Sim(cat)
    sim.login("a1", 0)
    sim.create("c1", 1)  # offered to a1
    smaller = catalog([queue("q1")], [agent("a2", "q1")])
    out = sim.engine.configure(smaller, T0 + 5)
    assert [e.type for e in out if e.type != "AgentStateChanged"] == ["OfferRevoked", "AgentLoggedOut"]
    assert not sim.engine.agents["a1"].logged_in
    assert [c.id for c in sim.engine.waiting()] == ["c1"]
    offered = of(sim._rec(sim.engine.login("a2", T0 + 6)), ev.ContactOffered)
    assert [(o.contact_id, o.agent_id) for o in offered] == [("c1", "a2")]


def test_changing_the_aging_setting_reorders_waiting_contacts() -> None:
    cat = catalog([queue("q1")], [agent("a1", "q1")], settings=RoutingSettings(priority_head_start_s=0))
    sim = Sim(cat)
    sim.create("old", 0, priority=0)
    sim.create("vip", 30, priority=1)  # no head start: behind 'old'
    stricter = catalog([queue("q1")], [agent("a1", "q1")], settings=RoutingSettings(priority_head_start_s=60))
    sim.engine.configure(stricter, T0 + 40)
    offered = of(sim.login("a1", 41), ev.ContactOffered)
    assert [o.contact_id for o in offered] == ["vip"]  # a 60 s head start now puts it first

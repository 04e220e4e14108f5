"""Restart: replaying every event emitted so far into a fresh Engine rebuilds the same live state,
and ``resume(now)`` expires what fell due while it was down at the due times, then matches at ``now``."""

from __future__ import annotations

from typing import Any

from blendcc.domain import events as ev
from blendcc.routing.engine import Engine
from blendcc.routing.naive import NaiveMatcher
from blendcc.routing.workflow import Filter, Relax, Target

from .helpers import CHAT_3_EMAIL_2, T0, Sim, agent, catalog, queue, workflow


def snapshot(engine: Engine) -> dict[str, Any]:
    agents = {
        a.id: (a.logged_in, a.presence, a.aux_reason, a.state, a.state_reason, dict(a.load), a.idle_since,
               a.last_offer_seq,
               {cid: (leg.stage, leg.queue_id, leg.channel, leg.queued_at, leg.connected_at, leg.hold_s,
                      leg.hold_started, leg.ended_at, leg.wrap_until) for cid, leg in a.work.items()})
        for a in engine.agents.values()
    }
    contacts = {
        c.id: (c.state, c.queue.id, c.step_index, c.steps, c.priority, c.order_key, c.seq, c.queued_at,
               c.line_since, c.agent_id, c.offer_expires, frozenset(c.declined))
        for c in engine.contacts.values()
    }
    waiting = sorted(c.id for c in engine.waiting())
    members = {q: sorted(m) for q, m in engine.members_on.items() if m}
    return {"agents": agents, "contacts": contacts, "waiting": waiting, "members": members,
            "next_due": engine.next_due()}


def matcher_answers(engine: Engine) -> dict[str, Any]:
    queued = {c.id: c for c in engine.waiting() if c.state.value == "queued"}
    naive = NaiveMatcher(engine.agents, queued)
    out: dict[str, Any] = {}
    for a in engine.agents.values():
        best = engine.matcher.best_contact(a)
        assert (best.id if best else None) == ((n.id) if (n := naive.best_contact(a)) else None)
        out[a.id] = best.id if best else None
    return out


def dicts(events: list[ev.Event]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.type, e.to_dict()) for e in events]


def busy_centre() -> Sim:
    wf = workflow(
        Target(queue="sales", relax=[Relax(after_s=40, skills={})]),
        filters=[Filter(name="digital", expression="channel == 'chat'", targets=[Target(queue="web")]),
                 Filter(name="support", expression="ivr.menu == '2'",
                        targets=[Target(queue="support", timeout_s=50), Target(queue="sales")])],
    )
    cat = catalog(
        [queue("sales", skills={"sales": 3}, wrap_up_s=20, offer_timeout_s=15),
         queue("support", wrap_up_s=None, max_wait_s=300), queue("web", wrap_up_s=5)],
        [agent("ann", "sales", "support", skills={"sales": 4}),
         agent("bob", "sales", skills={"sales": 1}),
         agent("cat", "support", "sales", skills={"sales": 3}),
         agent("dan", "web", capacity=CHAT_3_EMAIL_2),
         agent("eve", "support")],
        workflows=[wf],
    )
    sim = Sim(cat)
    sim.login("ann", 0)
    sim.login("bob", 0)
    sim.login("cat", 1, status="aux", reason="training")
    sim.login("dan", 2)
    sim.login("eve", 3)
    sim.create("s1", 10)  # -> ann
    sim.accept("s1", "ann", 12)
    sim.hold("s1", "ann", 30)
    sim.create("s2", 14)  # needs sales 3: waits (bob too junior), relaxes at 54
    sim.create("h1", 15, attributes={"ivr": {"menu": "2"}})  # -> eve
    sim.decline("h1", "eve", 16)  # declined: waits for someone else in support
    sim.create("w1", 20, channel="chat")
    sim.create("w2", 21, channel="chat")
    sim.accept("w1", "dan", 22)
    sim.end("w1", "dan", 25)  # timed wrap-up until 30
    sim.create("h2", 26, attributes={"ivr": {"menu": "2"}})  # -> eve, left ringing (expires 46)
    return sim


def test_replay_rebuilds_the_same_state() -> None:
    sim = busy_centre()
    fresh = Engine(sim.catalog, T0 + 500)
    fresh.replay(list(sim.log))
    assert snapshot(fresh) == snapshot(sim.engine)
    assert matcher_answers(fresh) == matcher_answers(sim.engine)


def test_resume_expires_overdue_timers_at_their_due_time_and_offers_at_restart() -> None:
    sim = busy_centre()
    fresh = Engine(sim.catalog, T0 + 500)
    fresh.replay(list(sim.log))
    later = T0 + 60  # h2's offer (to 46) has expired, s2's relaxation (54) and dan's wrap-up (30) are due
    resumed = fresh.resume(later)
    kinds = {(e.type, getattr(e, "reason", None)) for e in resumed}
    assert ("OfferRevoked", "timeout") in kinds
    revoked = {e.contact_id: e.at for e in resumed if isinstance(e, ev.OfferRevoked)}
    assert revoked["h2"] == T0 + 46  # when it rang out, not when the engine came back
    wrapped = next(e for e in resumed if isinstance(e, ev.WrapUpCompleted))
    assert (wrapped.contact_id, wrapped.at, wrapped.acw_s) == ("w1", T0 + 30, 5.0)
    advanced = next(e for e in resumed if isinstance(e, ev.ContactStepAdvanced))
    assert (advanced.contact_id, advanced.at) == ("s2", T0 + 54)
    offers = [e for e in resumed if isinstance(e, ev.ContactOffered)]
    assert offers and all(e.at == later and e.expires_at == later + 15 for e in offers)  # no offers in the past
    assert [e.at for e in resumed] == sorted(e.at for e in resumed)
    assert fresh.agents["eve"].state.value == "aux" and fresh.agents["eve"].state_reason == "missed"
    # nothing left that could match, and the matcher agrees with the naive reference
    matcher_answers(fresh)
    for c in fresh.waiting():
        if c.state.value == "queued":
            assert fresh.matcher.best_agent(c) is None
    # a second engine rebuilt the same way is identical, and they keep agreeing afterwards
    twin = Engine(sim.catalog, T0 + 500)
    twin.replay(list(sim.log))
    assert dicts(twin.resume(later)) == dicts(resumed)
    for engine in (fresh, twin):
        engine.set_status("cat", "available", T0 + 70)
    steps = [
        lambda e: e.set_status("eve", "available", T0 + 71),
        lambda e: e.resume_contact("s1", "ann", T0 + 72),
        lambda e: e.end("s1", "ann", T0 + 80),
        lambda e: e.tick(T0 + 400),
        lambda e: e.create_contact("s3", "voice", T0 + 401),
    ]
    for step in steps:
        assert dicts(step(fresh)) == dicts(step(twin))
    assert snapshot(fresh) == snapshot(twin)


def test_replay_after_resume_of_a_replay_is_stable() -> None:
    sim = busy_centre()
    first = Engine(sim.catalog, T0)
    first.replay(list(sim.log))
    more = first.resume(T0 + 60)
    second = Engine(sim.catalog, T0)
    second.replay([*sim.log, *more])
    assert second.resume(T0 + 60) == []  # overdue timers are stale: everything already happened
    assert snapshot(second) == snapshot(first)


def test_resume_with_nothing_due_emits_nothing() -> None:
    sim = busy_centre()
    fresh = Engine(sim.catalog, T0)
    fresh.replay(list(sim.log))
    assert fresh.resume(T0 + 27) == []

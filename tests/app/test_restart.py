"""Restart at the service level: a new container on the same database rebuilds the live ACD state from the
event log, fires the timers that fell due while it was down, loses nothing and offers nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from blendcc.adapters.manual_clock import FakeClock
from blendcc.domain import events as ev

DOWN_S = 60.0


def fingerprint(container: Any) -> dict[str, Any]:
    """Everything routing depends on, from the live engine: agents with their legs, contacts, line order."""
    result: dict[str, Any] = container.runtime.query(lambda engine, _now: engine_fingerprint(engine))
    return result


def stored_fingerprint(container: Any) -> dict[str, Any]:
    """The same, for an engine replayed from what the store holds (no timers fired, nothing written)."""
    from blendcc.routing.engine import Engine

    engine = Engine(container.config.catalog, container.clock.now())
    engine.replay(container.store.replay_window())
    return engine_fingerprint(engine)


def engine_fingerprint(engine: Any) -> dict[str, Any]:
    """Agents with their legs and loads, open contacts, and waiting contacts per queue in line order."""
    agents = {
        a.id: (a.logged_in, a.presence.value, a.state.value, a.state_reason,
               sorted((cid, leg.stage, leg.queue_id, leg.connected_at, leg.ended_at, leg.wrap_until, leg.hold_s)
                      for cid, leg in a.work.items()),
               {ch.value: n for ch, n in a.load.items()})
        for a in engine.agents.values()
    }
    contacts = {
        c.id: (c.state.value, c.queue.id, c.agent_id, c.queued_at, c.first_queued_at, c.line_since, c.priority,
               c.step_index, c.offer_expires)
        for c in engine.contacts.values()
    }
    waiting: dict[str, list[str]] = {}
    for c in sorted(engine.waiting(), key=lambda c: (c.order_key, c.created_at)):
        waiting.setdefault(c.queue.id, []).append(c.id)
    return {"agents": agents, "contacts": contacts, "waiting": waiting}


def outstanding_offers_never_overlap(events: Iterable[ev.Event]) -> None:
    """Replay the whole log: a contact is never on offer to two agents, nor offered while connected."""
    on_offer: dict[str, str] = {}
    connected: set[str] = set()
    for e in events:
        if isinstance(e, ev.ContactOffered):
            assert e.contact_id not in on_offer, f"{e.contact_id} offered to {e.agent_id} while on offer"
            assert e.contact_id not in connected, f"{e.contact_id} offered to {e.agent_id} while connected"
            on_offer[e.contact_id] = e.agent_id
        elif isinstance(e, ev.OfferRevoked):
            assert on_offer.pop(e.contact_id) == e.agent_id
        elif isinstance(e, ev.ContactConnected):
            assert on_offer.pop(e.contact_id) == e.agent_id
            connected.add(e.contact_id)
        elif isinstance(e, ev.ContactEnded | ev.ContactTransferred):
            connected.discard(e.contact_id)


def build_traffic(api: Any) -> None:
    """a1 talking (sales), a3 in a timed wrap-up (support, ends t=40), a2 ringing (billing, expires t=31),
    w1..w3 waiting in sales and w4 in support."""
    api.put("/api/config/queues/support", json={"name": "Support", "skills": {"tech": 1}, "wrap_up_s": 30,
                                                "offer_timeout_s": 20})
    api.agent_login("a1")
    api.agent_login("a2")
    assert api.new_contact(contact_id="conn")["offered_to"] == "a1"
    api.advance(1)
    api.act("a1", "conn", "accept")
    api.advance(1)
    api.agent_login("a3")
    assert api.new_contact(contact_id="wrap", ivr={"menu": "2"})["offered_to"] == "a3"
    api.advance(1)
    api.act("a3", "wrap", "accept")
    api.advance(7)
    api.act("a3", "wrap", "end")  # t=10: wrap-up until t=40
    api.advance(1)
    assert api.new_contact(contact_id="ring", ivr={"menu": "3"})["offered_to"] == "a2"  # t=11, rings until 31
    for name in ("w1", "w2", "w3"):
        api.advance(1)
        assert api.new_contact(contact_id=name)["state"] == "queued"
    api.advance(1)
    assert api.new_contact(contact_id="w4", ivr={"menu": "2"})["state"] == "queued"  # t=15


@pytest.fixture
def first(db_url: str, clock: Any, containers: Any, make_api: Any, seed: Any) -> Any:
    api = make_api(containers(db_url, clock), clock)
    seed(api)
    build_traffic(api)
    return api


def restart(api: Any, containers: Any, make_api: Any, after: float) -> tuple[Any, list[ev.Event]]:
    """Build a new container (and app) on the same database, ``after`` seconds later; return it and the
    events the rebuild wrote."""
    old = api.container
    last = old.store.last_seq()
    clock = FakeClock(api.clock.now() + after)
    fresh = make_api(containers(old.settings.database_url, clock, run_migrations=True), clock)
    written = [s.event for s in fresh.container.store.read(after_seq=last)]
    return fresh, written


def test_rebuild_after_downtime(first: Any, containers: Any, make_api: Any) -> None:
    t0 = first.T0
    before = fingerprint(first.container)
    assert before["waiting"] == {"sales": ["w1", "w2", "w3"], "support": ["w4"], "billing": ["ring"]}
    stored_before = first.container.store.last_seq()

    api, written = restart(first, containers, make_api, DOWN_S)  # now t=75
    after = fingerprint(api.container)
    now = t0 + 15 + DOWN_S

    # what the rebuild decided: expiries carry the time they fell due; new offers are made at restart
    got = [(type(e).__name__, getattr(e, "contact_id", None), getattr(e, "agent_id", None), e.at) for e in written]
    assert got == [
        ("OfferRevoked", "ring", "a2", t0 + 31),           # rang out while down
        ("AgentStatusChanged", None, "a2", t0 + 31),       # a2 -> aux 'missed'
        ("AgentStateChanged", None, "a2", t0 + 31),
        ("WrapUpCompleted", "wrap", "a3", t0 + 40),        # the timed wrap-up expired while down
        ("ContactClosed", "wrap", None, t0 + 40),
        ("AgentStateChanged", None, "a3", t0 + 40),        # a3 available again ...
        ("ContactOffered", "ring", "a3", now),             # ... and offered the waiting contact on restart
        ("AgentStateChanged", None, "a3", now),
    ]
    assert api.container.runtime.last_seq == stored_before + len(written)

    # agents: a1 still talking with the same leg; a2 aux 'missed'; a3 ringing with 'ring'
    assert after["agents"]["a1"] == before["agents"]["a1"]
    a1 = api.agent("a1")
    assert (a1["logged_in"], a1["state"], [(w["contact_id"], w["stage"]) for w in a1["work"]]) == (
        True, "busy", [("conn", "busy")])
    a2 = api.agent("a2")
    assert (a2["logged_in"], a2["state"], a2["reason"], a2["work"]) == (True, "aux", "missed", [])
    a3 = api.agent("a3")
    assert (a3["state"], [(w["contact_id"], w["stage"], w["offer_expires"]) for w in a3["work"]]) == (
        "reserved", [("ring", "reserved", now + 20)])
    # waiting contacts: the same, in the same order, with their original queue times
    assert after["waiting"] == {"sales": ["w1", "w2", "w3"], "support": ["w4"], "billing": ["ring"]}
    for cid in ("w1", "w2", "w3", "w4", "conn"):
        assert after["contacts"][cid] == before["contacts"][cid]
    assert "wrap" not in after["contacts"]
    wrap = api.contact("wrap")
    assert (wrap["state"], wrap["outcome"]) == ("closed", "completed")
    completed = next(e for e in api.get("/api/contacts/wrap/events") if e["type"] == "WrapUpCompleted")
    assert completed["timed_out"] is True
    assert completed["acw_s"] == 30  # the timed wrap-up ended at wrap_until, not at the restart

    # nothing lost: every contact is stored, and open ones are live
    rows = {r["contact_id"]: r for r in api.get("/api/contacts", "sup")}
    assert set(rows) == {"conn", "wrap", "ring", "w1", "w2", "w3", "w4"}
    assert {cid for cid, r in rows.items() if r["state"] != "closed"} == set(after["contacts"])
    # nothing offered twice over the whole log
    outstanding_offers_never_overlap(s.event for s in api.container.store.read())

    # the centre carries on from there: talk time counts from the original answer; line order holds
    api.advance(5)
    api.act("a1", "conn", "end")
    api.act("a1", "conn", "wrapup", disposition="done")
    conn = api.contact("conn")
    assert conn["talk_s"] == 80 - 1 and conn["connected_at"] == t0 + 1
    assert api.work("a1") == {"w1": "reserved"}
    api.set_status("a2", "available")
    assert api.work("a2") == {"w2": "reserved"}
    api.act("a3", "ring", "accept")
    assert api.contact("ring")["wait_s"] == 80 - 11
    outstanding_offers_never_overlap(s.event for s in api.container.store.read())


def test_rebuild_without_downtime_changes_nothing(first: Any, containers: Any, make_api: Any) -> None:
    before = fingerprint(first.container)
    api, written = restart(first, containers, make_api, 0)
    assert written == []
    assert fingerprint(api.container) == before
    # and twice in a row
    again, written = restart(api, containers, make_api, 0)
    assert written == []
    assert fingerprint(again.container) == before


def test_repeated_restarts_during_a_long_outage_decide_once(first: Any, containers: Any, make_api: Any) -> None:
    """Each rebuild only fires what is due at its time; a second rebuild does not repeat the first's work."""
    api, written = restart(first, containers, make_api, 25)  # t=40: ring expired at 31, wrap-up due at 40
    assert [type(e).__name__ for e in written if type(e).__name__ != "AgentStateChanged"][:4] == [
        "OfferRevoked", "AgentStatusChanged", "WrapUpCompleted", "ContactClosed"]
    snap = fingerprint(api.container)
    api2, written2 = restart(api, containers, make_api, 0)
    assert written2 == []
    assert fingerprint(api2.container) == snap
    api3, written3 = restart(api2, containers, make_api, 20)  # t=60: the new offer to a3 rings out too
    assert [(type(e).__name__, getattr(e, "agent_id", None)) for e in written3][:2] == [
        ("OfferRevoked", "a3"), ("AgentStatusChanged", "a3")]
    assert fingerprint(api3.container)["waiting"]["billing"] == ["ring"]
    outstanding_offers_never_overlap(s.event for s in api3.container.store.read())


def test_logged_out_agents_and_closed_contacts_stay_that_way(db_url: str, clock: Any, containers: Any,
                                                             make_api: Any, seed: Any) -> None:
    api = make_api(containers(db_url, clock), clock)
    seed(api)
    api.agent_login("a1")
    api.new_contact(contact_id="done")
    api.act("a1", "done", "accept")
    api.act("a1", "done", "wrapup")
    api.post("/api/agent/logout", "ann")
    fresh, written = restart(api, containers, make_api, 3600)
    assert written == []
    assert fresh.agent("a1")["logged_in"] is False
    assert fingerprint(fresh.container)["contacts"] == {}
    assert fresh.contact("done")["state"] == "closed"

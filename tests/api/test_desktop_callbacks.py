"""Scheduled callbacks on SQLite and PostgreSQL: from an inbound contact's wrap-up or scheduled directly,
stored as events and projected, listed per agent (with the dialer's personal callbacks), cancelled or done,
and announced at their due time on the agent's socket (the Scheduler port, no polling)."""

from __future__ import annotations

from typing import Any

from blendcc.adapters.storage.callback_index import MemoryCallbackReader
from blendcc.adapters.storage.memory.store import MemoryStore
from blendcc.dialer.records import DialRecord
from blendcc.domain.callback_events import CallbackDone, CallbackScheduled
from blendcc.domain.customer_events import CustomerErased

from .test_ws import connect, receive

PHONE = "+442079460123"


class Timers:
    """A Scheduler that records the armed timers; the test fires them."""

    def __init__(self) -> None:
        self.armed: list[tuple[float, Any]] = []

    def call_at(self, when: float, fn: Any) -> object:
        item = (when, fn)
        self.armed.append(item)
        return item

    def call_later(self, delay: float, fn: Any) -> object:
        raise AssertionError("callbacks arm absolute times")

    def cancel(self, handle: object) -> None:
        if handle in self.armed:
            self.armed.remove(handle)  # type: ignore[arg-type]


def _wrapped_contact(centre: Any) -> str:
    centre.agent_login("a1")
    out = centre.new_contact(caller_id=PHONE, customer_name="Jane Roe")
    cid: str = out["contact_id"]
    centre.act("a1", cid, "accept")
    centre.advance(20)
    centre.act("a1", cid, "end")
    return cid


def test_wrap_up_schedules_a_personal_callback_for_an_inbound_contact(centre: Any) -> None:
    cid = _wrapped_contact(centre)
    due = centre.T0 + 3600
    centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann",
                 json={"callback_at": centre.T0 - 5, "callback_personal": True})
    centre.error("POST", f"/api/agent/contacts/{cid}/wrapup", 422, user="ann", json={"callback_personal": True})
    done = centre.act("a1", cid, "wrapup", notes="call back after 10", callback_at=due, callback_personal=True)
    callback_id = done["callback_id"]
    mine = centre.get("/api/agent/callbacks", "ann")
    assert [(c["id"], c["source"], c["phone"], c["due_at"], c["note"], c["contact_id"], c["customer_name"])
            for c in mine] == [(callback_id, "scheduled", PHONE, due, "call back after 10", cid, "Jane Roe")]
    assert centre.get("/api/agent/callbacks", "bob") == []  # personal: only ann's
    assert centre.get("/api/callbacks/scheduled", "sup") == []  # not a queue callback
    stored = [s.event for s in centre.container.store.events_of_type(["CallbackScheduled"])]
    assert [(e.callback_id, e.source_contact_id, e.agent_id, e.by) for e in stored] == [
        (callback_id, cid, "a1", "ann")]  # a fact in the log


def test_schedule_cancel_done_and_permissions(centre: Any) -> None:
    cid = _wrapped_contact(centre)
    customer = centre.contact(cid)["customer_id"]
    centre.act("a1", cid, "wrapup")
    due = centre.T0 + 7200
    body = {"phone": "020 7946 0123", "due_at": due, "customer_id": customer, "note": "quote"}
    # numbers are normalised like the dialer's (national numbers in the centre's region: US by default)
    assert "not a valid phone number" in centre.error("POST", "/api/agent/callbacks", 422, user="ann",
                                                      json=body)["detail"]
    mine = centre.post("/api/agent/callbacks", "ann", 201, json={**body, "phone": PHONE})
    assert (mine["state"], mine["agent_id"], mine["queue_id"], mine["customer_id"]) == ("scheduled", "a1", None,
                                                                                        customer)
    queue = centre.post("/api/agent/callbacks", "ann", 201,
                        json={"phone": PHONE, "due_at": due - 60, "personal": False, "queue_id": "sales"})
    assert queue["agent_id"] is None and queue["queue_id"] == "sales"
    centre.error("POST", "/api/agent/callbacks", 422, user="ann", json={"phone": PHONE, "due_at": centre.T0 - 1})
    centre.error("POST", "/api/agent/callbacks", 422, user="ann",
                 json={"phone": PHONE, "due_at": due, "personal": False, "queue_id": "billing"})  # not ann's
    centre.error("POST", "/api/agent/callbacks", 403, user="bob", json={**body, "phone": PHONE})  # not his customer
    centre.error("POST", "/api/agent/callbacks", 422, user="ann", json={**body, "extra": 1})
    listed = centre.get("/api/callbacks/scheduled", "sup")
    assert [c["callback_id"] for c in listed] == [queue["callback_id"]]
    assert centre.get("/api/callbacks/scheduled?queue_id=billing", "sup") == []
    centre.error("GET", "/api/callbacks/scheduled", 403, user="ann")
    # bob may not touch ann's personal callback (not even learn it exists); cy is not in sales
    centre.error("POST", f"/api/agent/callbacks/{mine['callback_id']}/cancel", 404, user="bob", json={})
    centre.error("POST", f"/api/agent/callbacks/{queue['callback_id']}/done", 403, user="cy")
    cancelled = centre.post(f"/api/agent/callbacks/{mine['callback_id']}/cancel", "ann", json={"reason": "no need"})
    assert cancelled["state"] == "cancelled" and cancelled["closed_by"] == "ann"
    centre.error("POST", f"/api/agent/callbacks/{mine['callback_id']}/done", 409, user="ann")
    assert centre.post(f"/api/agent/callbacks/{queue['callback_id']}/done", "bob")["state"] == "done"  # sales
    assert centre.get("/api/callbacks/scheduled", "sup") == []
    centre.error("POST", "/api/agent/callbacks/cb-nope/done", 404, user="ann")


def test_dialer_personal_callbacks_are_listed_with_mine(centre: Any) -> None:
    centre.put("/api/campaigns/winback", json={"name": "Win-back", "mode": "preview", "queue_id": "sales",
                                               "caller_id": "+14155550100"})
    centre.container.campaigns.repo.insert_records([
        DialRecord(campaign_id="winback", record_id="r1", phone="+442079460001", tz="Europe/London",
                   state="callback", next_attempt_at=centre.T0 + 600, callback_agent_id="a1",
                   fields={"name": "Al"}),
        DialRecord(campaign_id="winback", record_id="r2", phone="+442079460002", tz="Europe/London",
                   state="callback", next_attempt_at=centre.T0 + 60, callback_agent_id="a2")])
    centre.agent_login("a1")
    mine = centre.post("/api/agent/callbacks", "ann", 201, json={"phone": PHONE, "due_at": centre.T0 + 900})
    rows = centre.get("/api/agent/callbacks", "ann")
    assert [(r["id"], r["source"], r["campaign_id"], r["due_at"]) for r in rows] == [
        ("winback/r1", "dialer", "winback", centre.T0 + 600),
        (mine["callback_id"], "scheduled", None, centre.T0 + 900)]
    assert rows[0]["customer_name"] == "Al" and rows[0]["phone"] == "+442079460001"
    assert [r["id"] for r in centre.get("/api/agent/callbacks", "bob")] == ["winback/r2"]


def test_a_due_callback_reaches_the_agent_socket_once(centre: Any) -> None:
    centre.agent_login("a1")
    timers = Timers()
    callbacks = centre.container.desk.callbacks
    callbacks.attach(timers)
    assert timers.armed == []  # nothing scheduled: no timer
    later = centre.post("/api/agent/callbacks", "ann", 201, json={"phone": PHONE, "due_at": centre.T0 + 600})
    first = centre.post("/api/agent/callbacks", "ann", 201, json={"phone": PHONE, "due_at": centre.T0 + 300,
                                                                  "note": "first"})
    assert [when for when, _ in timers.armed] == [centre.T0 + 300]  # one timer, at the earliest
    with connect(centre, "/ws/agent", "ann") as ann, connect(centre, "/ws/agent", "bob") as bob:
        assert receive(ann)["stream"] == "snapshot" and receive(bob)["stream"] == "snapshot"
        centre.clock.advance(300)
        _when, fire = timers.armed.pop()
        fire()
        due = receive(ann)
        assert (due["stream"], due["type"], due["callback_id"], due["agent_id"], due["note"]) == \
            ("agent", "CallbackDue", first["callback_id"], "a1", "first")
        assert [w for w, _ in timers.armed] == [centre.T0 + 600]  # re-armed for the next one
        centre.post(f"/api/agent/callbacks/{later['callback_id']}/done", "ann")
        assert timers.armed == []  # nothing left to announce
        centre.clock.advance(600)
        assert callbacks.announce_due() == []  # the done one is never announced; the first not twice
        centre.agent_login("a2")
        first_for_bob = receive(bob)  # bob's own events come; ann's callback never did
        assert first_for_bob["agent_id"] == "a2" and first_for_bob["type"] != "CallbackDue"
    callbacks.attach(None)


def test_memory_projection_matches() -> None:
    store = MemoryStore()
    scheduled = CallbackScheduled(callback_id="cb-1", phone=PHONE, due_at=100.0, agent_id="a1", at=1.0)
    store.append([scheduled, CallbackDone(callback_id="cb-1", by="ann", at=2.0),
                  CallbackScheduled(callback_id="cb-2", phone=PHONE, due_at=50.0, queue_id="sales", at=3.0)])
    reader = MemoryCallbackReader(store)
    assert reader.callback("cb-1")["state"] == "done"  # type: ignore[index]
    assert [r["callback_id"] for r in reader.callbacks(state=None)] == ["cb-2", "cb-1"]
    assert [r["callback_id"] for r in reader.callbacks(personal=False)] == ["cb-2"]
    assert reader.callbacks(due_after=50.0, state=None, due_by=100.0)[0]["callback_id"] == "cb-1"
    store.append([CallbackScheduled(callback_id="cb-3", phone=PHONE, due_at=70.0, agent_id="a1", customer_id="cu-1",
                                    note="secret", at=4.0)])
    store.append([CustomerErased(customer_id="cu-1", at=5.0)])
    assert {k: reader.callback("cb-3")[k] for k in ("state", "phone", "note")} == {  # type: ignore[index]
        "state": "cancelled", "phone": "[erased]", "note": ""}
    logged = [s.event for s in store.read() if isinstance(s.event, CallbackScheduled)]
    assert [(e.callback_id, e.phone) for e in logged] == [("cb-1", PHONE), ("cb-2", PHONE), ("cb-3", "[erased]")]


def test_callbacks_survive_a_restart_and_overdue_ones_are_announced_once(centre: Any, containers: Any,
                                                                         db_url: str) -> None:
    centre.agent_login("a1")
    row = centre.post("/api/agent/callbacks", "ann", 201, json={"phone": PHONE, "due_at": centre.T0 + 60})
    centre.clock.advance(120)  # it falls due while the server is down
    restarted = containers(db_url, centre.clock)
    callbacks = restarted.desk.callbacks
    assert [r["callback_id"] for r in callbacks.personal("a1")] == [row["callback_id"]]  # from the projection
    heard: list[dict[str, Any]] = []
    restarted.bus.subscribe("agent", lambda _t, m: heard.append(dict(m)))
    timers = Timers()
    callbacks.attach(timers)
    assert [w for w, _ in timers.armed] == [centre.T0 + 60]  # already due: the scheduler runs it at once
    timers.armed.pop()[1]()
    assert [(m["type"], m["callback_id"], m["agent_id"]) for m in heard] == [("CallbackDue", row["callback_id"], "a1")]
    assert timers.armed == [] and callbacks.announce_due() == []
    callbacks.attach(None)


def test_erasing_the_customer_closes_and_blanks_its_callbacks(centre: Any) -> None:
    cid = _wrapped_contact(centre)
    customer = centre.contact(cid)["customer_id"]
    done = centre.act("a1", cid, "wrapup", notes="wants a quote", callback_at=centre.T0 + 3600,
                      callback_personal=True)
    other = centre.post("/api/agent/callbacks", "ann", 201, json={"phone": "+442079460999",
                                                                  "due_at": centre.T0 + 600, "note": "keep"})
    centre.post(f"/api/customers/{customer}/erase", "admin")
    row = centre.container.desk.callbacks.get(done["callback_id"])
    assert (row["state"], row["phone"], row["note"], row["closed_by"]) == ("cancelled", "[erased]", "", "erasure")
    assert [r["id"] for r in centre.get("/api/agent/callbacks", "ann")] == [other["callback_id"]]
    stored = {s.event.callback_id: s.event for s in centre.container.store.events_of_type(["CallbackScheduled"])}
    assert (stored[done["callback_id"]].phone, stored[done["callback_id"]].note) == ("[erased]", "")
    assert stored[other["callback_id"]].note == "keep"  # someone else's number: untouched

"""The interactions projection: what each event does to a contact's row."""

from __future__ import annotations

from typing import Any

from blendcc.analytics.interactions import RowChange, apply_change, row_change
from blendcc.domain import events as ev
from blendcc.domain.interaction import RouteStep


def apply(rows: dict[str, dict[str, Any]], change: RowChange | None) -> None:
    if change is not None:
        row = apply_change(rows.get(change.contact_id), change)
        if row is not None:
            rows[change.contact_id] = row


def test_row_follows_a_transferred_contact() -> None:
    events: list[ev.Event] = [
        ev.ContactCreated(contact_id="c", channel="voice", direction="inbound", customer_id="cust", priority=2,
                          attributes={"ivr": {"menu": "1"}}, at=0.0),
        ev.ContactRouted(contact_id="c", workflow_id="main", filter_name="billing",
                         steps=(RouteStep(queue_id="q1"),), at=0.0),
        ev.ContactQueued(contact_id="c", queue_id="q1", channel="voice", step_index=0, priority=2, at=0.0),
        ev.ContactOffered(contact_id="c", agent_id="a", queue_id="q1", channel="voice", expires_at=25.0, at=5.0),
        ev.OfferRevoked(contact_id="c", agent_id="a", reason="timeout", at=25.0),
        ev.ContactOffered(contact_id="c", agent_id="b", queue_id="q1", channel="voice", expires_at=50.0, at=30.0),
        ev.ContactConnected(contact_id="c", agent_id="b", queue_id="q1", channel="voice", queued_at=0.0,
                            wait_s=32.0, at=32.0),
        ev.ContactHeld(contact_id="c", agent_id="b", at=40.0),
        ev.ContactResumed(contact_id="c", agent_id="b", at=50.0),
        ev.ContactTransferred(contact_id="c", from_agent_id="b", from_queue_id="q1", channel="voice",
                              queued_at=0.0, to_queue_id="q2", to_agent_id=None, at=60.0),
        ev.ContactEnded(contact_id="c", agent_id="b", queue_id="q1", reason="transfer", wrap_up_until=90.0,
                        at=60.0),
        ev.ContactRouted(contact_id="c", workflow_id="-", filter_name="transfer", steps=(RouteStep(queue_id="q2"),),
                         at=60.0),
        ev.ContactQueued(contact_id="c", queue_id="q2", channel="voice", step_index=0, priority=2,
                         reason="transfer", at=60.0),
        ev.ContactOffered(contact_id="c", agent_id="d", queue_id="q2", channel="voice", expires_at=80.0, at=61.0),
        ev.ContactConnected(contact_id="c", agent_id="d", queue_id="q2", channel="voice", queued_at=60.0,
                            wait_s=2.0, at=62.0),
        ev.WrapUpCompleted(contact_id="c", agent_id="b", queue_id="q1", channel="voice", queued_at=0.0,
                           disposition="transferred", notes=None, talk_s=18.0, hold_s=10.0, acw_s=5.0, at=65.0),
        ev.ContactEnded(contact_id="c", agent_id="d", queue_id="q2", reason="agent", wrap_up_until=None, at=122.0),
        ev.WrapUpCompleted(contact_id="c", agent_id="d", queue_id="q2", channel="voice", queued_at=60.0,
                           disposition="resolved", notes="ok", talk_s=60.0, hold_s=0.0, acw_s=8.0, at=130.0),
        ev.ContactClosed(contact_id="c", outcome="completed", at=130.0),
        ev.AgentLoggedIn(agent_id="a", at=0.0),
    ]
    rows: dict[str, dict[str, Any]] = {}
    for e in events:
        apply(rows, row_change(e))
    row = rows["c"]
    assert row["workflow_id"] == "main" and row["filter_name"] == "billing"
    assert row["first_queue_id"] == "q1" and row["queue_id"] == "q2" and row["first_queued_at"] == 0.0
    assert row["offered_at"] == 5.0 and row["offers"] == 3
    assert row["connected_at"] == 32.0 and row["wait_s"] == 32.0  # first answer
    assert row["agent_id"] == "d"
    assert (row["talk_s"], row["hold_s"], row["acw_s"]) == (78.0, 10.0, 13.0)
    assert row["transfers"] == 1 and row["overflows"] == 0
    assert row["disposition"] == "resolved" and row["notes"] == "ok"
    assert row["ended_at"] == 122.0 and row["closed_at"] == 130.0
    assert (row["state"], row["outcome"]) == ("closed", "completed")
    assert row["attributes"] == {"ivr": {"menu": "1"}}


def test_abandoned_timed_out_rejected_rows() -> None:
    a = row_change(ev.ContactAbandoned(contact_id="x", queue_id="q", channel="chat", queued_at=1.0, wait_s=9.0,
                                       at=10.0))
    assert a is not None and a.set == {"state": "abandoned", "ended_at": 10.0} and a.set_if_null == {"wait_s": 9.0}
    t = row_change(ev.ContactTimedOut(contact_id="x", queue_id="q", channel="chat", queued_at=1.0, wait_s=60.0,
                                      at=61.0))
    assert t is not None and t.set["state"] == "timed_out"
    r = row_change(ev.ContactRejected(contact_id="x", queue_id="q", reason="closed", at=2.0))
    assert r is not None and r.set["state"] == "rejected"
    o = row_change(ev.ContactOverflowed(contact_id="x", from_queue_id="q", to_queue_id="q2", channel="chat",
                                        queued_at=1.0, reason="no_agents", at=2.0))
    assert o is not None and o.add == {"overflows": 1}
    assert row_change(ev.AgentStateChanged(agent_id="a", state="busy", reason=None, at=0.0)) is None

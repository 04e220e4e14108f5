"""The interactions projection: one row per contact with all its timestamps, folded from events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blendcc.domain import events as ev
from blendcc.domain.ivr_events import IvrCallEnded

COLUMNS = (
    "contact_id", "channel", "direction", "customer_id", "priority", "attributes", "state", "outcome",
    "workflow_id", "filter_name", "created_at", "first_queued_at", "first_queue_id", "queue_id",
    "offered_at", "connected_at", "agent_id", "ended_at", "closed_at", "wait_s", "talk_s", "hold_s",
    "acw_s", "transfers", "overflows", "offers", "disposition", "notes",
)

#: the event classes ``row_change`` turns into a change of the contact's row
ROW_EVENT_TYPES: frozenset[type[ev.Event]] = frozenset({
    ev.ContactCreated, ev.ContactRouted, ev.ContactQueued, ev.ContactOverflowed, ev.ContactOffered,
    ev.OfferRevoked, ev.ContactConnected, ev.ContactHeld, ev.ContactResumed, ev.ContactTransferred,
    ev.ContactEnded, ev.WrapUpCompleted, ev.ContactAbandoned, ev.ContactTimedOut, ev.ContactRejected,
    ev.ContactClosed, IvrCallEnded,
})


@dataclass(slots=True)
class RowChange:
    """What one event does to a contact's row: insert it, set columns, add to numeric columns.

    ``set_if_null`` columns are written only once (the first queue, first answer ...).
    """

    contact_id: str
    insert: dict[str, Any] | None = None
    set: dict[str, Any] = field(default_factory=dict)
    set_if_null: dict[str, Any] = field(default_factory=dict)
    add: dict[str, float] = field(default_factory=dict)


def row_change(e: ev.Event) -> RowChange | None:
    if isinstance(e, ev.ContactCreated):
        return RowChange(e.contact_id, insert={
            "contact_id": e.contact_id, "channel": e.channel, "direction": e.direction,
            "customer_id": e.customer_id, "priority": e.priority, "attributes": dict(e.attributes),
            "state": "created", "created_at": e.at, "talk_s": 0.0, "hold_s": 0.0, "acw_s": 0.0,
            "transfers": 0, "overflows": 0, "offers": 0})
    if isinstance(e, ev.ContactRouted):
        return RowChange(e.contact_id, set_if_null={"workflow_id": e.workflow_id, "filter_name": e.filter_name})
    if isinstance(e, ev.ContactQueued):
        return RowChange(e.contact_id, set={"state": "queued", "queue_id": e.queue_id},
                         set_if_null={"first_queued_at": e.at, "first_queue_id": e.queue_id})
    if isinstance(e, ev.ContactOverflowed):
        return RowChange(e.contact_id, add={"overflows": 1})
    if isinstance(e, ev.ContactOffered):
        return RowChange(e.contact_id, set={"state": "offered"}, set_if_null={"offered_at": e.at},
                         add={"offers": 1})
    if isinstance(e, ev.OfferRevoked):
        return RowChange(e.contact_id, set={"state": "queued"})
    if isinstance(e, ev.ContactConnected):
        return RowChange(e.contact_id, set={"state": "connected", "agent_id": e.agent_id},
                         set_if_null={"connected_at": e.at, "wait_s": e.wait_s})
    if isinstance(e, ev.ContactHeld):
        return RowChange(e.contact_id, set={"state": "held"})
    if isinstance(e, ev.ContactResumed):
        return RowChange(e.contact_id, set={"state": "connected"})
    if isinstance(e, ev.ContactTransferred):
        return RowChange(e.contact_id, set={"state": "transferred"}, add={"transfers": 1})
    if isinstance(e, ev.ContactEnded):
        if e.reason == "transfer":
            return None
        return RowChange(e.contact_id, set={"state": "wrap_up", "ended_at": e.at})
    if isinstance(e, ev.WrapUpCompleted):
        change = RowChange(e.contact_id, add={"talk_s": e.talk_s, "hold_s": e.hold_s, "acw_s": e.acw_s})
        if e.disposition is not None:
            change.set["disposition"] = e.disposition
        if e.notes is not None:
            change.set["notes"] = e.notes
        return change
    if isinstance(e, ev.ContactAbandoned):
        return RowChange(e.contact_id, set={"state": "abandoned", "ended_at": e.at},
                         set_if_null={"wait_s": e.wait_s})
    if isinstance(e, ev.ContactTimedOut):
        return RowChange(e.contact_id, set={"state": "timed_out", "ended_at": e.at},
                         set_if_null={"wait_s": e.wait_s})
    if isinstance(e, ev.ContactRejected):
        return RowChange(e.contact_id, set={"state": "rejected", "ended_at": e.at})
    if isinstance(e, ev.ContactClosed):
        return RowChange(e.contact_id, set={"state": "closed", "outcome": e.outcome, "closed_at": e.at})
    if isinstance(e, IvrCallEnded):
        return RowChange(e.contact_id, insert=ivr_row(e))
    return None


def ivr_row(e: IvrCallEnded) -> dict[str, Any]:
    """The closed contact a call that ended in the IVR leaves: never queued, offered or connected; its
    attributes are the ones a queued call carries (caller id, dialled number, choices) plus the IVR path."""
    attributes: dict[str, Any] = {"ivr_flow": e.flow_id, "ivr_path": list(e.path), "ivr_s": e.ivr_s}
    if e.caller_id is not None:
        attributes["caller_id"] = e.caller_id
    if e.dialled is not None:
        attributes["dialled_number"] = e.dialled
    if e.ivr:
        attributes["ivr"] = dict(e.ivr)
    return {"contact_id": e.contact_id, "channel": e.channel, "direction": "inbound", "customer_id": e.customer_id,
            "priority": 0, "attributes": attributes, "state": "closed", "outcome": e.reason,
            "created_at": e.at - e.ivr_s, "ended_at": e.at, "closed_at": e.at, "talk_s": 0.0, "hold_s": 0.0,
            "acw_s": 0.0, "transfers": 0, "overflows": 0, "offers": 0}


def apply_change(row: dict[str, Any] | None, change: RowChange) -> dict[str, Any] | None:
    """Apply one RowChange to a contact row (None: no row yet) and return the row.

    Order within a change: insert, set, set_if_null (only where the column is NULL), add
    (NULL counts as 0). Changes to a contact that has no row are ignored (None is returned).
    """
    if change.insert is not None:
        row = dict.fromkeys(COLUMNS)
        row.update(change.insert)
    if row is None:
        return None
    row.update(change.set)
    for col, value in change.set_if_null.items():
        if row.get(col) is None:
            row[col] = value
    for col, amount in change.add.items():
        row[col] = (row.get(col) or 0) + amount
    return row

"""Merging two customers (by an admin or by the verified-identity rule) and undoing a merge, as log events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from blendcc.app.acd.runtime import Runtime
from blendcc.domain.customer_events import CustomerMerged, CustomerUnmerged
from blendcc.domain.errors import InvalidState, NotFound, ValidationFailed
from blendcc.domain.events import Event
from blendcc.ports import CustomerRepository, EventStore, ReportReader
from blendcc.routing.engine import Engine

#: more contacts than any one customer has: all of them move in a merge
_ALL = 1_000_000


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$",
                       description="the customer merged into this one (it keeps its id, marked merged)")
    prefer: Literal["into", "from"] = Field(
        default="into", description="whose value a field both customers have keeps: this customer's (into) "
                                    "or the merged one's (from; the replaced values are kept for an undo)")


class CustomerMerges:
    """Merges and undos run as the single writer: checked against the current customers and stored as
    one ``CustomerMerged`` / ``CustomerUnmerged`` event whose projection moves identities and contacts in
    the same transaction."""

    def __init__(self, runtime: Runtime, customers: CustomerRepository, reader: ReportReader,
                 store: EventStore, new_id: Callable[[], str] | None = None):
        self.runtime = runtime
        self.customers = customers
        self.reader = reader
        self.store = store
        self.new_id = new_id or (lambda: "mg-" + uuid.uuid4().hex[:16])

    def _live(self, customer_id: str) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        c = dict(found)
        if c.get("erased_at") is not None:
            raise InvalidState(f"customer {customer_id} was erased")
        if c.get("merged_into"):
            raise InvalidState(f"customer {customer_id} is merged into {c['merged_into']}")
        return c

    def merge(self, into: str, source: str, prefer: str = "into", by: str | None = None,
              rule: str = "admin") -> dict[str, Any]:
        if into == source:
            raise ValidationFailed("a customer cannot be merged into itself")
        merged: list[CustomerMerged] = []

        def run(_eng: Engine, now: float) -> list[Event]:
            a, b = self._live(into), self._live(source)
            contacts = [r["contact_id"] for r in self.reader.interactions(customer_id=source, limit=_ALL)]
            fa, fb = dict(a["fields"]), dict(b["fields"])
            added = [k for k in fb if k not in fa]
            overwritten = {k: fa[k] for k in fb if k in fa and fa[k] != fb[k]} if prefer == "from" else {}
            taken = {k: fb[k] for k in (*added, *overwritten)}
            take_name = not a["name"].strip() and bool(b["name"].strip())
            event = CustomerMerged(
                at=now, customer_id=into, merge_id=self.new_id(), from_customer_id=source,
                identities=tuple(tuple(i) for i in b["identities"]), contact_ids=tuple(contacts),
                fields_set=taken, fields_overwritten=overwritten, fields_added=tuple(added),
                tags_added=tuple(t for t in b.get("tags", ()) if t not in set(a.get("tags", ()))),
                name_before=a["name"] if take_name else None, name_set=b["name"] if take_name else None,
                rule=rule, by=by)
            merged.append(event)
            return [event]

        self.runtime.execute(run)
        return self._result(merged[-1], into)

    def merges(self, customer_id: str) -> list[dict[str, Any]]:
        """Merges into ``customer_id``, oldest first, each with ``undone`` (and when)."""
        undone = {s.event.merge_id: s.event.at for s in self.store.events_of_type(["CustomerUnmerged"])
                  if isinstance(s.event, CustomerUnmerged)}
        out = []
        for s in self.store.events_of_type(["CustomerMerged"]):
            e = s.event
            if isinstance(e, CustomerMerged) and e.customer_id == customer_id:
                out.append(_summary(e) | {"undone_at": undone.get(e.merge_id)})
        return out

    def undo(self, into: str, merge_id: str, by: str | None = None) -> dict[str, Any]:
        undone: list[CustomerUnmerged] = []

        def run(_eng: Engine, now: float) -> list[Event]:
            merge = self._find(into, merge_id)
            self._live(into)
            source = self.customers.get(merge.from_customer_id)
            if source is None or source.get("merge_id") != merge_id:
                raise InvalidState(f"merge {merge_id} was already undone")
            event = CustomerUnmerged(
                at=now, customer_id=into, merge_id=merge_id, from_customer_id=merge.from_customer_id,
                identities=merge.identities, contact_ids=merge.contact_ids,
                fields_restored=dict(merge.fields_overwritten), fields_removed=merge.fields_added,
                tags_removed=merge.tags_added, name_restored=merge.name_before, by=by)
            undone.append(event)
            return [event]

        self.runtime.execute(run)
        return self._result(undone[-1], into)

    def _find(self, into: str, merge_id: str) -> CustomerMerged:
        for s in self.store.events_of_type(["CustomerMerged"]):
            e = s.event
            if isinstance(e, CustomerMerged) and e.merge_id == merge_id and e.customer_id == into:
                return e
        raise NotFound(f"customer {into} has no merge {merge_id}")

    def _result(self, event: CustomerMerged | CustomerUnmerged, into: str) -> dict[str, Any]:
        customer = self.customers.get(into)
        assert customer is not None
        return {"event": event.type, **_summary(event), "customer": dict(customer)}


def _summary(e: CustomerMerged | CustomerUnmerged) -> dict[str, Any]:
    return {"merge_id": e.merge_id, "customer_id": e.customer_id, "from_customer_id": e.from_customer_id,
            "at": e.at, "identities": [list(i) for i in e.identities], "contact_ids": list(e.contact_ids),
            "rule": e.rule if isinstance(e, CustomerMerged) else None, "by": e.by}

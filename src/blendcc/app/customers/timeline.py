"""One customer's timeline across channels: contacts, messages, notes, calls and recordings, dispositions,
surveys and dialer attempts, newest first, by cursor, searchable by text."""

from __future__ import annotations

import re
from typing import Any

from blendcc.domain.errors import NotFound, ValidationFailed
from blendcc.ports import CustomerHistory, CustomerRepository, ReportReader

_CURSOR = re.compile(r"[0-9]{1,18}")  # a sequence number (ASCII digits; BIGINT range)


def phones_of(customer: dict[str, Any]) -> list[str]:
    """The customer's phone numbers (the dialer's attempts are matched on them)."""
    return [value for kind, value in customer.get("identities", ()) if kind == "phone"]


class CustomerTimeline:
    def __init__(self, customers: CustomerRepository, history: CustomerHistory, reader: ReportReader):
        self.customers = customers
        self.history = history
        self.reader = reader

    def customer(self, customer_id: str) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return dict(found)

    def page(self, customer_id: str, cursor: str | None = None, limit: int = 50,
             q: str | None = None) -> dict[str, Any]:
        """``limit`` items older than ``cursor`` (the ``next_cursor`` of the page before; none: the newest),
        and the cursor of the next page (None on the last)."""
        before: int | None = None
        if cursor:
            if not _CURSOR.fullmatch(cursor):
                raise ValidationFailed("cursor: use the next_cursor of the previous page")
            before = int(cursor)
        customer = self.customer(customer_id)
        rows = self.history.timeline(customer_id, phones_of(customer), before, limit + 1, q or None)
        more = len(rows) > limit
        rows = rows[:limit]
        channels: dict[str, str | None] = {}
        items = []
        for r in rows:
            cid = r["contact_id"]
            if cid is not None and cid not in channels:
                row = self.reader.interaction(cid)
                channels[cid] = row["channel"] if row else None
            items.append({"seq": r["seq"], "at": r["at"], "kind": r["kind"], "contact_id": cid,
                          "channel": channels.get(cid) if cid else "voice", "text": r["text"],
                          "detail": r["detail"] or {}})
        return {"customer_id": customer_id, "items": items,
                "next_cursor": str(rows[-1]["seq"]) if more and rows else None}

    def all(self, customer_id: str, page_size: int = 500) -> list[dict[str, Any]]:
        """Every item (the export), newest first."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self.page(customer_id, cursor, page_size)
            out.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return out
